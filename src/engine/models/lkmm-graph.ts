// The LKMM as a memory model of the explorer (docs/design/exploration.md §7.3, "porf-acyclic fragment"):
// exploration runs under coherence + atomicity with porf acyclic by construction, and every
// leaf is checked against the full linux-kernel.cat with the graph's own co. What this does not
// cover, and the output says so: load-buffering executions (po ∪ rf cycles), which a
// generator-driven exploration cannot build. Dependencies are those a scenario declares with
// t.depends() (toExecution passes them on as addr/data/ctrl); a dependency the code has but the
// scenario does not declare is not credited.
import { EvKind, type Ev, type Graph } from '../graph.ts';
import { Mode, OpKind } from '../ops.ts';
import type { Execution, XEvent, XKind } from '../../axiomatic/execution.ts';
import { loadLkmm } from '../../axiomatic/lkmm/index.ts';
import { onCycle } from './cycle.ts';
import { explainWeak } from './lkmm-explain.ts';
import { coherence } from './tso.ts';
import type { MemoryModel } from './model.ts';

function accessAnnot(e: Ev, isWrite: boolean): string {
  switch (e.mode) {
    case Mode.Plain: return '';
    case Mode.Acquire: return isWrite ? 'ONCE' : 'ACQUIRE';
    case Mode.Release: return isWrite ? 'RELEASE' : 'ONCE';
    case Mode.Mb: case Mode.AcqRel: return 'MB';
    default: return 'ONCE';
  }
}

function rmwAnnot(e: Ev): string {
  switch (e.mode) {
    case Mode.Mb: case Mode.AcqRel: return 'MB';
    case Mode.Acquire: return 'ACQUIRE';
    case Mode.Release: return 'RELEASE';
    default: return 'ONCE';
  }
}

const FENCE: Record<string, string> = { mb: 'MB' };

/**
 * A read-side section still open at the end of a thread's events is closed there, with
 * F[rcu-unlock] events after its last one. Every such thread is one the check sees unfinished (a
 * violation or a block stopped it inside the section, or the search is judging a prefix) or one
 * that ended inside a section. The cat leaves an unmatched rcu-lock out of rcu-rscs, which would
 * let a grace period span it: a reader that stopped at a use-after-free inside its section would
 * then be reported even where the grace period's guarantee rules that execution out. Closing it
 * at its end is what any extension of the thread has to do anyway (everything of the section
 * seen so far is po-before the unlock to come), so no execution the kernel allows is lost.
 */
function closeSections(th: Ev[], open: number, events: XEvent[]): void {
  if (open === 0 || th.length === 0) return;
  const last = th[th.length - 1];
  for (let i = 1; i <= open; i++) {
    events.push({ id: events.length, tid: last.tid, poIndex: last.idx + i, kind: 'F', loc: null, value: 0, annot: 'rcu-unlock', atomic: false });
  }
}

/**
 * The graph as herd's C front end would have produced it (see execution.ts). With `view`, only
 * its porf-closed part: of thread t, the events with idx <= view[t] (none when t >= view.length).
 */
