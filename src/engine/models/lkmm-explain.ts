// Why a counterexample found under the LKMM is a weak-memory effect, from what its graph shows:
//
// * the cycle of program order and communication (po ∪ rf ∪ co ∪ fr) that makes the execution
//   impossible under SC, when there is one (without one, the violation is an interleaving that
//   SC has too, and that is what is said);
// * the reads on the cycle that saw a stale value (its fr edges: the read's source was
//   overwritten by a write the cycle puts before the read);
// * which program-order edges of the cycle the code leaves unordered, found by asking the LKMM
//   itself: the same graph with a barrier there (smp_mb(), or the lighter barrier or
//   acquire/release that fits the pair), or with a dependency declared there (addr, data,
//   ctrl), is checked again with the same rf and co. A fix is named only when that check
//   rejects the execution. So a missing barrier and an undeclared dependency are told apart by
//   what would forbid the execution, not guessed from the code: the graph does not know
//   whether the code computes an address from a value, only what the model makes of it.
import type { Execution, XEvent } from '../../axiomatic/execution.ts';
import { loadLkmm } from '../../axiomatic/lkmm/index.ts';
import { EvKind, type Ev, type Graph } from '../graph.ts';

/** The graph as the LKMM checks it (lkmm-graph.ts: toExecution), with each event's id. */
export type ToExecution = (g: Graph) => { x: Execution; co: [number, number][]; ids: Map<Ev, number> };

export type ScRel = 'po' | 'rf' | 'co' | 'fr';

/** One way to order a po pair that makes the LKMM reject the counterexample. */
export interface OrderingFix {
  /** What would be added: 'smp_mb()', 'smp_rmb()', 'smp_wmb()', 'smp_load_acquire()',
   * 'smp_store_release()', or a dependency 'addr' / 'data' / 'ctrl' (declared with t.depends()). */
  fix: string;
  kind: 'barrier' | 'dependency';
}

/** A program-order edge of the counterexample's SC cycle: whether the LKMM orders it, and what would. */
export interface MissingOrdering {
  from: Ev;
  to: Ev;
  /** The fixes that, added here alone (or with the other edges of `needs`), make the LKMM reject
   * the execution. Empty: this edge is not where the cycle can be cut. */
  fixes: OrderingFix[];
  /** A dependency from `from` to `to` the scenario already declares (the LKMM then still allows
   * the execution: the dependency does not order this pair). */
  declared: string | null;
  /** The LKMM relation that already orders the pair, if one does ('mb', 'po-rel', 'ppo' …). */
  orderedBy: string | null;
}

/** Relations of linux-kernel.cat that order a po pair, most specific first. */
const ORDERING = ['mb', 'gp', 'rmb', 'wmb', 'po-rel', 'acq-po', 'po-unlock-lock-po', 'rcu-fence', 'ppo'];
const DEPS = ['addr', 'data', 'ctrl'] as const;
const an = (dep: string): string => (dep === 'addr' ? 'an addr' : `a ${dep}`);

/** Why a counterexample found under the LKMM needs weak memory: its SC cycle, the stale reads
 * on it, and the orderings the code lacks (ViolationReport.explain()). */
export interface WeakExplanation {
  /** True when the execution is sequentially consistent (no cycle below). */
  sc: boolean;
  /** A shortest cycle of po ∪ rf ∪ co ∪ fr, as consecutive edges. */
  cycle: { from: Ev; to: Ev; rel: ScRel }[];
  /** The reads on the cycle that saw a stale value: each read, the write it read (null: the
   * initial value) and the write on the cycle that overwrote it. */
  stale: { read: Ev; source: Ev | null; overwrittenBy: Ev }[];
  /** The cycle's po edges between accesses, and what would order each. */
  orderings: MissingOrdering[];
  /** 'any': ordering any one edge with a fix listed forbids the execution; 'all': only ordering
   * every listed edge does; 'none': no barrier on the cycle's po edges forbids it. */
  needs: 'any' | 'all' | 'none';
  text: string[];
}

const isAccess = (e: Ev): boolean => e.kind === EvKind.Read || e.kind === EvKind.Write || e.kind === EvKind.Init;

