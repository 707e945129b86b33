// Why a cat model rejects a candidate execution, for any model: the check that failed
// (acyclic / irreflexive / empty, with its name), a witness of its relation (a shortest cycle, the
// reflexive pair, or a pair of the non-empty relation), and for each edge of the witness its
// derivation: which named relation of the model contributed it, and that relation's edges in
// turn, down to the base relations (po, rf, co, fr, addr, …) or to a relation the model does not
// build from others (fencerel(Mb), a cartesian product, …).
//
// Derivations are found by evaluating subexpressions of the model, as written, on the rejected
// branch (compiled with the names visible where they are written: Program.compileAt), so they
// are the model's own relations, not a re-implementation. A `with x from S` that has no choice
// is explained the same way when S is generate_orders(E, r) or linearisations(E, r): the orders
// must contain r, and r has a cycle.
import { basename } from 'node:path';
import { fmtPos, showExpr, type Expr, type TestKind } from './ast.ts';
import type { Universe } from './bits.ts';
import type { Program, Step } from './compile.ts';
import type { LocalFrame, Rt } from './runtime.ts';
import { CatRuntimeError, type CatVal } from './values.ts';

/** One edge from → to of a relation, and how the model derives it. */
export interface Derivation {
  from: number;
  to: number;
  /** The relation: a name of the model ('hb', 'rfe', 'po') or a subexpression as written
   * ('fencerel(Mb)'). */
  rel: string;
  /** The edges from → … → to of the relations `rel` is made of here (an identity step such as
   * [Marked] leaves none); empty for a base relation or one not decomposed further. */
  steps: Derivation[];
}

export interface Rejection {
  /** The failing test's name ('happens-before'), or file:line:col when it has none; for a `with`
   * with no choice, 'with <name>'. */
  check: string;
  test: TestKind | 'with';
  negated: boolean;
  /** The tested expression as written ('hb', 'po-loc | com'). */
  expr: string;
  /** Where the test is written (the file's base name:line:col). */
  at: string;
  /** Consecutive edges: for acyclic, a cycle of the tested relation (shortest); for
   * irreflexive, the edge e → e; for empty, one pair of the relation (from = to for an event of
   * a set); for a `with` without choice, the cycle its order constraint has. Empty when the test
   * fails for want of something (a negated test). */
  witness: Derivation[];
}

/** The names whose edges are not decomposed further: herd's pre-defined relations and the
 * communication relations every model derives from them. */
export const BASE_RELATIONS: ReadonlySet<string> = new Set([
  'po', 'rf', 'co', 'fr', 'rfe', 'rfi', 'coe', 'coi', 'fre', 'fri', 'rmw', 'addr', 'data', 'ctrl', 'loc', 'int', 'ext', 'id', 'po-loc', 'co0',
]);

/** Where a subexpression is evaluated: the top-level slots visible, and the locals of a
 * function call being looked into (with the argument expressions they stand for). */
interface Env {
  limit: number;
  locals: string[] | null;
  frame: LocalFrame | null;
  bound: Map<string, { e: Expr; env: Env }> | null;
}

/** Work limit for one explanation (a let rec can make derivations branch). */
const BUDGET = 50_000;

export function explainRejection(p: Program, step: Step & { k: 'test' | 'with' }, rt: Rt): Rejection {
  const d = new Deriver(p, rt);
  const env = d.top(step.limit);
  const at = fmtPos({ ...step.pos, file: basename(step.pos.file) });
  if (step.k === 'with') {
    return { check: `with ${step.name}`, test: 'with', negated: false, expr: showExpr(step.e), at, witness: d.emptyOrders(step.e, env) };
  }
  const base = { check: step.name ?? at, test: step.test, negated: step.negated, expr: showExpr(step.e), at };
  if (step.negated) return { ...base, witness: [] };
  const v = d.value(step.e, env);
  const u = rt.c.u;
  let pairs: [number, number][] = [];
  if (v.k === 'rel') {
    if (step.test === 'acyclic') pairs = shortestCycle(u, v.b);
    else if (step.test === 'irreflexive') {
      for (let i = 0; i < u.n; i++) if (u.hasPair(v.b, i, i)) { pairs = [[i, i]]; break; }
    } else pairs = u.pairs(v.b).slice(0, 1);
  } else if (v.k === 'set') pairs = u.members(v.b).slice(0, 1).map((i) => [i, i]);
  const witness = pairs.map(([a, b]) => ({ from: a, to: b, rel: base.expr, steps: d.derive(step.e, env, a, b) ?? [] }));
  return { ...base, witness: witness.map(unwrap) };
}