export function toExecution(g: Graph, view?: readonly number[]): { x: Execution; co: [number, number][]; ids: Map<Ev, number> } {
  const kept = (t: number): number => {
    const len = g.threads[t]?.length ?? 0;
    return view === undefined ? len : t < view.length ? Math.min(view[t] + 1, len) : 0;
  };
  const events: XEvent[] = [];
  const id = new Map<Ev, number>();
  const add = (e: Ev | null, kind: XKind, tid: number, po: number, loc: number, value: number, annot: string, atomic: boolean): number => {
    const n = events.length;
    events.push({ id: n, tid, poIndex: po, kind, loc: loc < 0 ? null : `l${loc}`, value, annot, atomic });
    if (e) id.set(e, n);
    return n;
  };
  g.inits.forEach((i, l) => add(i, 'W', -1, 0, l, i.val, '', false));
  const rfSrc: [Ev, number][] = [];
  const rmw: [number, number][] = [];
  const deps: [number, number][][] = [[], [], [], []];
  for (let t = 0; t < g.threads.length; t++) {
    const n = kept(t);
    const th = n === g.threads[t].length ? g.threads[t] : g.threads[t].slice(0, n); // closeSections reads its end
    let open = 0; // rcu-lock fences not yet matched by an rcu-unlock
    for (let k = 0; k < n; k++) {
      const e = th[k];
      const next = th[k + 1];
      switch (e.kind) {
        case EvKind.Read: {
          const wpart = next && next.kind === EvKind.Write && next.excl ? next : null;
          if (e.opKind === OpKind.Lock || e.opKind === OpKind.Trylock) {
            if (wpart) {
              add(e, 'LKR', e.tid, e.idx, e.loc, 0, '', false);
              add(wpart, 'LKW', e.tid, wpart.idx, e.loc, 1, '', false);
              k++;
            } else {
              add(e, 'LF', e.tid, e.idx, e.loc, e.val, '', false);
            }
          } else if (e.opKind === OpKind.Rmw) {
            const a = rmwAnnot(e);
            const r = add(e, 'R', e.tid, e.idx, e.loc, e.val, a, true);
            rfSrc.push([e.rf as Ev, r]);
            if (wpart) {
              const w = add(wpart, 'W', e.tid, wpart.idx, e.loc, wpart.val, a, true);
              rmw.push([r, w]);
              k++;
            }
          } else {
            const r = add(e, 'R', e.tid, e.idx, e.loc, e.val, accessAnnot(e, false), false);
            rfSrc.push([e.rf as Ev, r]);
          }
          break;
        }
        case EvKind.Write:
          if (e.opKind === OpKind.Unlock) add(e, 'UL', e.tid, e.idx, e.loc, 0, '', false);
          else add(e, 'W', e.tid, e.idx, e.loc, e.val, accessAnnot(e, true), false);
          break;
        case EvKind.Fence:
          add(e, 'F', e.tid, e.idx, -1, 0, FENCE[e.tag as string] ?? (e.tag as string), false);
          if (e.tag === 'rcu-lock') open++;
          else if (e.tag === 'rcu-unlock' && open > 0) open--;
          break;
        default:
          break; // end/block/error carry no memory semantics in the LKMM
      }
    }
    closeSections(th, open, events);
  }
  // Spawn and join order like thread creation and pthread_join(): everything the parent did
  // before the spawn happens before the child's first step, and everything the child did before
  // the join. The LKMM has no threads that start or end, so each edge is written as a release
  // store and an acquire load of a location of its own (as a litmus test would synchronize).
  const sync = (from: { tid: number; po: number }, to: { tid: number; po: number }, name: string): void => {
    events.push({ id: events.length, tid: -1, poIndex: 0, kind: 'W', loc: name, value: 0, annot: '', atomic: false });
    const w = events.length;
    events.push({ id: w, tid: from.tid, poIndex: from.po, kind: 'W', loc: name, value: 1, annot: 'RELEASE', atomic: false });
    const r = events.length;
    events.push({ id: r, tid: to.tid, poIndex: to.po, kind: 'R', loc: name, value: 1, annot: 'ACQUIRE', atomic: false });
    syncRf.push([w, r]);
    co.push([w - 1, w]);
  };
  const syncRf: [number, number][] = [];
  const co: [number, number][] = [];
  for (let t = 0; t < g.threads.length; t++) {
    const th = g.threads[t];
    for (let k = 0, n = kept(t); k < n; k++) {
      const e = th[k];
      if (e.kind === EvKind.Spawn && g.threads[e.val] && kept(e.val) > 0) sync({ tid: e.tid, po: e.idx }, { tid: e.val, po: -1 }, `spawn${e.val}`);
      else if (e.kind === EvKind.Join) {
        const c = g.threads[e.val];
        const cn = c ? kept(e.val) : 0;
        if (cn > 0) sync({ tid: e.val, po: c[cn - 1].idx }, { tid: e.tid, po: e.idx }, `join${e.val}by${e.tid}`);
      }
    }
  }
  // Declared dependencies: from the thread's latest earlier read of depLoc to the event.
  for (let t = 0; t < g.threads.length; t++) {
    const th = g.threads[t];
    for (let k = 0, n = kept(t); k < n; k++) {
      const e = th[k];
      if (!e.dep) continue;
      const to = id.get(e);
      if (to === undefined) continue;
      for (let i = e.idx - 1; i >= 0; i--) {
        const r = th[i];
        if (r.kind === EvKind.Read && r.loc === e.depLoc) {
          const from = id.get(r);
          if (from !== undefined) deps[e.dep].push([from, to]);
          break;
        }
      }
    }
  }
  // A read's source may belong to a later thread: resolve rf once every event has its id.
  const rf: [number, number][] = [...rfSrc.map(([w, r]): [number, number] => [id.get(w) as number, r]), ...syncRf];
  for (const list of g.co) {
    for (let i = 0; i < list.length; i++) {
      const a = id.get(list[i]);
      if (a === undefined) continue;
      for (let j = i + 1; j < list.length; j++) {
        const b = id.get(list[j]);
        if (b !== undefined) co.push([a, b]);
      }
    }
  }
  return { x: { events, rf, rmw, addr: deps[1], data: deps[2], ctrl: deps[3] }, co, ids: id };
}

