// The execution graph: events per thread (po), reads-from (rf) and coherence order (co) per
// location, with insertion stamps. Pure data; the explorer and the memory models work on it.
import type { OpKind, RmwKind, Mode, ThreadFn, Val } from './ops.ts';

export const EvKind = {
  Init: 0,
  Read: 1,
  Write: 2,
  Fence: 3,
  Spawn: 4,
  Join: 5,
  End: 6,
  Block: 7,
  Error: 8,
} as const;
export type EvKind = (typeof EvKind)[keyof typeof EvKind];

/** What a write does to its memory's lifetime (Ev.life). */
export const Life = { None: 0, Alloc: 1, Free: 2 } as const;

export const BlockReason = { Assume: 0, Await: 1, Lock: 2 } as const;
export type BlockReason = (typeof BlockReason)[keyof typeof BlockReason];

/** The view of Init events (never read: inView treats tid -1 as always inside). */
const NO_VIEW: number[] = [];
/** copyKeeping's graphs start with no location (see there). */
const NO_VALS: Val[] = [];

/**
 * An empty list of a write's readers that V8 already holds as a list of objects. `[]` makes a
 * list of small integers, turned into one of objects by its first push of a read, and optimized
 * code that had met only the first kind was thrown away at that change and compiled again
 * (--trace-deopt: setRf "not a Smi" in big0 and lastzero; in lastzero also Graph.push, addRead
 * and addWrite, which inline `[]`, for "code dependencies").
 */
function noReaders(w: Ev): Ev[] {
  const a = [w];
  a.pop();
  return a;
}

/**
 * One event of an execution graph: an access, fence, spawn, join, end, block or failed
 * assertion of one thread. Exposed read-only in results (the trace writer reads it); its shape
 * follows the explorer's needs and may change.
 * @opaque
 */
export class Ev {
  /** Position in the graph's stamp order (the order events were added). Init events: -1. */
  stamp = -1;
  loc = -1;
  mode: Mode = 0 as Mode;
  /** Write: the value written. Read: the value read (rf.val). Spawn: child tid. Join: target tid. End: 0. */
  val: Val = 0;
  rf: Ev | null = null;
  /** Write: the reads that read from it, in stamp order. */
  readers: Ev[] | null = null;
  /** Write: its index in co(loc). */
  coPos = 0;
  /** Part of a read-modify-write (lock acquisition included). */
  excl = false;
  revisitable = true;
  /** Per thread, the largest idx of that thread's events in porf-prefix(e) ∪ {e}. */
  view: number[];
  /** The operation that produced the event (for replay checks and traces). */
  opKind: OpKind = 0 as OpKind;
  rmw: RmwKind = 0 as RmwKind;
  /** Fence kind; Error: the assertion message; Block: the reason's name; Spawn: the child's name. */
  tag: string | null = null;
  /** Error: the id of the property the failed assertion checks (an invariant id), or null. */
  inv: string | null = null;
  /** Fence: the primitive's name for traces (smp_mb__after_atomic …), or null. */
  label: string | null = null;
  /** Write: Life.Alloc (initializes reallocated memory), Life.Free (frees it) or 0 (a plain write). */
  life = 0;
  /** Free: the function that called the freeing function, for naming the free site. */
  caller: string | null = null;
  /**
   * Spawn: the child's body, as the parent's run that made this event yielded it. Kept on the
   * event, not on the child's runtime, because the closure may capture what the parent read: a
   * graph's child runs the body its own parent prefix produced.
   */
  body: ThreadFn | null = null;
  fn: string | null = null;
  /** Which declaration of `fn` (Ctx.fnId), or -1. */
  fnId = -1;
  block: BlockReason = 0 as BlockReason;
  /** A declared dependency on the thread's latest earlier read of depLoc (DepKind; 0 = none). */
  dep = 0;
  depLoc = -1;
  /** DFS mark (epoch) for the models' cycle check (models/cycle.ts). */
  mark = 0;
  /** Scratch pointer used while copying a graph. */
  copy: Ev | null = null;
  /**
   * Symmetry reduction (symmetry.ts, Symmetry.symPredIdx): the index of the event of the
   * symmetric predecessor thread whose prefix this event's prefix takes in, fixed when the event
   * is added; -1: none; -2: not computed (no symmetry reduction, or not yet).
   */
  symIdx = -2;
  /**
   * Symmetry reduction: this event's SPORE prefix (Explorer.prefixOf), computed once and shared
   * by copies as the view is; null: not computed, or the view changed (Explorer.resetView).
   */
  sview: number[] | null = null;

