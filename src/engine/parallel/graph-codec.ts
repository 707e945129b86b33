// An execution graph as plain JSON and back, so that a counterexample found in a worker thread
// or in a shard reaches the main thread or `mmcheck merge` as the very graph one run would
// report (trace, memory, schedule and --trace all come from it), not a re-run of its schedule;
// and so that a part of a search handed off to another thread (steal.ts) goes on from the very
// graph the explorer that handed it off had.
import { Ev, Graph, Life, type BlockReason, type EvKind } from '../graph.ts';
import type { Mode, OpKind, RmwKind } from '../ops.ts';

export interface EncodedGraph {
  inits: number[];
  /** Locations whose initial memory is not allocated (Builder.object's `unallocated`). */
  initFreed?: number[];
  /** Per thread slot: 1 if declared in the program, and the stamp of its Spawn (-1: none). */
  slots: [number, number][];
  /**
   * Events in stamp order: kind, tid, idx, loc, mode, val, rf (a write's stamp, or -1 - loc for
   * the location's initial value, or null), excl, revisitable, view, opKind, rmw, tag, fn, block,
   * dep, depLoc, inv, label, life, caller, fnId, symIdx. A Spawn's body (a closure) is not carried: what is made of a
   * decoded graph (a report: trace, memory, schedule) re-runs the program for bodies.
   */
  events: unknown[][];
  /** Per location, the stamps of its writes in coherence order (after the initial value). */
  co: number[][];
  /** CAS reads taken out (Graph.ghosts): tid, idx, the stamp of the write read, gs. */
  ghosts?: [number, number, number, number][];
}

export function encodeGraph(g: Graph): EncodedGraph {
  const ref = (w: Ev | null): number | null => (w === null ? null : w.tid < 0 ? -1 - w.loc : w.stamp);
  return {
    inits: g.inits.map((i) => i.val),
    initFreed: g.inits.filter((i) => i.life !== 0).map((i) => i.loc),
    slots: g.slots.map((s) => [s.isStatic ? 1 : 0, s.spawn ? s.spawn.stamp : -1]),
    events: g.byStamp.map((e) => [e.kind, e.tid, e.idx, e.loc, e.mode, e.val, ref(e.rf), e.excl ? 1 : 0, e.revisitable ? 1 : 0,
      e.view, e.opKind, e.rmw, e.tag, e.fn, e.block, e.dep, e.depLoc, e.inv, e.label, e.life, e.caller, e.fnId, e.symIdx]),
    co: g.co.map((list) => list.slice(1).map((w) => w.stamp)),
    ...(g.ghosts !== null ? { ghosts: g.ghosts.map((gh): [number, number, number, number] => [gh.tid, gh.idx, gh.w.stamp, gh.gs]) } : {}),
  };
}

/**
 * A copy of a decoded array of small integers built as the explorer builds its own (push by push):
 * an array from another thread (structured clone) has another elements kind, so the explorer's
 * code, seeing both kinds, would be deoptimized and compiled again ("wrong map").
 */
function smis(a: readonly number[]): number[] {
  const v: number[] = [];
  for (let i = 0; i < a.length; i++) v.push(a[i]);
  return v;
}

export function decodeGraph(x: EncodedGraph): Graph {
  const nStatic = x.slots.filter((s) => s[0] === 1).length;
  const g = new Graph(x.inits, nStatic);
  for (const l of x.initFreed ?? []) g.inits[l].life = Life.Free;
  g.ensureThreads(x.slots.length);
  for (const f of x.events) {
    const e = new Ev(f[0] as EvKind, f[1] as number, f[2] as number, -1);
    e.loc = f[3] as number;
    e.mode = f[4] as Mode;
    e.val = f[5] as number;
    e.excl = f[7] === 1;
    e.revisitable = f[8] === 1;
    e.view = smis(f[9] as number[]);
    e.opKind = f[10] as OpKind;
    e.rmw = f[11] as RmwKind;
    e.tag = f[12] as string | null;
    e.fn = f[13] as string | null;
    e.block = f[14] as BlockReason;
    e.dep = f[15] as number;
    e.depLoc = f[16] as number;
    e.inv = (f[17] ?? null) as string | null;
    e.label = (f[18] ?? null) as string | null;
    e.life = (f[19] ?? 0) as number;
    e.caller = (f[20] ?? null) as string | null;
    e.fnId = (f[21] ?? -1) as number;
    e.symIdx = (f[22] ?? -2) as number;
    g.push(e);
  }
  const at = (r: number): Ev => (r < 0 ? g.inits[-1 - r] : g.byStamp[r]);
  x.events.forEach((f, s) => {
    const r = f[6] as number | null;
    if (r === null) return;
    const e = g.byStamp[s];
    const w = at(r);
    e.rf = w;
    (w.readers as Ev[]).push(e);
  });
  x.co.forEach((stamps, loc) => {
    const list = g.co[loc];
    for (const s of stamps) list.push(g.byStamp[s]);
    list.forEach((w, p) => { w.coPos = p; });
  });
  x.slots.forEach(([isStatic, spawn], t) => {
    g.slots[t].isStatic = isStatic === 1;
    g.slots[t].spawn = spawn >= 0 ? g.byStamp[spawn] : null;
  });
  if (x.ghosts) g.ghosts = x.ghosts.map(([tid, idx, w, gs]) => ({ tid, idx, w: g.byStamp[w], gs }));
  return g;
}