/**
 * A key that identifies everything the model's answer depends on: the execution (events with
 * their attributes, rf, rmw, dependencies) and co.
 */
function checkKey(x: Execution, co: readonly (readonly [number, number])[]): string {
  let k = '';
  for (const e of x.events) k += `${e.tid},${e.poIndex},${e.kind},${e.loc},${e.value},${e.annot},${e.atomic ? 1 : 0};`;
  const rel = (r: readonly (readonly [number, number])[]): void => {
    k += '|';
    for (const [a, b] of r) k += `${a}>${b},`;
  };
  rel(x.rf);
  rel(x.rmw);
  rel(x.addr);
  rel(x.data);
  rel(x.ctrl);
  rel(co);
  return k;
}

/** Checks remembered (most recently used last). */
const CHECK_MEMO_SIZE = 1024;

export function lkmmModel(): MemoryModel {
  const m = loadLkmm();
  let lastFlags: string[] = [];
  // The search asks the model the same question many times: leaves that differ only in the
  // source of a blocked lock's read (toExecution leaves it out: lock.cat enumerates it) give the
  // same execution, and so does a porf-prefix reached again by another branch. On the
  // bug-history scenarios under the LKMM (B17: ~250 events, ~8 ms a check) about 60% of the
  // checks of an exploration repeat one of the last few hundred; the answer is a function of
  // (x, co), so it is looked up instead of computed again.
  // Only the verdict and the flags of the first consistent completion are used (flagsWithCo
  // stops there): null when the model rejects every completion.
  const memo = new Map<string, string[] | null>();
  const flagsWithCo = (x: Execution, co: [number, number][]): string[] | null => {
    const key = checkKey(x, co);
    let out = memo.get(key);
    if (out !== undefined) memo.delete(key);
    else {
      out = m.flagsWithCo(x, co);
      if (memo.size >= CHECK_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
    }
    memo.set(key, out);
    return out;
  };
  return {
    name: 'lkmm',
    counts:
      'execution graphs (po, rf, co) consistent under the LKMM (linux-kernel.cat, lkmmv2) — ' +
      'LKMM without load-buffering cycles (porf-acyclic fragment), dependencies as declared with t.depends()',
    porfCoherent: false,
    // Each step's check grows with the execution (1,280 events of one thread's stores: 21 s and
    // 136 MB; an unbounded loop reached the 4 GB heap limit, a V8 abort, before 10,000 events).
    maxEvents: 1000,
    // linux-kernel.cat's rcu axiom decides which grace periods readers may overlap.
    checkedFences: ['rcu-lock', 'rcu-unlock', 'sync-rcu'],
    consistentStep: (g, changed) => !onCycle(g, changed, coherence),
    consistentComplete: (g) => {
      const { x, co } = toExecution(g);
      const out = flagsWithCo(x, co);
      lastFlags = out ?? [];
      return out !== null;
    },
    // Monotone on porf-closed parts (exploration.md §7.5) except through lock.cat's enumerated rf
    // of a failed trylock or blocked lock (LF), which may pick an LKW outside the part: a part
    // with one is not judged.
    consistentPrefix: (g, view) => {
      const { x, co } = toExecution(g, view);
      for (const e of x.events) if (e.kind === 'LF') return true;
      return flagsWithCo(x, co) !== null;
    },
    flags: () => lastFlags,
    explainViolation: (g, describe, thread) => explainWeak(g, toExecution, describe, thread),
  };
}