  /** nthreads < 0: the caller sets the view (copies); Init events share one empty view. */
  constructor(readonly kind: EvKind, readonly tid: number, readonly idx: number, nthreads: number) {
    if (nthreads <= 0) {
      this.view = NO_VIEW;
      return;
    }
    const v: number[] = [];
    for (let i = 0; i < nthreads; i++) v.push(-1);
    this.view = v;
  }
}

/** Is event x (of thread x.tid, position x.idx) inside the porf-view v? Init is always inside. */
export function inView(v: number[], x: Ev): boolean {
  return x.tid < 0 || (x.tid < v.length && v[x.tid] >= x.idx);
}

/** e.view := e.view ⊔ from (growing e's view when `from` knows more threads). */
export function joinView(e: Ev, from: number[]): void {
  const into = e.view;
  while (into.length < from.length) into.push(-1);
  for (let i = 0; i < from.length; i++) if (from[i] > into[i]) into[i] = from[i];
}

/** A copy of e for another graph (copyKeeping): same labels and view; no stamp, rf, readers or co yet. */
function copyEv(e: Ev): Ev {
  const c = new Ev(e.kind, e.tid, e.idx, -1);
  c.view = e.view;
  c.loc = e.loc; c.mode = e.mode; c.val = e.val; c.excl = e.excl;
  c.revisitable = e.revisitable; c.opKind = e.opKind; c.rmw = e.rmw;
  c.tag = e.tag; c.inv = e.inv; c.label = e.label; c.life = e.life; c.caller = e.caller; c.body = e.body; c.fn = e.fn; c.fnId = e.fnId; c.block = e.block; c.dep = e.dep; c.depLoc = e.depLoc; c.symIdx = e.symIdx; c.sview = e.sview;
  e.copy = c;
  return c;
}

/** Removes from `list`, in place and in order, the events not kept (copy === null) and `drop`. */
function keepIn(list: Ev[], drop: Ev | null): void {
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    const e = list[k];
    if (e.copy !== null && e !== drop) list[n++] = e;
  }
  // pop(), not `list.length = n`: setting an array's length is a call into the runtime (about
  // 0.1 µs even when nothing changes), and a backward revisit does this for every list it keeps.
  while (list.length > n) list.pop();
}

/** The copies (Ev.copy) of the events of `list` that have one, `drop` left out, in order. */
function copiesOf(list: Ev[], drop: Ev | null): Ev[] {
  const out = list.slice();
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    const e = list[k];
    if (e.copy !== null && e !== drop) out[n++] = e.copy;
  }
  while (out.length > n) out.pop(); // see keepIn
  return out;
}

/** copiesOf for each list of `lists` (per thread or per location). */
function listsOf(lists: Ev[][], drop: Ev | null): Ev[][] {
  const out = lists.slice();
  for (let i = 0; i < lists.length; i++) out[i] = copiesOf(lists[i], drop);
  return out;
}

/** The copy of write (or Init) w gets its kept readers' copies, which get it as their source. */
function linkReaders(w: Ev, revisited: Ev | null): void {
  const c = w.copy as Ev;
  const rs = copiesOf(w.readers as Ev[], revisited);
  for (let k = 0; k < rs.length; k++) rs[k].rf = c;
  c.readers = rs;
}

