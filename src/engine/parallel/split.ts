// Names the subtrees of one exploration so that several runs can share it out: worker threads
// (--jobs), processes on other machines (--shard I/N) and a run resumed after it was killed
// (--checkpoint/--resume).
//
// The explorer is deterministic, so the alternatives it pops from its worklist at depth ≤ D come
// in the same order in every run of the same program. Those at depth D are the split tasks,
// numbered 0, 1, … in that order; those above D (and the root) form the prefix. Every run walks
// the prefix itself (cheap: a few thousand steps) and descends only into the split tasks it owns,
// skipping the others (Explorer's SplitHook). The leaves of the prefix are counted once, by the
// plan pass (planSplit) that picks D. Each prefix alternative and each split task is a segment,
// numbered by `seq` in the same order; a run reports one Segment per segment it explored, and a
// Ledger (ledger.ts) sums them into exactly what one run over the whole tree finds.
import { Explorer, TASK_EXPLORE, TASK_MUTED, TASK_SKIP, TASK_STOP, type SplitHook, type Violation } from '../explore.ts';
import type { Instance } from '../program.ts';
import type { MemoryModel } from '../models/model.ts';
import { encodeGraph, type EncodedGraph } from './graph-codec.ts';
import { LEAF_GO, LEAF_OVER, LEAF_STOP, LeafClaims } from './leaf-claim.ts';

/**
 * A violation as the first of its class in a segment (or the one that stopped the search): what
 * Violation says, with its graph encoded — its report (trace, schedule) is made only if it is
 * the one reported (run.ts).
 */
export interface Found extends Omit<Violation, 'graph'> {
  /** The segment it was found in, and the leaf (1-based, counted leaves of that segment). */
  seq: number;
  n: number;
  /** Its class (keepGoing: the invariant it names, else its property). */
  key: string;
  graph: EncodedGraph;
}

/** What one run found in one segment of the search tree. */
export interface Segment {
  seq: number;
  /** The split task's index, or -1 for an alternative of the prefix. */
  split: number;
  complete: number;
  blocked: number;
  rejected: number;
  /** keepGoing: violating leaves per class. */
  classes?: Record<string, number>;
  /** Classes first seen in this segment (keepGoing), or the violation that ended the search. */
  found?: Found[];
  flags?: string[];
  /** Symmetry reduction: unordered leaves reached, and partial graphs cut as unordered (absent: 0). */
  unordered?: number;
  unorderedCut?: number;
  /** Explored to the end (or, without keepGoing, to its violation). */
  finished: boolean;
}

/** What the runs sharing one search share: ownership of split tasks, and when to stop. */
export interface Shared {
  /** Take split task i; false if another run has it (or it is not this run's). */
  claim(i: number): boolean;
  /** Without keepGoing: the lowest seq whose segment ended in a violation (Infinity if none). */
  stopSeq(): number;
  lowerStopSeq(seq: number): void;
  /**
   * A leaf was counted: LEAF_GO, LEAF_STOP when a shared bound (--max-executions) or a stop request
   * ends every run, LEAF_OVER when others reached the bound first (the leaf is taken back, leaf-claim.ts).
   */
  leaf(): number;
  /** Leaves may be claimed past the bound (explorers share it): the run notes its counts after each. */
  bounded(): boolean;
  /** Every run should stop now (a bound was reached elsewhere). */
  halted(): boolean;
}

export interface SplitRunOptions {
  inst: Instance;
  model: MemoryModel;
  depth: number;
  /** Number of split tasks the plan found (Infinity while planning). */
  tasks: number;
  /** Explore and count the prefix's own leaves (the plan pass) instead of leaving them muted. */
  countPrefix: boolean;
  /** The explorer's keepGoing: without it, the first violation ends a run's search. */
  keepGoing: boolean;
  shared: Shared;
  emit(seg: Segment): void;
  /** Called at every segment boundary and every 4096 leaves (progress, checkpoints, messages). */
  tick?(): void;
}

/** The SplitHook that explores the split tasks `shared` lets it claim. */
export class SplitRun implements SplitHook {
  readonly depth: number;
  /** seq of the segment being explored (or last seen), and the split index of the last split task seen. */
  seq = -1;
  splitSeen = -1;
  private open: Segment | null = null;
  private c0 = 0;
  private b0 = 0;
  private r0 = 0;
  private u0 = 0;
  private uc0 = 0;
  private flags0 = 0;
  private cls0 = new Map<string, number>();
  /** Counted leaves in the open segment. */
  private n = 0;
  private nClasses = 0;
  private found: Found[] = [];
  private violationSeen = false;
  private ticks = 0;
  /** Why the run stopped early: a shared bound or a violation earlier in the search order. */
  aborted = false;
  /** With --max-executions: the leaf counted past the bound, which the open segment gives back. */
  private readonly claims: LeafClaims;

  constructor(private readonly o: SplitRunOptions) {
    this.depth = o.depth;
    this.claims = new LeafClaims(o.keepGoing);
  }