/** A witness edge whose derivation is one named edge over the same pair is that edge. */
function unwrap(w: Derivation): Derivation {
  const [s] = w.steps;
  return w.steps.length === 1 && s!.from === w.from && s!.to === w.to ? s! : w;
}

class Deriver {
  private budget = BUDGET;
  private inProgress = new Set<string>();
  private values = new Map<Expr, Map<Env, CatVal>>();
  private tops = new Map<number, Env>();

  constructor(
    private readonly p: Program,
    private readonly rt: Rt,
  ) {}

  /** The environment of the top level where `limit` slots are visible. */
  top(limit: number): Env {
    let env = this.tops.get(limit);
    if (!env) this.tops.set(limit, (env = { limit, locals: null, frame: null, bound: null }));
    return env;
  }

  value(e: Expr, env: Env): CatVal {
    let byEnv = this.values.get(e);
    if (!byEnv) this.values.set(e, (byEnv = new Map()));
    let v = byEnv.get(env);
    if (!v) byEnv.set(env, (v = this.p.compileAt(e, env.limit, env.locals)(this.rt, env.frame)));
    return v;
  }

  private has(e: Expr, env: Env, a: number, b: number): boolean {
    let v: CatVal;
    try {
      v = this.value(e, env);
    } catch (x) {
      if (x instanceof CatRuntimeError) return false;
      throw x;
    }
    if (v.k === 'rel') return this.rt.c.u.hasPair(v.b, a, b);
    if (v.k === 'set') return a === b && ((v.b[a >>> 5]! >>> (a & 31)) & 1) === 1;
    return false;
  }

  private leaf(e: Expr | string, a: number, b: number): Derivation[] {
    return [{ from: a, to: b, rel: typeof e === 'string' ? e : showExpr(e), steps: [] }];
  }

  /** A path a → … → b in the value of e, each edge derived; null when none is found. */
  derive(e: Expr, env: Env, a: number, b: number): Derivation[] | null {
    if (--this.budget < 0) return this.leaf(e, a, b);
    switch (e.k) {
      case 'var':
        return this.deriveName(e.name, env, a, b);
      case 'bin':
        switch (e.op) {
          case 'union': {
            for (const alt of flatten(e, 'union')) if (this.has(alt, env, a, b)) {
              const d = this.derive(alt, env, a, b);
              if (d) return d;
            }
            return null;
          }
          case 'inter':
            return this.derive(e.l, env, a, b) ?? this.derive(e.r, env, a, b);
          case 'diff':
            return this.derive(e.l, env, a, b);
          case 'seq':
            return this.chain(flatten(e, 'seq'), env, a, b);
          default:
            return this.leaf(e, a, b);
        }
      case 'un':
        switch (e.op) {
          case 'toid':
            return a === b ? [] : null;
          case 'opt':
            return a === b ? [] : this.derive(e.e, env, a, b);
          case 'star':
            return a === b ? [] : this.path(e.e, env, a, b);
          case 'plus':
            return this.path(e.e, env, a, b);
          default:
            return this.leaf(e, a, b);
        }
      case 'app':
        return this.apply(e, env, a, b);
      case 'if': {
        if (e.cond.k !== 'variant') return this.leaf(e, a, b);
        return this.derive(this.rt.c.variants.has(e.cond.name) ? e.then : e.else, env, a, b);
      }
      case 'try':
        return this.has(e.e, env, a, b) ? this.derive(e.e, env, a, b) : this.derive(e.dflt, env, a, b);
      default:
        return this.leaf(e, a, b);
    }
  }

