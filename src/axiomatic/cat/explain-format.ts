// How a derivation (explain.ts) reads to a kernel developer: each edge named as specifically as
// the model allows (rmb rather than ppo ⊇ fence ⊇ rmb, fre rather than overwrite & ext), the
// cycle as one chain of base relations started at the first thread's earliest event, and the
// named relations it passes through as indented "where" lines.
import { BASE_RELATIONS, type Derivation, type Rejection } from './explain.ts';

/** One edge of a derivation as a reader wants it named: the most specific name the model gives
 * it (rmb rather than ppo, po-rel rather than po), rf / co / fr marked e or i. */
export interface NamedEdge {
  from: number;
  to: number;
  rel: string;
}

const COMM = /^(rf|co|fr)[ei]?$/;
const isName = (s: string): boolean => /^[A-Za-z_][\w.-]*$/.test(s);

/** rf, co, fr as rfe / rfi … (external: different threads, or an initial write's). */
function commName(rel: string, from: number, to: number, tidOf: (id: number) => number): string {
  if (rel.length !== 2) return rel;
  const a = tidOf(from);
  const b = tidOf(to);
  return rel + (a >= 0 && a === b ? 'i' : 'e');
}

/** The chain of single-edge named relations from d down (hb, ppo, fence, rmb), and where it ends. */
function collapse(d: Derivation): { names: string[]; end: Derivation } {
  const names: string[] = [];
  let cur = d;
  for (;;) {
    if (isName(cur.rel) && !BASE_RELATIONS.has(cur.rel)) names.push(cur.rel);
    const [s] = cur.steps;
    if (COMM.test(cur.rel) || cur.steps.length !== 1 || s!.from !== cur.from || s!.to !== cur.to) return { names, end: cur };
    cur = s!;
  }
}

/**
 * The edges of a derivation in base relations, each named as specifically as the model allows:
 * a communication edge by its own name (fre); another base relation by its name (ctrl, addr,
 * rmw) except po, which says less than the relation of the model it makes (po-rel, mb over a
 * full-barrier RMW); an edge the model takes from a built-in function (fencerel(Rmb)) by the
 * innermost name the model gives it (rmb).
 */
export function baseEdges(d: Derivation, tidOf: (id: number) => number): NamedEdge[] {
  const { names, end } = collapse(d);
  if (end.steps.length > 0 && !COMM.test(end.rel)) return end.steps.flatMap((s) => baseEdges(s, tidOf));
  return [{ from: d.from, to: d.to, rel: leafName(names, end, tidOf) }];
}

function leafName(names: string[], end: Derivation, tidOf: (id: number) => number): string {
  if (COMM.test(end.rel)) return commName(end.rel, end.from, end.to, tidOf);
  if (BASE_RELATIONS.has(end.rel) && end.rel !== 'po') return end.rel;
  return names[names.length - 1] ?? end.rel;
}

/** The name a step shows under its parent: its own name, or for a relation that is only a
 * communication edge (overwrite & ext), that edge's name. */
function stepName(d: Derivation, tidOf: (id: number) => number): string {
  const { names, end } = collapse(d);
  if (COMM.test(end.rel)) return commName(end.rel, end.from, end.to, tidOf);
  if (names.length) return names[0]!;
  return end.steps.length === 0 ? leafName(names, end, tidOf) : end.rel;
}

/**
 * The rejection in words, one line each:
 *   happens-before: acyclic hb fails (linux-kernel.cat:114:1); the cycle:
 *     P1:R x=0 →fre P0:W x=1 →wmb P0:W y=1 →rfe P1:R y=1 →rmb P1:R x=0
 *   where
 *     hb ⊇ prop: P1:R x=0 → P1:R y=1 is fre ; cumul-fence ; rfe
 *       cumul-fence ⊇ wmb: P0:W x=1 → P0:W y=1
 *     hb ⊇ ppo ⊇ fence ⊇ rmb: P1:R y=1 → P1:R x=0
 */
export function formatRejection(
  r: Rejection,
  describe: (id: number) => string,
  tidOf: (id: number) => number,
  order: (id: number) => number = (id) => id,
): string[] {
  const what = r.test === 'with' ? `no choice in ${r.expr}: the orders must contain a relation with a cycle`
    : `${r.negated ? '~' : ''}${r.test} ${r.expr} fails`;
  const lines = [`${r.check}: ${what} (${r.at})${r.witness.length ? (r.test === 'empty' ? '; the pair:' : '; the cycle:') : ''}`];
  if (r.witness.length === 0) return lines;
  const edges = rotate(r.witness.flatMap((w) => baseEdges(w, tidOf)), order);
  const chain = [describe(edges[0]!.from), ...edges.map((e) => `→${e.rel} ${describe(e.to)}`)].join(' ');
  lines.push(`  ${chain}`);
  const where: string[] = [];
  const walk = (d: Derivation, indent: string): void => {
    const { names, end } = collapse(d);
    if (COMM.test(end.rel) || names.length === 0) {
      for (const s of end.steps) walk(s, indent);
      return;
    }
    if (end.steps.length === 0) {
      const leaf = leafName(names, end, tidOf);
      const chain = leaf === names[names.length - 1] ? names : [...names, leaf];
      if (chain.length > 1) where.push(`${indent}${chain.join(' ⊇ ')}: ${describe(d.from)} → ${describe(d.to)}`);
      return;
    }
    const head = `${indent}${names.join(' ⊇ ')}: ${describe(d.from)} → ${describe(d.to)}`;
    where.push(`${head} is ${end.steps.map((s) => stepName(s, tidOf)).join(' ; ')}`);
    for (const s of end.steps) walk(s, indent + '  ');
  };
  for (const w of r.witness) walk(w, '    ');
  if (where.length) lines.push('  where', ...where);
  return lines;
}

/** A cycle of edges started at its edge whose source comes first in `order` (e.g. the first
 * thread's earliest event); a path that is not a cycle is left as it is. */
export function rotate(edges: NamedEdge[], order: (id: number) => number): NamedEdge[] {
  if (edges.length < 2 || edges[edges.length - 1]!.to !== edges[0]!.from) return edges;
  let k = 0;
  for (let i = 1; i < edges.length; i++) if (order(edges[i]!.from) < order(edges[k]!.from)) k = i;
  return [...edges.slice(k), ...edges.slice(0, k)];
}