/**
 * A compare-and-swap read taken out of the graph by a backward revisit that made it fail
 * (docs/design/exploration.md §3.2): thread `tid` is back before its event `idx` (the CAS is its
 * pending op again) while its length is `idx`; the read stood at stamp position `gs` (events
 * with a smaller stamp came before it) and read `w`. The explorer (Explorer.ghost…) adds the
 * read again later, from w or a write porf-after w only. A read added again and taken out again
 * keeps the first position (Explorer.outAgain): for every ghost, the events from gs to w are w's
 * porf-prefix, as a revisit of the read standing at gs leaves them (moveAfter).
 */
export interface Ghost {
  tid: number;
  idx: number;
  w: Ev;
  gs: number;
}

export interface ThreadSlot {
  /** Threads declared in the program exist from the start; others exist while their Spawn does. */
  isStatic: boolean;
  /** The Spawn event that created the thread (null if static or not spawned in this graph). */
  spawn: Ev | null;
}

/**
 * An execution graph: events per thread (po), reads-from and coherence order per location. A
 * violation's graph is handed out read-only for rendering; its shape may change.
 * @opaque
 */
export class Graph {
  threads: Ev[][] = [];
  slots: ThreadSlot[] = [];
  inits: Ev[] = [];
  co: Ev[][] = [];
  reads: Ev[][] = [];
  byStamp: Ev[] = [];
  /** The Join events, in stamp order (so a thread's End finds its joiners without a scan). */
  joins: Ev[] = [];
  /** Per location, the object it belongs to (Instance.locObj), or null when there are none. */
  locObj: Int32Array | null = null;
  /** CAS reads taken out by a failing backward revisit (Ghost), or null: none. */
  ghosts: Ghost[] | null = null;

  constructor(initVals: Val[], nStatic: number) {
    for (let l = 0; l < initVals.length; l++) {
      const e = new Ev(EvKind.Init, -1, 0, 0);
      e.loc = l;
      e.val = initVals[l];
      e.readers = noReaders(e);
      this.inits.push(e);
      this.co.push([e]);
      this.reads.push([]);
    }
    for (let t = 0; t < nStatic; t++) {
      this.threads.push([]);
      this.slots.push({ isStatic: true, spawn: null });
    }
  }

  /** Thread ids are stable for a whole exploration; a graph grows its slots to know new ones. */
  ensureThreads(n: number): void {
    while (this.threads.length < n) {
      this.threads.push([]);
      this.slots.push({ isStatic: false, spawn: null });
    }
  }

  exists(tid: number): boolean {
    const s = this.slots[tid];
    return s.isStatic || s.spawn !== null;
  }

  get nthreads(): number {
    return this.threads.length;
  }

  last(tid: number): Ev | null {
    const a = this.threads[tid];
    return a.length ? a[a.length - 1] : null;
  }

  /** A new event at the end of thread tid, with its view initialised from the po-predecessor. */
  newEvent(kind: EvKind, tid: number): Ev {
    const th = this.threads[tid];
    const n = this.threads.length;
    const prev = th.length ? th[th.length - 1] : this.slots[tid].spawn;
    const e = new Ev(kind, tid, th.length, prev ? -1 : n);
    if (prev) {
      // The po-predecessor's view, copied in one go (it may know fewer threads than exist).
      const v = prev.view.slice();
      while (v.length < n) v.push(-1);
      e.view = v;
    }
    e.view[tid] = e.idx;
    return e;
  }

  /** Appends e (created by newEvent) to its thread and the stamp order. */
  push(e: Ev): void {
    e.stamp = this.byStamp.length;
    this.byStamp.push(e);
    this.threads[e.tid].push(e);
    if (e.kind === EvKind.Read) this.reads[e.loc].push(e);
    else if (e.kind === EvKind.Write) e.readers = noReaders(e);
    else if (e.kind === EvKind.Join) this.joins.push(e);
  }

  setRf(r: Ev, w: Ev): void {
    r.rf = w;
    r.val = w.val;
    (w.readers as Ev[]).push(r);
    joinView(r, w.view);
  }

