// --max-executions over several explorers: each counted leaf is claimed from a shared count
// (StealShared.leaf, SabShared.leaf). Explorers that reach the bound at once have each already
// counted their leaf when they claim it, so one that claims past the bound must take its leaf
// back — from its counts and from its class of violation — or the run counts up to jobs−1 more
// executions than the bound.
import type { Explorer } from '../explore.ts';

/** What a claim says of a leaf an explorer counted: go on; it counts and the explorers stop; it does not count (past the bound). */
export const LEAF_GO = 0, LEAF_STOP = 1, LEAF_OVER = 2;

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
  over: OverLeaf | null = null;

  constructor(private readonly keepGoing: boolean) {}

  /** A leaf within the bound was counted (called only when there is a bound). */
  note(ex: Explorer): void {
    this.seenComplete = ex.complete;
    if (!this.keepGoing) return;
    let i = 0;
    for (const c of ex.violationClasses.values()) this.classCounts[i++] = c.count;
  }

  /** The explorer's latest leaf came past the bound: what it added. */
  takeBack(ex: Explorer): void {
    let key: string | null = null;
    if (this.keepGoing) {
      let i = 0;
      for (const [k, c] of ex.violationClasses) if (c.count !== (this.classCounts[i++] ?? 0)) key = k;
    }
    this.over = { complete: ex.complete > this.seenComplete, key };
  }
}