  task(d: number, ex: Explorer): number {
    if (this.open) this.close(ex, true);
    if (this.o.tick) this.o.tick();
    const seq = ++this.seq;
    const sh = this.o.shared;
    if (seq > sh.stopSeq() || sh.halted()) return TASK_STOP;
    if (d < this.depth || this.depth === 0) {
      if (!this.o.countPrefix) return TASK_MUTED;
      this.begin(ex, seq, -1);
      return TASK_EXPLORE;
    }
    const i = ++this.splitSeen;
    if (i >= this.o.tasks) {
      throw new Error(`the search has more split tasks than its plan (${this.o.tasks}): a thread body that is not deterministic?`);
    }
    if (!sh.claim(i)) return TASK_SKIP;
    this.begin(ex, seq, i);
    return TASK_EXPLORE;
  }

  counted(ex: Explorer): boolean {
    const sh = this.o.shared;
    const claim = this.claims.claim(sh, ex);
    if (claim === LEAF_OVER) { this.aborted = true; return true; }
    this.n++;
    if (this.o.keepGoing) {
      if (ex.violationClasses.size !== this.nClasses) this.noteClass(ex);
    } else if (ex.violation !== null && !this.violationSeen) this.noteViolation(ex);
    if (this.o.tick && (++this.ticks & 4095) === 0) this.o.tick();
    if (claim !== LEAF_GO || this.seq > sh.stopSeq()) { this.aborted = true; return true; }
    return false;
  }

  /** After Explorer.run: closes the last segment (unfinished if a bound or an abort cut it). */
  finish(ex: Explorer, cutBy: string | null): void {
    // Without keepGoing, a segment that ended in its violation is final: the search stops there.
    if (this.open) this.close(ex, this.violationSeen || !(cutBy || this.aborted));
  }

  private begin(ex: Explorer, seq: number, split: number): void {
    this.open = { seq, split, complete: 0, blocked: 0, rejected: 0, finished: false };
    this.c0 = ex.complete;
    this.b0 = ex.blocked;
    this.r0 = ex.rejected;
    this.u0 = ex.unordered;
    this.uc0 = ex.symCut;
    this.n = 0;
    if (ex.flags.size !== this.flags0) this.flags0 = ex.flags.size;
    if (this.nClasses) {
      this.cls0.clear();
      for (const [k, c] of ex.violationClasses) this.cls0.set(k, c.count);
    }
  }

  private noteClass(ex: Explorer): void {
    let last: { key: string; v: Violation } | null = null;
    for (const [k, c] of ex.violationClasses) last = { key: k, v: c.first };
    this.nClasses = ex.violationClasses.size;
    const l = last as { key: string; v: Violation };
    this.found.push(this.describe(l.key, l.v));
  }

  private noteViolation(ex: Explorer): void {
    this.violationSeen = true;
    const v = ex.violation as Violation;
    this.found.push(this.describe(v.invariant ?? v.property, v));
    this.o.shared.lowerStopSeq(this.seq);
  }

  private describe(key: string, v: Violation): Found {
    return { ...v, seq: this.seq, n: this.n, key, graph: encodeGraph(v.graph) };
  }

  private close(ex: Explorer, finished: boolean): void {
    const s = this.open as Segment;
    this.open = null;
    s.complete = ex.complete - this.c0;
    s.blocked = ex.blocked - this.b0;
    const overKey = this.claims.giveBack(s);
    s.rejected = ex.rejected - this.r0;
    if (ex.unordered !== this.u0) s.unordered = ex.unordered - this.u0;
    if (ex.symCut !== this.uc0) s.unorderedCut = ex.symCut - this.uc0;
    s.finished = finished;
    if (this.nClasses) {
      let classes: Record<string, number> | undefined;
      for (const [k, c] of ex.violationClasses) {
        const dc = c.count - (this.cls0.get(k) ?? 0) - (overKey === k ? 1 : 0);
        if (dc > 0) (classes ??= {})[k] = dc;
      }
      if (classes) s.classes = classes;
      this.cls0.clear();
    }
    if (this.found.length) { s.found = this.found; this.found = []; }
    if (ex.flags.size !== this.flags0) { s.flags = [...ex.flags]; this.flags0 = ex.flags.size; }
    this.o.emit(s);
  }
}

/** One run's ownership and stop state, without threads (the plan pass, shards, resumed runs). */
export class LocalShared implements Shared {
  private stop = Infinity;
  private leaves = 0;
  constructor(private readonly owns: (i: number) => boolean, private readonly maxLeaves = Infinity, initialStop = Infinity) {
    this.stop = initialStop;
  }
  claim(i: number): boolean { return this.owns(i); }
  stopSeq(): number { return this.stop; }
  lowerStopSeq(seq: number): void { if (seq < this.stop) this.stop = seq; }
  leaf(): number { return ++this.leaves >= this.maxLeaves ? LEAF_STOP : LEAF_GO; }
  /** One explorer: no leaf is ever claimed past the bound. */
  bounded(): boolean { return false; }
  halted(): boolean { return false; }
  /** Leaves counted so far (the plan pass's, which a later run adds to its bound). */
  get counted(): number { return this.leaves; }
}