/** Successors of e in po (every later access of its thread) ∪ rf ∪ co (next) ∪ fr (next). */
function scSucc(g: Graph, e: Ev, visit: (x: Ev, rel: ScRel) => void): void {
  if (e.tid >= 0) {
    const th = g.threads[e.tid];
    for (let i = e.idx + 1; i < th.length; i++) if (isAccess(th[i])) visit(th[i], 'po');
  }
  if (e.kind === EvKind.Write || e.kind === EvKind.Init) {
    for (const r of e.readers ?? []) visit(r, 'rf');
    const list = g.co[e.loc];
    if (e.coPos + 1 < list.length) visit(list[e.coPos + 1], 'co');
  } else if (e.kind === EvKind.Read && e.rf) {
    const list = g.co[e.loc];
    const p = e.rf.coPos + 1;
    if (p < list.length && list[p] !== e) visit(list[p], 'fr');
  }
}

/** A shortest cycle through po ∪ rf ∪ co ∪ fr, or [] when the graph is SC. */
function shortestScCycle(g: Graph): { from: Ev; to: Ev; rel: ScRel }[] {
  const nodes: Ev[] = [...g.inits.filter((i): i is Ev => !!i), ...g.threads.flat().filter(isAccess)];
  let best: { from: Ev; to: Ev; rel: ScRel }[] = [];
  for (const start of nodes) {
    const prev = new Map<Ev, { from: Ev; rel: ScRel }>();
    const queue: Ev[] = [start];
    let found: { from: Ev; rel: ScRel } | null = null;
    for (let q = 0; q < queue.length && !found; q++) {
      const x = queue[q]!;
      scSucc(g, x, (y, rel) => {
        if (found) return;
        if (y === start) found = { from: x, rel };
        else if (!prev.has(y)) {
          prev.set(y, { from: x, rel });
          queue.push(y);
        }
      });
    }
    if (!found) continue;
    const f = found as { from: Ev; rel: ScRel };
    const cyc: { from: Ev; to: Ev; rel: ScRel }[] = [{ from: f.from, to: start, rel: f.rel }];
    for (let y = f.from; y !== start; ) {
      const p = prev.get(y)!;
      cyc.unshift({ from: p.from, to: y, rel: p.rel });
      y = p.from;
    }
    if (best.length === 0 || cyc.length < best.length) best = cyc;
  }
  return best;
}