  private deriveName(name: string, env: Env, a: number, b: number): Derivation[] | null {
    const local = env.bound?.get(name);
    if (local) return this.derive(local.e, local.env, a, b);
    if (env.locals?.includes(name)) return this.leaf(name, a, b);
    const slot = this.p.resolveAt(name, env.limit);
    const def = slot === undefined ? undefined : this.p.defs[slot];
    if (!def || def.k !== 'let' || BASE_RELATIONS.has(name) || def.e.k === 'fun') return this.leaf(name, a, b);
    const key = `${slot}:${a}:${b}`;
    if (this.inProgress.has(key)) return null; // a let rec: look for a derivation that is not circular
    this.inProgress.add(key);
    try {
      const steps = this.derive(def.e, this.top(def.limit), a, b);
      if (steps && steps.length === 0 && a === b) return []; // an identity step (r* or r? staying put)
      return steps && [{ from: a, to: b, rel: name, steps }];
    } finally {
      this.inProgress.delete(key);
    }
  }

  /** f(arg): looks into the body of a function the model defines (its parameters standing for
   * the argument expressions); a built-in function's result is a leaf. */
  private apply(e: Expr & { k: 'app' }, env: Env, a: number, b: number): Derivation[] | null {
    if (e.f.k !== 'var' || env.bound?.has(e.f.name) || env.locals?.includes(e.f.name)) return this.leaf(e, a, b);
    const slot = this.p.resolveAt(e.f.name, env.limit);
    const def = slot === undefined ? undefined : this.p.defs[slot];
    if (!def || def.k !== 'let' || def.e.k !== 'fun') return this.leaf(e, a, b);
    const fun = def.e;
    const names = fun.pat.k === 'var' ? [fun.pat.name ?? '_'] : fun.pat.elems.map((n) => n ?? '_');
    const args = fun.pat.k === 'var' ? [e.arg] : e.arg.k === 'tuple' && e.arg.elems.length === names.length ? e.arg.elems : null;
    if (!args) return this.leaf(e, a, b);
    let vals: CatVal[];
    try {
      vals = args.map((x) => this.value(x, env));
    } catch (x) {
      if (x instanceof CatRuntimeError) return this.leaf(e, a, b);
      throw x;
    }
    const bound = new Map(names.map((n, i) => [n, { e: args[i]!, env }]));
    const inner: Env = { limit: def.limit, locals: names, frame: { vals, up: null }, bound };
    return this.derive(fun.body, inner, a, b);
  }

  /** A path through e1 ; e2 ; … ; ek from a to b: the intermediate events chosen from the end,
   * preferring to stay put where an operand allows it (an identity such as [S], or r? / r*). */
  private chain(ops: Expr[], env: Env, a: number, b: number): Derivation[] | null {
    const u = this.rt.c.u;
    const rels: (Uint32Array | null)[] = [];
    const reach: Uint32Array[] = [u.setOf([a])];
    for (const op of ops) {
      const v = this.value(op, env);
      const r = v.k === 'rel' ? v.b : null;
      rels.push(r);
      const next = u.emptySet();
      if (r) for (const i of u.members(reach[reach.length - 1]!)) for (let k = 0; k < u.w; k++) next[k]! |= r[i * u.w + k]!;
      reach.push(next);
    }
    const inSet = (s: Uint32Array, i: number) => ((s[i >>> 5]! >>> (i & 31)) & 1) === 1;
    if (!inSet(reach[ops.length]!, b)) return null;
    const points: number[] = [b];
    let cur = b;
    for (let i = ops.length - 1; i >= 0; i--) {
      const r = rels[i]!;
      const before = reach[i]!;
      let c = -1;
      if (inSet(before, cur) && u.hasPair(r, cur, cur)) c = cur;
      else for (const j of u.members(before)) if (u.hasPair(r, j, cur)) { c = j; break; }
      if (c < 0) return null;
      points.unshift(c);
      cur = c;
    }
    const out: Derivation[] = [];
    for (let i = 0; i < ops.length; i++) {
      const [x, y] = [points[i]!, points[i + 1]!];
      const d = this.derive(ops[i]!, env, x, y);
      if (d === null) {
        if (x === y) continue;
        return null;
      }
      out.push(...d);
    }
    return out;
  }