export interface PlanOptions {
  keepGoing?: boolean;
  maxEvents?: number;
  /** Aim for at least this many split tasks (more tasks balance better; the prefix grows with them). */
  target: number;
  /**
   * A bound on the prefix's own leaves. There is no deadline: a plan cut by the clock would differ
   * between the shards of one search (the passes take a fraction of a second).
   */
  maxExecutions?: number;
  /** Called once the search is known to be too big to do whole (worker threads can start loading). */
  onLarge?: () => void;
  /** ExploreOptions.symmetry. */
  symmetry?: boolean;
  /** ExploreOptions.ghosts. */
  ghosts?: boolean;
}

export interface Plan {
  depth: number;
  /** Split tasks at that depth (those before stopSeq, when the prefix holds a violation). */
  tasks: number;
  /** The prefix's own segments, counted. */
  prefix: Segment[];
  /** Without keepGoing: the prefix's violation ends the search at this seq. */
  stopSeq: number;
  /** The whole tree lies in the prefix: nothing is left to split. */
  whole: boolean;
  /** The plan pass itself was cut by a bound. */
  cutBy: null | 'max-executions' | 'timeout';
  /** Time spent planning. */
  seconds: number;
}

/**
 * Picks the split depth: the first depth with at least `target` alternatives, found by walking
 * the prefix to depth d (skipping everything below it) for growing d. The walk at the chosen
 * depth counts the prefix's leaves. Deterministic: every shard of a run picks the same plan.
 */
export function planSplit(inst: Instance, model: MemoryModel, o: PlanOptions): Plan {
  const t0 = performance.now();
  const pass = (depth: number, maxLeaves: number): { run: SplitRun; shared: LocalShared; prefix: Segment[]; cutBy: Plan['cutBy'] } => {
    const prefix: Segment[] = [];
    const shared = new LocalShared(() => false, maxLeaves);
    const run = new SplitRun({ inst, model, depth, tasks: Infinity, countPrefix: true, keepGoing: !!o.keepGoing, shared, emit: (s) => prefix.push(s) });
    const ex = new Explorer(inst, { model, keepGoing: o.keepGoing, maxEvents: o.maxEvents, split: run, symmetry: o.symmetry, ghosts: o.ghosts });
    const r = ex.run();
    const cutBy = r.cutBy ?? (run.aborted ? 'max-executions' : null);
    run.finish(ex, cutBy);
    return { run, shared, prefix, cutBy };
  };
  // A small search is cheaper done whole than split: try it first, up to target/4 leaves (depth
  // 0: the root's segment is the whole tree). More would cost a large search more than walking
  // its prefix does (the first leaves of a search are its slowest). Deterministic, as a plan must be.
  const budget = Math.max(1, Math.floor(o.target / 4));
  const user = o.maxExecutions ?? Infinity;
  const whole = pass(0, Math.min(budget, user));
  if (!whole.run.aborted || user <= budget) {
    return { depth: 0, tasks: 0, prefix: whole.prefix, stopSeq: whole.shared.stopSeq(), whole: true, cutBy: whole.cutBy, seconds: (performance.now() - t0) / 1000 };
  }
  if (o.onLarge) o.onLarge();
  let d = 1;
  let prevD = 0, prevCount = 1;
  let best = { d: 0, count: 0 };
  const done = (d: number, r: ReturnType<typeof pass>): Plan => {
    const count = r.run.splitSeen + 1;
    return { depth: d, tasks: count, prefix: r.prefix, stopSeq: r.shared.stopSeq(), whole: count === 0, cutBy: r.cutBy, seconds: (performance.now() - t0) / 1000 };
  };
  for (;;) {
    const r = pass(d, user);
    const count = r.run.splitSeen + 1;
    if (r.cutBy || r.shared.stopSeq() !== Infinity || count === 0 || count >= o.target || d >= 10_000) return done(d, r);
    // A tree that narrows (fewer alternatives deeper down), or whose prefix outgrows its split
    // tasks, will not reach `target`: take the depth that had the most.
    const prefixLeaves = r.prefix.reduce((n, s) => n + s.complete + s.blocked, 0);
    if (count > best.count) best = { d, count };
    if (count < prevCount || prefixLeaves > 2 * o.target) return best.d === d ? done(d, r) : done(best.d, pass(best.d, user));
    // The counts per depth grow about geometrically: jump to where `target` should be reached
    // (at most doubling the depth, so that an overestimate costs at most one pass of its size).
    const ratio = Math.pow(count / prevCount, 1 / (d - prevD));
    const step = ratio > 1.05 ? Math.ceil(Math.log(o.target / count) / Math.log(ratio)) : 1;
    prevD = d;
    prevCount = count;
    d += Math.max(1, Math.min(d, step));
  }
}
