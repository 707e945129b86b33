// Sums the segments that runs sharing one search report (split.ts) into what a single run over the
// whole tree finds: the same counts, the same classes of violation with the same first
// counterexample, and — without keepGoing — the same first violation, found after the same
// number of executions, because segments are ordered as one run visits them.
import type { Found, Segment } from './split.ts';

export interface Summary {
  complete: number;
  blocked: number;
  rejected: number;
  flags: string[];
  /** Symmetry reduction: unordered leaves reached, and partial graphs cut as unordered. */
  unordered: number;
  unorderedCut: number;
  /** keepGoing: every class, in the order one run finds them, with its first counterexample. */
  classes: { key: string; count: number; first: Found }[];
  /** The first violation in search order (without keepGoing: the one that ends the search). */
  violation: Found | null;
  /** Split tasks explored to the end, of those the runs owned. */
  finishedSplits: number;
}

const before = (a: Found, b: Found): boolean => a.seq < b.seq || (a.seq === b.seq && a.n < b.n);

export class Ledger {
  private readonly bySeq = new Map<number, Segment>();

  /** A segment's result; a seq reported twice means two runs explored the same subtree. */
  add(s: Segment): void {
    if (this.bySeq.has(s.seq)) throw new DuplicateSegmentError(s.seq);
    this.bySeq.set(s.seq, s);
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  segments(): Segment[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The split tasks whose result is final (a resumed run skips them). */
  finishedSplits(): number[] {
    const out: number[] = [];
    for (const s of this.bySeq.values()) if (s.split >= 0 && s.finished) out.push(s.split);
    return out.sort((a, b) => a - b);
  }

  summarize(keepGoing: boolean): Summary {
    const segs = this.segments();
    let violation: Found | null = null;
    for (const s of segs) for (const f of s.found ?? []) if (!violation || before(f, violation)) violation = f;
    // Without keepGoing one run stops at its first violation: later segments are not its to count.
    const upTo = !keepGoing && violation ? violation.seq : Infinity;
    const sum: Summary = { complete: 0, blocked: 0, rejected: 0, unordered: 0, unorderedCut: 0, flags: [], classes: [], violation, finishedSplits: 0 };
    const flags = new Set<string>();
    const classes = new Map<string, { key: string; count: number; first: Found | null }>();
    for (const s of segs) {
      if (s.seq > upTo) break;
      sum.complete += s.complete;
      sum.blocked += s.blocked;
      sum.rejected += s.rejected;
      sum.unordered += s.unordered ?? 0;
      sum.unorderedCut += s.unorderedCut ?? 0;
      if (s.split >= 0 && s.finished) sum.finishedSplits++;
      for (const f of s.flags ?? []) flags.add(f);
      for (const [k, n] of Object.entries(s.classes ?? {})) {
        const c = classes.get(k) ?? { key: k, count: 0, first: null };
        c.count += n;
        classes.set(k, c);
      }
      if (keepGoing) {
        for (const f of s.found ?? []) {
          const c = classes.get(f.key) ?? { key: f.key, count: 0, first: null };
          if (!c.first || before(f, c.first)) c.first = f;
          classes.set(f.key, c);
        }
      }
    }
    sum.flags = [...flags];
    for (const c of classes.values()) {
      if (!c.first) throw new Error(`the segments count violations of class ${c.key} but none holds its first counterexample`);
    }
    sum.classes = [...classes.values()].map((c) => ({ key: c.key, count: c.count, first: c.first as Found }))
      .sort((a, b) => (before(a.first, b.first) ? -1 : 1));
    return sum;
  }
}

export class DuplicateSegmentError extends Error {
  constructor(readonly seq: number) {
    super(`segment ${seq} of the search was explored twice`);
  }
}