  /** A shortest path a → … → b of e's edges (for e+ and e*), each edge derived. */
  private path(e: Expr, env: Env, a: number, b: number): Derivation[] | null {
    const v = this.value(e, env);
    if (v.k !== 'rel') return null;
    const hops = shortestPath(this.rt.c.u, v.b, a, b);
    if (!hops) return null;
    const out: Derivation[] = [];
    for (const [x, y] of hops) out.push(...(this.derive(e, env, x, y) ?? this.leaf(e, x, y)));
    return out;
  }

  /** `with x from generate_orders(E, r)` / `linearisations(E, r)` with no choice: the orders
   * must contain r (among the events of E at one location, for generate_orders), and r has a
   * cycle there. */
  emptyOrders(e: Expr, env: Env): Derivation[] {
    if (e.k !== 'app' || e.f.k !== 'var' || e.arg.k !== 'tuple' || e.arg.elems.length !== 2) return [];
    const fn = e.f.name;
    if (fn !== 'generate_orders' && fn !== 'linearisations') return [];
    const [se, re] = e.arg.elems as [Expr, Expr];
    const s = this.value(se, env);
    const r = this.value(re, env);
    if (s.k !== 'set' || r.k !== 'rel') return [];
    const u = this.rt.c.u;
    const within = u.restrict(r.b, s.b);
    if (fn === 'generate_orders') {
      const locId = this.rt.c.locId;
      for (let i = 0; i < u.n; i++) for (let j = 0; j < u.n; j++) if (locId[i] !== locId[j] || locId[i]! < 0) within[i * u.w + (j >>> 5)]! &= ~(1 << (j & 31));
    }
    const rel = showExpr(re);
    return shortestCycle(u, within).map(([a, b]) => unwrap({ from: a, to: b, rel, steps: this.derive(re, env, a, b) ?? [] }));
  }
}

/** The operands of a chain of one associative operator, left to right. */
function flatten(e: Expr, op: 'union' | 'seq'): Expr[] {
  return e.k === 'bin' && e.op === op ? [...flatten(e.l, op), ...flatten(e.r, op)] : [e];
}

/** The edges of a shortest path a → … → b (at least one edge), or null. */
function shortestPath(u: Universe, r: Uint32Array, a: number, b: number): [number, number][] | null {
  const prev = new Int32Array(u.n).fill(-1);
  const queue = [a];
  const seen = new Uint8Array(u.n);
  for (let q = 0; q < queue.length; q++) {
    const x = queue[q]!;
    for (let y = 0; y < u.n; y++) {
      if (!u.hasPair(r, x, y)) continue;
      if (y === b) {
        const hops: [number, number][] = [[x, b]];
        for (let z = x; z !== a; z = prev[z]!) hops.unshift([prev[z]!, z]);
        return hops;
      }
      if (seen[y] || y === a) continue;
      seen[y] = 1;
      prev[y] = x;
      queue.push(y);
    }
  }
  return null;
}

/** A shortest cycle of r (the first found among those of least length), as its edges. */
export function shortestCycle(u: Universe, r: Uint32Array): [number, number][] {
  let best: [number, number][] = [];
  for (let a = 0; a < u.n; a++) {
    const p = shortestPath(u, r, a, a);
    if (p && (best.length === 0 || p.length < best.length)) best = p;
    if (best.length === 1) break;
  }
  return best;
}