  /** Inserts write w into co(loc) immediately after position p. */
  insertCo(w: Ev, p: number): void {
    // By hand, not splice: splice allocates the array of what it removed, even when empty.
    const list = this.co[w.loc];
    list.push(w);
    for (let i = list.length - 1; i > p + 1; i--) {
      const x = list[i - 1];
      x.coPos = i;
      list[i] = x;
    }
    list[p + 1] = w;
    w.coPos = p + 1;
  }

  removeCo(w: Ev): void {
    const list = this.co[w.loc];
    for (let i = w.coPos + 1; i < list.length; i++) {
      const x = list[i];
      x.coPos = i - 1;
      list[i - 1] = x;
    }
    list.pop(); // see keepIn
  }

  /** Detaches read r from its source (r must be the newest reader of that source). */
  unsetRf(r: Ev): void {
    const w = r.rf;
    if (!w) return;
    const rs = w.readers as Ev[];
    if (rs[rs.length - 1] === r) rs.pop();
    else rs.splice(rs.indexOf(r), 1);
    r.rf = null;
  }

  /** Removes every event whose stamp is greater than s (always the newest first). */
  restrict(s: number, onRemove: (e: Ev) => void): void {
    const bs = this.byStamp;
    while (bs.length > s + 1) {
      const e = bs.pop() as Ev;
      this.threads[e.tid].pop();
      if (e.kind === EvKind.Read) {
        this.unsetRf(e);
        this.reads[e.loc].pop();
      } else if (e.kind === EvKind.Write) {
        this.removeCo(e);
      } else if (e.kind === EvKind.Spawn) {
        this.slots[e.val].spawn = null;
      } else if (e.kind === EvKind.Join) {
        this.joins.pop();
      }
      onRemove(e);
    }
  }

  /**
   * The graph made of the events `keep` accepts (a porf-closed set), in stamp order, with `last`
   * moved to the newest stamp. rf and co are carried over; `last` (a write) is left out of co.
   *
   * Views are shared with this graph, not copied: a view never changes once its event has its
   * source, except a read's when it gets a new one, and resetView (explore.ts) then gives the
   * read a fresh array. This is a backward revisit's main cost, so it avoids closures too.
   */
  copyKeeping(keep: (e: Ev) => boolean, last: Ev | null, revisited: Ev | null): Graph {
    // Made by the constructor (with nothing to set up), not Object.create: a graph made otherwise
    // has another hidden class, and the explorer's code, optimized for the first graph's, would
    // be deoptimized ("wrong map") at the first copy and then run on two kinds of graph.
    const g = new Graph(NO_VALS, 0);
    // Every list is made by slicing its original (copiesOf): an array of the right size at once,
    // where pushing into [] reserves 17 slots at the first push and grows again past them. The
    // lists are about half of what a copy allocates (big0: 18 events, 4 threads, 4 locations).
    const inits = this.inits.slice();
    for (let l = 0; l < inits.length; l++) {
      const i = inits[l];
      const c = new Ev(EvKind.Init, -1, 0, 0);
      c.loc = i.loc;
      c.val = i.val;
      c.life = i.life;
      i.copy = c;
      inits[l] = c;
    }
    const src = this.byStamp;
    const byStamp = src.slice();
    let n = 0;
    for (let k = 0; k < src.length; k++) {
      const e = src[k];
      if (e === last || !keep(e)) { e.copy = null; continue; }
      const c = copyEv(e);
      c.stamp = n;
      byStamp[n++] = c;
    }
    if (last) {
      const lc = copyEv(last);
      lc.stamp = n;
      byStamp[n++] = lc;
    }
    while (byStamp.length > n) byStamp.pop(); // see keepIn
    // A kept set is porf-closed and `last` is the newest of its thread's kept events (nothing
    // po-after it is kept), so each thread's copies stay in po order with `last` at the end.
    g.threads = listsOf(this.threads, null);
    const slots = g.slots;
    for (let t = 0; t < this.slots.length; t++) {
      const s = this.slots[t];
      slots.push({ isStatic: s.isStatic, spawn: s.spawn ? s.spawn.copy : null });
    }
    g.inits = inits;
    g.byStamp = byStamp;
    g.reads = listsOf(this.reads, null);
    g.joins = copiesOf(this.joins, null);
    const co = listsOf(this.co, last);
    for (let l = 0; l < co.length; l++) {
      const list = co[l];
      for (let p = 0; p < list.length; p++) list[p].coPos = p;
    }
    g.co = co;
    // rf and readers: a kept read other than `revisited` keeps its source (kept too: porf-closed);
    // readers stay in their order, the reads' stamp order, as push and setRf keep them.
    for (let l = 0; l < this.inits.length; l++) linkReaders(this.inits[l], revisited);
    for (let k = 0; k < src.length; k++) {
      const e = src[k];
      if (e.kind === EvKind.Write && e.copy !== null) linkReaders(e, revisited);
    }
    g.locObj = this.locObj;
    return g;
  }

