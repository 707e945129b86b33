// --max-executions over several explorers: each counted leaf is claimed from a shared count
// (StealShared.leaf, SabShared.leaf). Explorers that reach the bound at once have each already
// counted their leaf when they claim it, so one that claims past the bound must take its leaf
// back — from its counts and from its class of violation — or the run counts up to jobs−1 more
// executions than the bound.
import type { Explorer } from '../explore.ts';

/** What a claim says of a leaf an explorer counted: go on; it counts and the explorers stop; it does not count (past the bound). */
export const LEAF_GO = 0, LEAF_STOP = 1, LEAF_OVER = 2;

/**
 * A leaf claimed from the count a[leaves] of a shared array whose a[max] is the bound (0: none):
 * LEAF_OVER past the bound; LEAF_STOP at it (storing haltValue at a[halt]) or when a[halt]
 * already holds haltValue; else LEAF_GO. (SabShared and StealShared keep their counts so.)
 */
export function claimLeaf(a: Int32Array, leaves: number, max: number, halt: number, haltValue: number): number {
  const bound = a[max];
  if (bound !== 0) {
    const n = Atomics.add(a, leaves, 1) + 1;
    if (n > bound) return LEAF_OVER;
    if (n === bound) {
      Atomics.store(a, halt, haltValue);
      return LEAF_STOP;
    }
  }
  return Atomics.load(a, halt) === haltValue ? LEAF_STOP : LEAF_GO;
}

/** What a split run or a stolen task's run asks of the explorers' shared state for each leaf. */
export interface LeafCounter {
  leaf(): number;
  /** Is there a bound the explorers share (they then note their counts after each leaf)? */
  bounded(): boolean;
}

/** A leaf counted past the bound, to take back: complete or blocked, and its class of violation (keepGoing), if any. */
export interface OverLeaf {
  complete: boolean;
  key: string | null;
}

/** Remembers an explorer's counts after each leaf within the bound, to tell what a leaf past it added. */
export class LeafClaims {
  private seenComplete = 0;
  /** Violating leaves per class, in the order the classes were found (keepGoing). */
  private readonly classCounts: number[] = [];
  /** The leaf counted past the bound, or null. */
  private over: OverLeaf | null = null;

  constructor(private readonly keepGoing: boolean) {}

  /**
   * Claims the leaf ex has just counted (LEAF_GO, LEAF_STOP or LEAF_OVER): one past the bound is
   * remembered to be taken back (giveBack); one within it, when explorers share a bound, noted.
   */
  claim(shared: LeafCounter, ex: Explorer): number {
    const c = shared.leaf();
    if (c === LEAF_OVER) this.takeBack(ex);
    else if (shared.bounded()) this.note(ex);
    return c;
  }

  /**
   * Takes the leaf counted past the bound, if any, out of a part's counts, and forgets it;
   * returns its class of violation (to take one off that class's count), or null.
   */
  giveBack(counts: { complete: number; blocked: number }): string | null {
    const o = this.over;
    if (o === null) return null;
    this.over = null;
    if (o.complete) counts.complete--;
    else counts.blocked--;
    return o.key;
  }

  /** A leaf within the bound was counted (called only when there is a bound). */
  private note(ex: Explorer): void {
    this.seenComplete = ex.complete;
    if (!this.keepGoing) return;
    let i = 0;
    for (const c of ex.violationClasses.values()) this.classCounts[i++] = c.count;
  }

  /** The explorer's latest leaf came past the bound: what it added. */
  private takeBack(ex: Explorer): void {
    let key: string | null = null;
    if (this.keepGoing) {
      let i = 0;
      for (const [k, c] of ex.violationClasses) if (c.count !== (this.classCounts[i++] ?? 0)) key = k;
    }
    this.over = { complete: ex.complete > this.seenComplete, key };
  }
}