export function explainWeak(g: Graph, toExecution: ToExecution, describeStep: (e: Ev) => string, thread: (tid: number) => string): WeakExplanation {
  // the write of a read-modify-write reads as the whole operation ("fetch_add(x): 2 → 1")
  const describe = (e: Ev): string => {
    const prev = e.kind === EvKind.Write && e.excl ? g.threads[e.tid]?.[e.idx - 1] : undefined;
    return describeStep(prev && prev.kind === EvKind.Read ? prev : e);
  };
  const cycle = shortestScCycle(g);
  if (cycle.length === 0) {
    return {
      sc: true, cycle, stale: [], orderings: [], needs: 'none',
      text: ['weak memory: none needed. This execution is sequentially consistent (no cycle of po, rf, co and fr): every read sees the latest write in one interleaving, so the violation is an interleaving that SC has as well.'],
    };
  }
  const stale = cycle.filter((c) => c.rel === 'fr').map((c) => ({ read: c.from, source: c.from.rf && c.from.rf.kind !== EvKind.Init ? c.from.rf : null, overwrittenBy: c.to }));
  const m = loadLkmm();
  const { x, co, ids } = toExecution(g);
  const forbids = (change: (x: Execution) => void): boolean => {
    const y: Execution = { events: x.events.map((e) => ({ ...e })), rf: x.rf.slice(), rmw: x.rmw.slice(), addr: x.addr.slice(), data: x.data.slice(), ctrl: x.ctrl.slice() };
    change(y);
    return m.checkWithCo(y, co).length === 0;
  };
  const parts = (e: Ev): number[] => {
    const out: number[] = [];
    const id = ids.get(e);
    if (id !== undefined) out.push(id);
    const next = g.threads[e.tid]?.[e.idx + 1];
    if (e.kind === EvKind.Read && next && next.kind === EvKind.Write && next.excl && ids.has(next)) out.push(ids.get(next)!);
    return out;
  };
  const pos = cycle.filter((c) => c.rel === 'po' && ids.has(c.from) && ids.has(c.to));
  /** The change that puts fix f on the po edge a → b. */
  const apply = (y: Execution, a: Ev, b: Ev, f: string): void => {
    const pa = parts(a);
    const pb = parts(b);
    const last = y.events[pa[pa.length - 1]!]!;
    const first = y.events[pb[0]!]!;
    const fence = (annot: string): void => {
      y.events.push({ id: y.events.length, tid: last.tid, poIndex: (last.poIndex + first.poIndex) / 2, kind: 'F', loc: null, value: 0, annot, atomic: false });
    };
    switch (f) {
      case 'smp_mb()': return fence('MB');
      case 'smp_rmb()': return fence('rmb');
      case 'smp_wmb()': return fence('wmb');
      case 'smp_load_acquire()': for (const i of pa) y.events[i] = { ...y.events[i]!, annot: 'ACQUIRE' }; return;
      case 'smp_store_release()': for (const i of pb) y.events[i] = { ...y.events[i]!, annot: 'RELEASE' }; return;
      default: for (const i of pb) (y[f as 'addr' | 'data' | 'ctrl']).push([pa[0]!, i]);
    }
  };
  const isR = (e: XEvent) => e.kind === 'R' || e.kind === 'LKR' || e.kind === 'LF' || e.kind === 'RL' || e.kind === 'RU';
  const isW = (e: XEvent) => e.kind === 'W' || e.kind === 'LKW' || e.kind === 'UL';
  /** The fixes worth trying on a → b: a full barrier, the lighter one that fits, and
   * dependencies when a is a read. */
  const candidates = (a: Ev, b: Ev): OrderingFix[] => {
    const xa = x.events[parts(a)[0]!]!;
    const xb = x.events[parts(b)[0]!]!;
    const fixes: OrderingFix[] = [{ fix: 'smp_mb()', kind: 'barrier' }];
    if (isR(xa) && isR(xb)) fixes.push({ fix: 'smp_rmb()', kind: 'barrier' });
    if (isW(xa) && isW(xb)) fixes.push({ fix: 'smp_wmb()', kind: 'barrier' });
    if (isR(xa) && xa.kind === 'R' && (xa.annot === 'ONCE' || xa.annot === '')) fixes.push({ fix: 'smp_load_acquire()', kind: 'barrier' });
    if (xb.kind === 'W' && (xb.annot === 'ONCE' || xb.annot === '')) fixes.push({ fix: 'smp_store_release()', kind: 'barrier' });
    if (xa.kind === 'R') {
      fixes.push({ fix: 'addr', kind: 'dependency' });
      if (isW(xb)) fixes.push({ fix: 'data', kind: 'dependency' });
      fixes.push({ fix: 'ctrl', kind: 'dependency' });
    }
    return fixes;
  };
  // Where can the cycle be cut? First one edge at a time; else every edge together, then as few
  // as still forbid the execution.
  let needs: WeakExplanation['needs'] = 'none';
  let cut = pos.filter((c) => forbids((y) => apply(y, c.from, c.to, 'smp_mb()')));
  if (cut.length) needs = 'any';
  else if (pos.length > 1 && forbids((y) => pos.forEach((c) => apply(y, c.from, c.to, 'smp_mb()')))) {
    needs = 'all';
    cut = pos.slice();
    for (const c of pos) {
      const rest = cut.filter((k) => k !== c);
      if (forbids((y) => rest.forEach((k) => apply(y, k.from, k.to, 'smp_mb()')))) cut = rest;
    }
  }
  const rel = m.relationsWithCo(x, co);
  const orderedBy = (a: Ev, b: Ev): string | null => {
    if (!rel) return null;
    const pa = parts(a);
    const pb = parts(b);
    const has = (name: string) => rel(name).some(([p, q]) => pa.includes(p) && pb.includes(q));
    for (const name of ORDERING) if (has(name)) return name === 'ppo' ? `ppo${DEPS.filter(has).map((d) => `, ${d} dependency`).join('')}` : name;
    return null;
  };
  const orderings: MissingOrdering[] = pos.map((c) => {
    const declared = declaredDep(x, parts(c.from)[0]!, parts(c.to));
    if (!cut.includes(c)) return { from: c.from, to: c.to, fixes: [], declared, orderedBy: orderedBy(c.from, c.to) };
    const others = needs === 'all' ? cut.filter((k) => k !== c) : [];
    const fixes = candidates(c.from, c.to).filter((f) => forbids((y) => {
      for (const k of others) apply(y, k.from, k.to, 'smp_mb()');
      apply(y, c.from, c.to, f.fix);
    }));
    return { from: c.from, to: c.to, fixes, declared, orderedBy: orderedBy(c.from, c.to) };
  });
  return { sc: false, cycle, stale, orderings, needs, text: explanationText(cycle, stale, orderings, needs, describe, thread) };
}