  /**
   * copyKeeping's result built from this graph's own events, for a graph no one needs any more
   * (a backward revisit popped from a frame with nothing else left to explore): the same graph
   * with nothing allocated. Events not kept are left detached; `copy` marks the kept ones.
   */
  keepOnly(keep: (e: Ev) => boolean, last: Ev | null, revisited: Ev | null): Graph {
    const bs = this.byStamp;
    for (const i of this.inits) i.copy = i;
    let n = 0;
    for (let k = 0; k < bs.length; k++) {
      const e = bs[k];
      if (e === last || !keep(e)) { e.copy = null; continue; }
      e.copy = e;
      e.stamp = n;
      bs[n++] = e;
    }
    if (last) {
      last.copy = last;
      last.stamp = n;
      bs[n++] = last;
    }
    while (bs.length > n) bs.pop(); // see keepIn
    // A kept set is porf-closed, so each thread loses a suffix of its events.
    for (const th of this.threads) while (th.length && th[th.length - 1].copy === null) th.pop();
    for (const s of this.slots) if (s.spawn && s.spawn.copy === null) s.spawn = null;
    for (const list of this.reads) keepIn(list, null);
    keepIn(this.joins, null);
    for (const list of this.co) {
      keepIn(list, last);
      for (let p = 0; p < list.length; p++) list[p].coPos = p;
    }
    for (const i of this.inits) keepIn(i.readers as Ev[], revisited);
    for (let k = 0; k < n; k++) if (bs[k].kind === EvKind.Write) keepIn(bs[k].readers as Ev[], revisited);
    if (revisited) revisited.rf = null;
    return this;
  }

  /**
   * Moves the events from stamp `from` on that `first` rejects after those it accepts, each group
   * in its order (a read taken out a second time, Explorer.apply). Rare: it allocates. The caller
   * guarantees that po stays within stamp order (a thread's accepted events precede its others).
   */
  moveAfter(from: number, first: (e: Ev) => boolean): void {
    const bs = this.byStamp;
    const a: Ev[] = [];
    const b: Ev[] = [];
    for (let k = from; k < bs.length; k++) (first(bs[k]) ? a : b).push(bs[k]);
    if (b.length === 0) return;
    let n = from;
    for (const e of a) { e.stamp = n; bs[n++] = e; }
    for (const e of b) { e.stamp = n; bs[n++] = e; }
    const byStamp = (x: Ev, y: Ev): number => x.stamp - y.stamp;
    for (const list of this.reads) list.sort(byStamp);
    this.joins.sort(byStamp);
    for (const i of this.inits) (i.readers as Ev[]).sort(byStamp);
    for (const e of bs) if (e.kind === EvKind.Write) (e.readers as Ev[]).sort(byStamp);
  }

  /** A full copy (for keeping a counterexample while exploration goes on). */
  clone(): Graph {
    return this.copyKeeping(() => true, null, null);
  }

  /** The co-last write of each location (the final memory). */
  finalValue(loc: number): Val {
    const list = this.co[loc];
    return list[list.length - 1].val;
  }
}
