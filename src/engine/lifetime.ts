// Memory lifetime: which accesses reach freed memory. A location freed with t.free() holds a
// Free write; an access that reads it (or a store placed right after it in coherence order) is a
// use-after-free. Reallocation (t.alloc()) starts a new generation of the memory; an access whose
// address came from a pointer (declared with t.depends('addr', ptr)) written before that
// generation began is a use-after-free through a stale pointer, as memory tagging would catch it.
// The explorer asks at each read (and at each leaf for stores); replay asks the same questions,
// so a thread stops at the faulting access in both.
import { EvKind, Life, inView, type Ev, type Graph } from './graph.ts';
import { DepKind } from './ops.ts';

export const Fault = { None: 0, Freed: 1, Stale: 2, DoubleFree: 3 } as const;
export type Fault = (typeof Fault)[keyof typeof Fault];

/** The read of the pointer an access's address came from: the thread's latest read of depLoc. */
export function pointerRead(g: Graph, e: Ev): Ev | null {
  if (e.dep !== DepKind.Addr) return null;
  const th = g.threads[e.tid];
  for (let i = e.idx - 1; i >= 0; i--) {
    const x = th[i];
    if (x.kind === EvKind.Read && x.loc === e.depLoc) return x;
  }
  return null;
}

/**
 * The generation of a location's memory as write `w` (or, for init, the initial memory) left
 * it: the reallocations of the location in w's porf-prefix, w included. Counted over the prefix,
 * not over coherence order, so that the answer for an access never changes as the execution
 * grows (a later write may still be placed earlier in co), and replay asks the same question.
 */
function generation(list: readonly Ev[], w: Ev): number {
  if (w.tid < 0) return 0;
  let n = 0;
  for (let p = 1; p < list.length; p++) {
    const a = list[p];
    if (a.life === Life.Alloc && (a === w || inView(w.view, a))) n++;
  }
  return n;
}

/**
 * Is the memory `src` (the write an access reads from, or follows in co) a later generation than
 * the pointer the access went through? The pointer's generation: the reallocations of this
 * location before the pointer was written (in its porf-prefix).
 */
function stale(g: Graph, e: Ev, src: Ev): boolean {
  const list = g.co[e.loc];
  const memGen = generation(list, src);
  if (memGen === 0) return false;
  const p = pointerRead(g, e);
  if (p === null || p.rf === null) return false;
  return memGen > generation(list, p.rf);
}

/** The fault of read r (its source set), unless the access may see freed memory. */
export function readFault(g: Graph, r: Ev, freedOk: boolean): Fault {
  const w = r.rf as Ev;
  if (w.life === Life.Free) return freedOk ? Fault.None : Fault.Freed;
  if (r.dep !== DepKind.Addr || g.locObj === null || g.locObj[r.loc] < 0) return Fault.None;
  return stale(g, r, w) ? Fault.Stale : Fault.None;
}

/**
 * The fault of a write placed in co after `prev` (checked at leaves, where co is final): a store
 * or allocation after a free is fine only for Alloc (the allocator's reinitialization); a free
 * after a free is a double free; a store through a stale pointer is a stale-pointer fault.
 */
export function writeFault(g: Graph, w: Ev): Fault {
  if (w.coPos === 0 || w.life === Life.Alloc) return Fault.None;
  const prev = g.co[w.loc][w.coPos - 1];
  if (prev.life === Life.Free) return w.life === Life.Free ? Fault.DoubleFree : Fault.Freed;
  if (w.dep !== DepKind.Addr || g.locObj === null || g.locObj[w.loc] < 0) return Fault.None;
  return stale(g, w, prev) ? Fault.Stale : Fault.None;
}

/** The Free and Alloc writes of `e`'s location that explain a fault, for the message. */
export function faultWrites(g: Graph, e: Ev, src: Ev): { free: Ev | null; alloc: Ev | null } {
  const list = g.co[e.loc];
  let free: Ev | null = null, alloc: Ev | null = null;
  for (let p = src.coPos; p >= 1; p--) {
    const x = list[p];
    if (x.life === Life.Alloc && alloc === null) alloc = x;
    if (x.life === Life.Free) { free = x; break; }
  }
  return { free, alloc };
}