/** The dependency kinds worth trying on a po edge from a read (data only to a write). */
function candidatesTried(o: MissingOrdering): string[] {
  if (o.from.kind !== EvKind.Read) return [];
  return o.to.kind === EvKind.Write ? ['addr', 'data', 'ctrl'] : ['addr', 'ctrl'];
}

function declaredDep(x: Execution, a: number, bs: number[]): string | null {
  for (const k of ['addr', 'data', 'ctrl'] as const) if (x[k].some(([p, q]) => p === a && bs.includes(q))) return k;
  return null;
}

function explanationText(
  cycle: WeakExplanation['cycle'],
  stale: WeakExplanation['stale'],
  orderings: MissingOrdering[],
  needs: WeakExplanation['needs'],
  describe: (e: Ev) => string,
  thread: (tid: number) => string,
): string[] {
  const at = (e: Ev) => `${e.tid < 0 ? 'init' : thread(e.tid)} ${describe(e)}`;
  const lines = ['weak memory: this execution is not sequentially consistent; the cycle of program order and communication:'];
  lines.push(`  ${at(cycle[0]!.from)}`, ...cycle.map((c) => `    →${c.rel} ${at(c.to)}`));
  for (const s of stale) {
    lines.push(`stale read: ${at(s.read)} reads ${s.source ? `the value of ${at(s.source)}` : 'the initial value'}, which ${at(s.overwrittenBy)} overwrites, although the cycle puts that write before this read`);
  }
  const cut = orderings.filter((o) => o.fixes.length);
  if (needs === 'none') {
    lines.push('no single barrier on the program-order edges of this cycle, nor one on each, makes the LKMM forbid this execution');
  } else {
    lines.push(needs === 'any'
      ? `missing ordering: ordering ${cut.length === 1 ? 'this edge' : 'any one of these edges'} makes the LKMM forbid this execution`
      : 'missing ordering: only ordering every one of these edges together makes the LKMM forbid this execution');
  }
  for (const o of orderings) {
    const pair = `${thread(o.from.tid)}: ${describe(o.from)} →po ${describe(o.to)}`;
    if (!o.fixes.length) {
      lines.push(`  ${pair}: ${o.orderedBy ? `already ordered (${o.orderedBy})` : 'ordering it alone would not forbid this execution'}${o.declared ? `; ${an(o.declared)} dependency is declared` : ''}`);
      continue;
    }
    const barriers = o.fixes.filter((f) => f.kind === 'barrier').map((f) => f.fix);
    const deps = o.fixes.filter((f) => f.kind === 'dependency').map((f) => f.fix);
    lines.push(`  ${pair}: unordered; ${barriers.length ? `a barrier forbids it (${barriers.join(', ')})` : 'no barrier'}`);
    const tried = candidatesTried(o);
    const useless = tried.filter((d) => !deps.includes(d));
    const not = useless.length ? `; ${useless.map(an).join(' or ')} dependency would not` : '';
    if (o.declared) lines.push(`    ${an(o.declared)} dependency is declared with t.depends(), and the LKMM does not order this pair by it`);
    else if (deps.length) lines.push(`    or, if the code has one, ${deps.map(an).join(' or ')} dependency declared with t.depends() (the LKMM credits only declared ones${not})`);
    else if (tried.length) lines.push(`    no dependency would: the LKMM does not order this pair by ${tried.map(an).join(', ')} dependency`);
  }
  return lines;
}
