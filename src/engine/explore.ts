// TruSt-style optimal exploration of execution graphs (docs/design/exploration.md §2), in worklist form:
// a stack of frames, each a graph plus LIFO alternatives. Backward revisits are pushed once,
// when a write is first added ("Coq style"); the revisiting write's co placements are then
// enumerated in the restricted graph. Every consistent graph is visited once.
import { Ev, EvKind, Graph, BlockReason, Life, inView, joinView, type Ghost } from './graph.ts';
import { Fault, faultWrites, pointerRead, readFault, writeFault } from './lifetime.ts';
import { DepKind, OpKind, RmwKind, propertyId, type Op, type Val } from './ops.ts';
import type { Instance } from './program.ts';
import type { MemoryModel } from './models/model.ts';
import { ModelError, userCall } from './errors.ts';
import { ResourceError, checkEstimate, checkHeap, heapCheckMask } from './memory.ts';
import { Due, NondeterminismError, ThreadRt, blocksAfter, readResult, writePartValue } from './runtime.ts';
import { Symmetry, SymmetryError } from './symmetry.ts';

const READ = 0, WRITE = 1, REV = 2;
/** How far past the tids in use a replayed schedule may number a spawned thread. */
const MAX_SPAWN_GAP = 4096;
/** The body of a tid no thread has (yet) in this run. */
function* noBody(): Generator<never, void, number> {}

/**
 * The events a backward revisit of r keeps (docs/design/exploration.md §2.3): those added before r, r, and
 * w's porf-prefix (view wv). Without r when `keepR` is false: a revisit that makes r, a
 * compare-and-swap its thread answers with a failing assume(), fail takes r out (a Ghost,
 * §3.2). Returned anonymous: tsx's keepNames would otherwise wrap every creation of a named
 * closure in an Object.defineProperty call.
 */
function keptByRevisit(r: Ev, wv: number[], keepR: boolean): (e: Ev) => boolean {
  const rs = r.stamp;
  return (e) => e.stamp < rs || (e === r ? keepR : inView(wv, e));
}
/**
 * The ghosts a backward revisit of the read at stamp rs keeps (those standing before it, whose
 * write is kept), moved to the new graph's events, and the one it makes (replacing a ghost of
 * the same read).
 */
function carryGhosts(old: Ghost[] | null, rs: number, made: Ghost | null): Ghost[] | null {
  const out: Ghost[] = [];
  if (old !== null) {
    for (const gh of old) {
      const w = gh.w.copy;
      if (gh.gs > rs || w === null || (made !== null && gh.tid === made.tid && gh.idx === made.idx)) continue;
      out.push({ tid: gh.tid, idx: gh.idx, w, gs: gh.gs });
    }
  }
  if (made !== null) out.push(made);
  return out.length ? out : null;
}
interface Item {
  type: number;
  /** READ/WRITE: the event's stamp; REV: the revisiting write's stamp. */
  s: number;
  /** READ: next co position to read from; WRITE: next position to insert after; REV: the read's stamp. */
  pos: number;
  /** Lowest admissible co position (coherence with the event's porf-prefix). */
  lo: number;
  /** Depth in the search tree: 1 + the depth of the alternative whose exploration pushed it (root: 0). */
  d: number;
}
interface Frame {
  g: Graph;
  items: Item[];
}

export type LeafKind = 'complete' | 'blocked';

/** One class of violation (an invariant id, or the property) with how many executions broke it and the first that did. */
export interface ViolationClass {
  key: string;
  /** Leaves (executions) that ended in a violation of this class. */
  count: number;
  first: Violation;
}

export interface Violation {
  /** What kind of check failed: 'assertion', 'deadlock' or 'final'. */
  property: string;
  /** The id of the property (invariant) broken, when the check named one. */
  invariant: string | null;
  /** What broke, in one sentence (without the invariant id). */
  message: string;
  /** The thread whose assertion failed, if any. */
  tid: number;
  /** The event the violation is reported at (a failed assertion, the faulting access), if any. */
  at: { tid: number; idx: number } | null;
  graph: Graph;
  threadNames: string[];
}

/**
 * Drives a single execution instead of the exhaustive search (replay and random sampling).
 * The explorer then pushes no alternatives and computes no revisits.
 */
export interface Chooser {
  /** The thread to step next, among the runnable ones (ascending tids). */
  thread(runnable: readonly number[]): number;
  /**
   * The candidate indices to try, in order, for the event being added: for a read, its
   * possible sources (index 0 = the co-latest); for a write, the co positions it may take
   * (index 0 = co-last). The first consistent one is taken.
   */
  order(e: Ev, candidates: readonly Ev[]): readonly number[];
  /**
   * Sampling (random walk, PCT): hide threads whose wait cannot be satisfied yet while others
   * can run (see park), take back a thread's reads instead of blocking it while others can run
   * (see takeBack), and never pick an RMW's source that another RMW already wrote after.
   */
  readonly parks?: boolean;
  /** Set when the chooser gave up before a leaf (a schedule that does not fit the program). */
  readonly diverged?: boolean;
  /**
   * The tid to give the thread that `parent` spawns with its event number `idx`, or 0 for the
   * default (the next tid after every one in use). Replay follows the ids the exploration gave.
   */
  spawnId?(parent: number, idx: number): number;
  /** Told why the explorer could not follow it (a bad spawn id); the run then dies. */
  refuse?(why: string): void;
}

/**
 * Splits the search into subtrees for parallel, sharded and resumable runs (parallel/split.ts).
 * Every alternative popped at depth ≤ `depth` is shown to `task` first, in the order the search
 * pops them, which is the same in every run of the same program: that order names the subtrees.
 */
export interface SplitHook {
  readonly depth: number;
  /**
   * The search is about to take an alternative at depth d (0: the root, before the first step).
   * TASK_SKIP leaves out its whole subtree; TASK_MUTED explores it but counts and checks no leaf
   * reached directly (another run counts it); TASK_STOP ends the run.
   */
  task(d: number, ex: Explorer): number;
  /** Called on every counted leaf; true stops the run (a shared bound or a stop request). */
  counted(ex: Explorer): boolean;
  /**
   * Called at every leaf and dropped prefix, counted or not (parallel/steal.ts: the explorer may
   * hand off work here, see Explorer.handOff); true stops the run.
   */
  poll?(ex: Explorer): boolean;
}

/** An alternative taken off an explorer's worklist for another explorer (Explorer.handOff). */
export interface HandedOff {
  /** The graph the alternatives apply to (live: encode it before the explorer goes on). */
  g: Graph;
  /** Worklist items of one frame, bottom first. */
  items: { type: number; s: number; pos: number; lo: number; d: number }[];
  /**
   * When threads were spawned: the tids the explorer that handed it off gave them, by parent and
   * spawn (Explorer.spawnIds), so that the other explorer numbers them alike.
   */
  spawnIds?: number[][];
}
export const TASK_SKIP = 0, TASK_EXPLORE = 1, TASK_MUTED = 2, TASK_STOP = 3;

export interface ExploreOptions {
  model: MemoryModel;
  /** Explore only the subtrees this hook chooses (parallel/ and sharded runs). */
  split?: SplitHook;
  /** Explore only the subtree of an alternative another explorer handed off (Explorer.handOff). */
  start?: HandedOff;
  maxExecutions?: number;
  timeoutMs?: number;
  /** Called on every counted leaf (tests use it to check optimality and outcomes). */
  onLeaf?: (g: Graph, kind: LeafKind, ex: Explorer) => void;
  /** Called for every violating leaf, after onLeaf for it (tests check each one replays). */
  onViolation?: (property: string, invariant: string | null, message: string) => void;
  /**
   * Keep exploring after a violation (default: stop at the first), counting the violating leaves
   * per class: the invariant a violation names, else its kind ('deadlock', …).
   */
  keepGoing?: boolean;
  /** Called about once a second with the counts so far (for a progress line). */
  onProgress?: (complete: number, blocked: number, seconds: number) => void;
  /** Refuse executions with more events than this (a loop without t.await); default 10,000. */
  maxEvents?: number;
  /** Run one execution chosen by this chooser instead of exploring all of them. */
  chooser?: Chooser;
  /** Stall failed compare-and-swaps that the thread answers with a failing assume (see Explorer.stalls); default on. Tests turn it off to compare. */
  stall?: boolean;
  /**
   * Also take out such a CAS read when a backward revisit makes it fail (Explorer.ghostable,
   * docs/design/exploration.md §3.2), as GenMC's removeCASReadIfBlocks does; default on (with
   * stall), false keeps it (--no-ghosts). Changes blocked counts only.
   */
  ghosts?: boolean;
  /**
   * Explore the program's symmetric threads (Builder.thread's `symmetric`) up to permutation
   * (default true; never in linear mode). False explores every execution (--no-symmetry).
   */
  symmetry?: boolean;
}

export interface ExploreResult {
  complete: number;
  blocked: number;
  /**
   * Leaves rejected by the model's full check (consistentComplete), and prefixes it rejected
   * where the user's code threw (see Explorer.rejectPrefix).
   */
  rejected: number;
  violation: Violation | null;
  /** With keepGoing: leaves with a violation, per class, each with the first one found. */
  violations: ViolationClass[];
  /** Why the search stopped before exhausting the space, if it did. */
  cutBy: null | 'max-executions' | 'timeout';
  seconds: number;
  flags: string[];
  /** What the counts are up to ("up to permuting the 4 walker threads"), or null: every execution. */
  symmetry: string | null;
  /** Under symmetry reduction: leaves reached that were not counted, being permutations of counted ones. */
  unordered: number;
  /** Under symmetry reduction: partial graphs where the search stopped, every leaf below being unordered. */
  unorderedCut: number;
}

export class Explorer {
  g: Graph;
  rts: ThreadRt[] = [];
  private frames: Frame[] = [];
  /**
   * Spawned threads' tids, by parent tid and the number of spawns the parent made before: the
   * same thread has the same tid in every graph, whatever its parent's RMWs wrote before the
   * spawn (which moves the Spawn event's index).
   */
  private readonly spawnIds: number[][] = [];
  /** Tids in use: the static threads and every spawned one (linear mode may leave holes). */
  private readonly taken: boolean[] = [];
  complete = 0;
  blocked = 0;
  /** Flags the model raised on counted leaves (e.g. 'data-race' under the LKMM). */
  readonly flags = new Set<string>();
  rejected = 0;
  /** Leaves reached (counted or rejected), for the re-runs of rerun(). */
  private leaves = 0;
  violation: Violation | null = null;
  private readonly classes = new Map<string, ViolationClass>();
  private stop = false;
  private cutBy: ExploreResult['cutBy'] = null;
  private deadline = Infinity;
  /** Leaves and rejected prefixes seen, for clock(). */
  private visited = 0;
  private started = Date.now();
  private lastProgress = this.started;
  private readonly chooser: Chooser | null;
  /** extend()'s threads that may be stalled at the current step (reused, see mayStall). */
  private readonly maybeStalled: number[] = [];
  private readonly maxEvents: number;
  /** The heap is checked when the event count & heapMask is 0 (see memory.ts). */
  private heapMask: number;
  /** Linear mode: the (tid, choice) of each step taken, and whether the run died inconsistent. */
  readonly steps: number[] = [];
  dead = false;
  private choice = 0;
  /** Depth of the alternative being explored (see Item.d), and the split hook's view of it. */
  private depth = 0;
  private readonly split: SplitHook | null;
  private readonly splitDepth: number;
  /** The current alternative's own leaf belongs to another run (SplitHook: TASK_MUTED). */
  private muted = false;
  /** Symmetry reduction (symmetry.ts), or null: no group of symmetric threads, or turned off. */
  private readonly sym: Symmetry | null;
  /** Leaves reached that are not the ordered execution of their class (symmetry.ts). */
  unordered = 0;
  /** Partial graphs dropped as unordered (Symmetry.ordered fails): subtrees not explored. */
  symCut = 0;
  /**
   * Spawns this explorer numbered itself (childTid), not told by a part handed off to it: such a
   * part may number its threads otherwise than one run does (parallel/steal-run.ts).
   */
  spawnsMet = 0;

  constructor(readonly inst: Instance, readonly opts: ExploreOptions) {
    this.chooser = opts.chooser ?? null;
    this.maxEvents = opts.maxEvents ?? opts.model.maxEvents ?? 10_000;
    checkEstimate(inst.program.name, inst.threads.length, inst.locs.length);
    this.heapMask = heapCheckMask(inst.threads.length);
    this.split = opts.split ?? null;
    this.splitDepth = this.split ? this.split.depth : -1;
    this.g = new Graph(inst.locs.map((l) => l.init), inst.threads.length);
    if (inst.objects.length) {
      this.g.locObj = inst.locObj;
      for (const o of inst.objects) if (o.unallocated !== null) for (const l of o.locs) this.g.inits[l].life = Life.Free;
    }
    const checked = opts.model.checkedFences ?? [];
    inst.threads.forEach((t, i) => {
      const rt = new ThreadRt(i, t.name, t.body, inst.locs.length, false, checked);
      if (t.owns.length) rt.ctx.owned = t.owns;
      this.rts.push(rt);
      this.taken.push(true);
    });
    this.sym = opts.symmetry === false || this.chooser ? null : Symmetry.of(inst.symmetry, inst.threads.map((t) => t.name), inst.locs.map((l) => l.name));
  }

  /** With keepGoing: the classes of violation found so far (the split hook reads them per subtree). */
  get violationClasses(): ReadonlyMap<string, ViolationClass> {
    return this.classes;
  }

  /** What the counts are up to under symmetry reduction, or null. */
  get symmetryWords(): string | null {
    return this.sym !== null ? this.sym.describe() : null;
  }

  get threadNames(): string[] {
    return this.rts.map((r) => r.name);
  }

  run(): ExploreResult {
    const t0 = performance.now();
    if (this.opts.timeoutMs !== undefined) this.deadline = Date.now() + this.opts.timeoutMs;
    this.frames.push({ g: this.g, items: [] });
    if (this.chooser) {
      // A chooser that gave up (a schedule that does not fit) leaves a prefix, not a leaf.
      if (this.extendOrReject()) { if (!this.chooser.diverged) this.leaf(); }
      else this.dead = true;
      return {
        complete: this.complete, blocked: this.blocked, rejected: this.rejected,
        violation: this.violation, violations: [...this.classes.values()], cutBy: null, seconds: (performance.now() - t0) / 1000, flags: [...this.flags],
        symmetry: null, unordered: 0, unorderedCut: 0,
      };
    }
    let more = true;
    if (this.split) {
      const a = this.split.task(0, this);
      this.muted = a === TASK_MUTED;
      more = a !== TASK_STOP && a !== TASK_SKIP;
    }
    const start = this.opts.start;
    if (more && start !== undefined) {
      start.g.locObj = this.g.locObj;
      if (start.spawnIds) this.seedSpawns(start.g, start.spawnIds);
      // Items as the explorer makes them (literals, pushed onto an empty array): objects from
      // another thread (structured clone), or spread copies of them, have other hidden classes,
      // and an array made by map() another elements kind (holey), which would deoptimize the code
      // that pushes and pops worklist items.
      const items: HandedOff['items'] = [];
      for (const it of start.items) items.push({ type: it.type, s: it.s, pos: it.pos, lo: it.lo, d: it.d });
      this.frames[0] = { g: start.g, items };
      more = this.backtrack();
    }
    while (more) {
      if (this.extendOrReject()) this.leaf();
      if (this.stop) break;
      more = this.backtrack();
    }
    return {
      complete: this.complete, blocked: this.blocked, rejected: this.rejected,
      violation: this.violation, violations: [...this.classes.values()], cutBy: this.cutBy, seconds: (performance.now() - t0) / 1000, flags: [...this.flags],
      symmetry: this.symmetryWords, unordered: this.unordered, unorderedCut: this.symCut,
    };
  }

  /**
   * Work stealing (parallel/steal.ts): takes the alternative this search would explore last off
   * its worklist — the bottom one, the shallowest, whose subtree is usually about as large as all
   * the others' together (readers N=15: 16,384 of 32,768 executions, then 8,192, 4,096, …) — for
   * another explorer to explore from the same graph (ExploreOptions.start). Everything this
   * search explores from now on comes before it in the search order, and it comes before what was
   * handed off earlier. Null when nothing is left but the path being explored. Spawned threads
   * go with their tids; their bodies, closures, do not cross threads (see seedSpawns).
   */
  handOff(): HandedOff | null {
    for (const f of this.frames) {
      if (f.items.length === 0) continue;
      const h: HandedOff = { g: f.g, items: f.items.splice(0, 1) };
      if (this.rts.length > this.inst.threads.length) h.spawnIds = Array.from(this.spawnIds, (ids) => (ids ? ids.slice() : []));
      return h;
    }
    return null;
  }

  /**
   * Before exploring a part handed off with spawned threads (handOff): numbers them as the
   * explorer that handed it off did, and runs every thread of g once against it, parents before
   * children, so that the parents' runs put the children's bodies back on the Spawn events of the
   * decoded graph (ThreadRt.replay), as the handing explorer's runs had made them.
   */
  private seedSpawns(g: Graph, spawnIds: number[][]): void {
    let last = -1;
    spawnIds.forEach((ids, parent) => {
      if (ids.length === 0) return;
      this.spawnIds[parent] = ids.slice();
      for (const c of ids) last = Math.max(last, c);
    });
    while (this.rts.length <= last) {
      const t = this.rts.length;
      this.rts.push(new ThreadRt(t, `thread${t}`, noBody, this.inst.locs.length, true, this.opts.model.checkedFences ?? []));
      this.taken.push(true);
    }
    this.ensureThreads();
    for (let t = 0; t < this.rts.length; t++) {
      if (!g.exists(t)) continue;
      this.rts[t].sync(g);
      this.rts[t].dirty = true;
    }
  }

  // ---------------------------------------------------------------- forward extension

  /** Adds events with maximal choices until a leaf (true) or an inconsistency/prune (false). */
  private extend(): boolean {
    const g = this.g;
    const runnable: number[] = [];
    // Threads below `from` have ended, blocked or failed: adding events never changes that, so
    // later steps of this extension skip them instead of rescanning them every step.
    let from = 0;
    for (;;) {
      let tid = -1;
      // Threads that may be stalled (mayStall), lowest first: whether they are is asked (a
      // second run of the body) only when another thread could run instead.
      const maybe = this.maybeStalled;
      if (maybe.length) maybe.length = 0;
      if (runnable.length) runnable.length = 0;
      for (let t = from; t < g.threads.length; t++) {
        if (!g.exists(t)) continue;
        const rt = this.rts[t];
        rt.sync(g);
        if (rt.due !== Due.None) {
          // A read whose write part or Block is still to come: finish it first (rule 1).
          if (!this.finishDue(g.last(t) as Ev)) return false;
        }
        if (this.runnable(t)) {
          if (!this.chooser) {
            if (this.mayStall(t)) { maybe.push(t); continue; }
            tid = this.firstUnstalled(maybe, t);
            break;
          }
          runnable.push(t);
        } else if (t === from && this.terminal(t)) {
          from = t + 1;
        }
      }
      // Only threads that may be stalled can run: the lowest that is not goes; if all are (or
      // only one is left), the lowest goes, and blocks.
      if (tid < 0 && maybe.length) tid = maybe.length === 1 ? maybe[0] : this.firstUnstalled(maybe, maybe[0]);
      if (this.chooser && runnable.length) {
        if (this.chooser.parks) this.park(runnable);
        tid = this.chooser.thread(runnable);
        // Its reads may have been taken back (takeBack) since the loop above synced it.
        if (tid >= 0 && this.chooser.parks) this.rts[tid].sync(g);
      }
      if (tid < 0) return true;
      if ((g.byStamp.length & this.heapMask) === 0) this.checkHeap();
      if (g.byStamp.length >= this.maxEvents) {
        throw new ModelError(`an execution grew past ${this.maxEvents} events in thread ${this.rts[tid].name}` +
          `${this.rts[tid].op?.fn ? ` (in ${this.rts[tid].op!.fn})` : ''}: a loop that never ends? ` +
          'Write spin loops with t.await(loc, pred), which explores them without unrolling.', this.rts[tid].siteAt(g, g.threads[tid].length));
      }
      this.choice = 0;
      const ok = this.step(tid);
      if (this.chooser) this.steps.push(tid, this.choice);
      if (!ok) return false;
      if (this.sym !== null) {
        // Each event's symmetric predecessor is fixed as it is added (GenMC's updateLabelViews).
        this.markSym();
        if (this.sym.isSymmetric(tid) && !this.sym.ordered(g)) return this.cutUnordered();
      }
    }
  }

  /**
   * Linear mode with a parking chooser (random sampling): a thread whose wait (await, lock)
   * the current memory cannot satisfy is parked — not offered to the chooser — while another
   * thread can run, as a spinning CPU makes no progress (docs/design/exploration.md §3.2). Counts the steps
   * each thread spends parked.
   */
  private park(runnable: number[]): void {
    const waiting: number[] = [];
    const free: number[] = [];
    for (const t of runnable) {
      if (this.waits(t)) waiting.push(t);
      else free.push(t);
    }
    if (free.length === 0) return; // nothing else can run: let the wait happen (and block)
    for (const t of waiting) this.parked[t] = (this.parked[t] ?? 0) + 1;
    runnable.length = 0;
    runnable.push(...free);
  }

  /**
   * Sampling: thread t (synced, runnable) would make no progress if run now: its await or lock
   * cannot be satisfied by the current memory, or its reads were taken back (takeBack) and no
   * location it read has been written since.
   */
  private waits(t: number): boolean {
    const g = this.g;
    const op = this.rts[t].op;
    if (op && (op.kind === OpKind.Await || op.kind === OpKind.Lock)) {
      const list = g.co[op.loc];
      if (blocksAfter(op, list[list.length - 1].val)) return true;
    }
    const w = this.wake[t];
    if (w === undefined || w === null) return false;
    for (let i = 0; i < w.length; i += 2) {
      if (g.co[w[i]].length !== w[i + 1]) { this.wake[t] = null; return false; }
    }
    return true;
  }

  /** Linear mode: steps each thread spent parked in a wait (see park). */
  readonly parked: number[] = [];
  /** Sampling: per thread whose reads were taken back, (location, co length then) pairs; null: none. */
  private readonly wake: (number[] | null)[] = [];
  /** Sampling: how many times a thread's reads were taken back instead of blocking it. */
  takenBack = 0;

  /**
   * Sampling: thread tid is about to block (a failed assume() or a wait) after reading values
   * that a later write may change, while another thread can still make progress. A random walk
   * that blocks it there throws the execution away: a spinning CPU would re-read instead. So
   * its events since its last write — reads and fences only, which no other event depends on
   * (a read is nobody's source, and nothing of the thread follows them) — are taken back, as if
   * the thread had not run them yet, and it is parked until one of the locations it read is
   * written. The execution stays one of the program's: the thread runs those steps again later.
   * Returns false (block it) when there is no read to take back or no other thread can run.
   */
  private takeBack(tid: number): boolean {
    const g = this.g;
    const th = g.threads[tid];
    let n = th.length;
    let reads = 0;
    while (n > 0) {
      const e = th[n - 1];
      if (e.kind === EvKind.Read) reads++;
      else if (e.kind !== EvKind.Fence) break;
      n--;
    }
    if (reads === 0) return false;
    let other = false;
    for (let t = 0; t < g.threads.length && !other; t++) {
      if (t === tid || !g.exists(t) || this.terminal(t)) continue;
      const rt = this.rts[t];
      rt.sync(g);
      other = rt.due !== Due.None || (this.runnable(t) && !this.waits(t));
    }
    if (!other) return false;
    const wake: number[] = [];
    for (let i = th.length - 1; i >= n; i--) {
      const e = th[i];
      if (e.kind !== EvKind.Read) continue;
      g.unsetRf(e);
      const rs = g.reads[e.loc];
      rs.splice(rs.lastIndexOf(e), 1);
      wake.push(e.loc, g.co[e.loc].length);
    }
    th.length = n;
    const bs = g.byStamp;
    let k = 0;
    for (let i = 0; i < bs.length; i++) {
      const e = bs[i];
      if (e.tid === tid && e.idx >= n) continue;
      e.stamp = k;
      bs[k++] = e;
    }
    bs.length = k;
    this.wake[tid] = wake;
    this.rts[tid].dirty = true;
    this.takenBack++;
    return true;
  }

  /**
   * Stalling a failed compare-and-swap (docs/design/exploration.md §3.2): thread t's pending op is a
   * cmpxchg that the co-latest write of its location makes fail, and the body answers that failure
   * with a failing assume() (a CAS loop whose failed iterations are cut, as GenMC's spin-assume
   * does), or a plain load whose co-latest value the body answers with a failing assume() (a
   * "go on only if it already reads X" check, e.g. the allocator reusing a page only if it is
   * free now). Its read is then added only once another write makes the CAS succeed, or when no
   * other thread can run. This changes only the order in which `next` adds events, still a
   * function of the graph alone (§2.1: any such order explores the same graphs; stall.test.ts
   * checks it against brute force and against the search without stalling). What it saves is the
   * failed read added early, left reading a value a later write overwrites: that leaf was counted
   * as blocked, and now the read comes after that write, so reading the old value is stale and
   * pruned (§3.1). Never in linear mode (a chooser picks the thread).
   */
  private mayStall(t: number): boolean {
    if (this.opts.stall === false) return false;
    const op = this.rts[t].op;
    if (op === null || op.dep === DepKind.Addr) return false;
    const list = this.g.co[op.loc];
    const w = list[list.length - 1];
    if (op.kind === OpKind.Rmw) {
      if (op.rmw !== RmwKind.Cmpxchg) return false;
      if (this.g.ghosts !== null && this.activeGhost(t) !== null) return true; // stalls() asks the ghost
      return w.val !== op.a && w.life === Life.None; // it would fail, on live memory
    }
    // A load that may see freed memory (t.mayBeFreed(): the allocator's or the slab's own look at
    // a free object) answered by a failing assume() stalls the same way: "reuse it only if it is
    // free now", whose read came before the free was queued. Only those loads are asked: asking
    // every load of a typed object's fields (the second run of the body at each) cost kernel
    // scenarios 40-70% more CPU than the blocked executions it saved (gup-fast-vs-zap walkers=3:
    // 806 of them, folio_alloc()'s plain load of the freed flag).
    return op.kind === OpKind.Load && op.freedOk;
  }

  /** Thread t (mayStall) is stalled: its body would answer the co-latest value with a failing assume(). */
  private stalls(t: number): boolean {
    const op = this.rts[t].op as Op;
    const w = this.g.co[op.loc][this.g.co[op.loc].length - 1];
    if (op.kind === OpKind.Rmw && this.g.ghosts !== null) {
      // A ghost's CAS runs once the co-latest write is one it may read and makes it succeed.
      const gh = this.activeGhost(t);
      if (gh !== null) return !(this.ghostCompatible(this.g.co[gh.w.loc], gh, w) && (w.val === op.a || w.life !== Life.None));
    }
    return this.rts[t].stallsAfter(this.g, w.val);
  }

  /** The first of `maybe` (lowest first) that is not stalled, else `other`. */
  private firstUnstalled(maybe: readonly number[], other: number): number {
    for (let i = 0; i < maybe.length; i++) if (!this.stalls(maybe[i])) return maybe[i];
    return other;
  }

  /** Thread t's last event is End, Block or Error. */
  private terminal(t: number): boolean {
    const last = this.g.last(t);
    return last !== null && (last.kind === EvKind.End || last.kind === EvKind.Block || last.kind === EvKind.Error);
  }

  private runnable(t: number): boolean {
    const last = this.g.last(t);
    if (last && (last.kind === EvKind.End || last.kind === EvKind.Block || last.kind === EvKind.Error)) return false;
    const op = this.rts[t].op;
    if (op && op.kind === OpKind.Join) {
      const child = this.g.threads[op.a];
      const cl = child && child.length ? child[child.length - 1] : null;
      return cl !== null && cl.kind === EvKind.End;
    }
    return true;
  }

  private step(tid: number): boolean {
    const g = this.g;
    const rt = this.rts[tid];
    const op = rt.op;
    if (op === null) {
      const e = g.newEvent(EvKind.End, tid);
      e.opKind = 255 as OpKind;
      g.push(e);
      return true;
    }
    if (this.sym !== null) this.sym.step(tid, op);
    switch (op.kind) {
      case OpKind.Load: case OpKind.Await: case OpKind.Rmw: case OpKind.Lock: case OpKind.Trylock:
        return this.addRead(tid, op);
      case OpKind.Store: case OpKind.Free: case OpKind.Alloc:
        return this.addWrite(tid, op, op.a);
      case OpKind.Unlock:
        return this.addWrite(tid, op, 0);
      case OpKind.Fence: {
        const e = this.newFromOp(EvKind.Fence, tid, op);
        e.tag = op.tag as string;
        e.label = op.name;
        g.push(e);
        rt.advance(0);
        return true;
      }
      case OpKind.Spawn: {
        const e = this.newFromOp(EvKind.Spawn, tid, op);
        const child = this.childTid(tid, e.idx);
        if (child < 0) return false;
        e.val = child;
        e.tag = op.name;
        e.body = op.body;
        g.push(e);
        g.slots[child].spawn = e;
        const c = this.rts[child];
        c.bind(e);
        c.dirty = true;
        rt.advance(child);
        return true;
      }
      case OpKind.Join: {
        const e = this.newFromOp(EvKind.Join, tid, op);
        const child = g.threads[op.a];
        joinView(e, child[child.length - 1].view);
        e.val = op.a;
        g.push(e);
        rt.advance(0);
        return true;
      }
      case OpKind.Assume: {
        if (this.chooser !== null && this.chooser.parks === true && this.takeBack(tid)) return true;
        const e = this.newFromOp(EvKind.Block, tid, op);
        e.block = BlockReason.Assume;
        g.push(e);
        return !this.prunable(tid, true);
      }
      case OpKind.Assert: {
        const e = this.newFromOp(EvKind.Error, tid, op);
        const m = op.tag;
        e.tag = typeof m === 'function' ? userCall('an assertion message', m) : (m ?? 'assertion failed');
        e.inv = op.inv;
        g.push(e);
        return true;
      }
      default:
        throw new Error(`unknown operation kind ${op.kind}`);
    }
  }

  private newFromOp(kind: EvKind, tid: number, op: Op): Ev {
    const e = this.g.newEvent(kind, tid);
    e.opKind = op.kind;
    e.fn = op.fn;
    e.fnId = op.fnId;
    e.mode = op.mode;
    e.dep = op.dep;
    e.depLoc = op.depLoc;
    return e;
  }

  /**
   * The tid of the thread `parent` spawns with its event `idx`: keyed by the spawns the parent
   * made before, so it does not depend on which of the parent's RMWs wrote. A new key takes the
   * next tid, or in linear mode the one the chooser asks for (replay); -1: refused.
   */
  private childTid(parent: number, idx: number): number {
    const th = this.g.threads[parent];
    let k = 0;
    for (let i = 0; i < th.length; i++) if (th[i].kind === EvKind.Spawn) k++;
    const ids = (this.spawnIds[parent] ??= []);
    const known = ids[k];
    if (known !== undefined) return known;
    this.spawnsMet++;
    let child = this.rts.length;
    const want = this.chooser?.spawnId ? this.chooser.spawnId(parent, idx) : 0;
    if (want !== 0) {
      const bad = !Number.isInteger(want) || want <= parent || want < this.inst.threads.length ? 'is not a later thread'
        : this.taken[want] ? 'is in use' : want > this.rts.length + MAX_SPAWN_GAP ? 'is out of range' : null;
      if (bad !== null) {
        this.chooser?.refuse?.(`thread ${this.rts[parent].name} spawns a thread with id ${want}, which ${bad}`);
        return -1;
      }
      child = want;
      this.choice = want === this.rts.length ? 0 : want;
    }
    // Ids left unused by a replay that follows someone else's numbering hold placeholders.
    while (this.rts.length <= child) {
      const t = this.rts.length;
      this.rts.push(new ThreadRt(t, `thread${t}`, noBody, this.inst.locs.length, true, this.opts.model.checkedFences ?? []));
      this.taken.push(false);
    }
    this.taken[child] = true;
    ids[k] = child;
    this.ensureThreads();
    return child;
  }

  private ensureThreads(): void {
    for (const f of this.frames) f.g.ensureThreads(this.rts.length);
    this.g.ensureThreads(this.rts.length);
    this.heapMask = heapCheckMask(this.rts.length);
  }

  private checkHeap(): void {
    checkHeap(`exploring ${this.inst.program.name}`, 'bound the run: fewer threads or a smaller --param');
  }

  /** The lowest co position a new access with porf-view v may read from / be placed after. */
  private coLower(loc: number, v: number[]): number {
    if (!this.opts.model.porfCoherent) return 0;
    const g = this.g;
    const list = g.co[loc];
    let lo = 0;
    for (let i = list.length - 1; i > 0; i--) if (inView(v, list[i])) { lo = i; break; }
    const rs = g.reads[loc];
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if (r.rf !== null && r.rf.coPos > lo && inView(v, r)) lo = r.rf.coPos;
    }
    return lo;
  }

  private addRead(tid: number, op: Op): boolean {
    const g = this.g;
    const r = this.newFromOp(EvKind.Read, tid, op);
    r.loc = op.loc;
    r.rmw = op.rmw;
    r.excl = op.kind === OpKind.Rmw || op.kind === OpKind.Lock || op.kind === OpKind.Trylock;
    const lo = this.coLower(op.loc, r.view);
    const list = g.co[op.loc];
    const pos = list.length - 1;
    g.push(r);
    if (this.chooser) {
      const cands: Ev[] = [];
      for (let p = pos; p >= lo; p--) cands.push(list[p]);
      const order = this.chooser.order(r, cands);
      // Sampling tries the sources a waiting read is satisfied by first, and never one whose
      // next write in co is another RMW's (this RMW could not write there: the run would die).
      const sampling = this.chooser.parks === true;
      for (let pass = sampling ? 0 : 1; pass < 2; pass++) {
        for (const k of order) {
          if (k < 0 || k >= cands.length) continue;
          if (sampling) {
            const c = cands[k];
            if (r.excl && c.coPos + 1 < list.length && list[c.coPos + 1].excl && writePartValue(op, c.val) !== undefined) continue;
            if ((pass === 0) === blocksAfter(op, c.val)) continue;
          }
          g.setRf(r, cands[k]);
          if (k === 0 || this.opts.model.consistentStep(g, [r])) { this.choice = k; return this.completeRead(r); }
          g.unsetRf(r);
          this.resetView(r);
        }
      }
      return false;
    }
    g.setRf(r, list[pos]);
    if (pos - 1 >= lo) this.top().items.push({ type: READ, s: r.stamp, pos: pos - 1, lo, d: this.depth + 1 });
    if (this.sym !== null && this.sym.rmwTaken(g, r, list[pos])) return false;
    if (g.ghosts !== null && !this.ghostRf(r, r.rf as Ev)) return false;
    return this.completeRead(r);
  }

  /** After read r got its value: add its write part or Block if due, else resume the thread. */
  private completeRead(r: Ev): boolean {
    const rt = this.rts[r.tid];
    const op = rt.op as Op;
    if ((r.rf as Ev).life !== Life.None || r.dep === DepKind.Addr) {
      const f = readFault(this.g, r, op.freedOk);
      if (f !== Fault.None) return this.stopAtFault(r, f);
    }
    const v = r.val;
    const wv = writePartValue(op, v);
    if (wv !== undefined) return this.addWritePart(r, op, wv);
    if (blocksAfter(op, v)) {
      if (this.chooser !== null && this.chooser.parks === true && this.takeBack(r.tid)) return true;
      const b = this.g.newEvent(EvKind.Block, r.tid);
      b.opKind = op.kind;
      b.fn = op.fn;
      b.fnId = op.fnId;
      b.block = op.kind === OpKind.Lock ? BlockReason.Lock : BlockReason.Await;
      this.g.push(b);
      rt.due = Due.None;
      return !this.prunable(r.tid, false);
    }
    rt.advance(readResult(op, v));
    return true;
  }

  /** A use-after-free at read r: the thread stops there (an Error event), as KASAN would stop it. */
  private stopAtFault(r: Ev, f: Fault): boolean {
    const rt = this.rts[r.tid];
    const op = rt.op as Op;
    const e = this.g.newEvent(EvKind.Error, r.tid);
    e.opKind = op.kind;
    e.fn = op.fn;
    e.fnId = op.fnId;
    const obj = this.inst.locObj[r.loc];
    e.inv = obj >= 0 ? this.inst.objects[obj].invariant : null;
    e.tag = this.faultMessage(r, r.rf as Ev, f);
    this.g.push(e);
    rt.due = Due.None;
    return true;
  }

  /** "use-after-free: CPU0 gup_fast_pte_range reads T1[0]; T1 was freed by CPU1 in pte_free …". */
  private faultMessage(e: Ev, src: Ev, f: Fault): string {
    const inst = this.inst;
    const names = this.threadNames;
    const obj = inst.locObj[e.loc];
    const what = obj >= 0 ? inst.objects[obj].name : inst.locs[e.loc].name;
    const who = `${names[e.tid]}${e.fn ? ` ${e.fn}` : ''}`;
    const verb = e.kind === EvKind.Read ? (e.opKind === OpKind.Lock || e.opKind === OpKind.Trylock ? 'locks' : e.opKind === OpKind.Rmw ? 'updates' : 'reads')
      : e.life === Life.Free ? 'frees' : 'writes';
    const site = (w: Ev | null): string => (w && w.tid >= 0 ? `${names[w.tid]}${w.fn ? ` in ${w.caller && w.caller !== w.fn ? `${w.caller} (${w.fn})` : w.fn}` : ''}` : 'its owner');
    const { free, alloc } = faultWrites(this.g, e, src);
    const kind = f === Fault.DoubleFree ? 'double free' : 'use-after-free';
    const never = free === null && obj >= 0 && inst.objects[obj].unallocated !== null;
    let m = `${kind}: ${who} ${verb} ${inst.locs[e.loc].name}; ${what} ${never ? `was never allocated (${inst.objects[obj].unallocated})` : `was freed by ${site(free)}`}`;
    if (f === Fault.Stale) {
      const p = pointerRead(this.g, e);
      m += ` and reallocated by ${site(alloc)}; the pointer ${names[e.tid]} used was read from ${p ? inst.locs[p.loc].name : 'memory'} before that`;
    }
    return m;
  }

  /** Like completeRead, for a thread that was re-synced (its op is still the read's op only if due). */
  private finishDue(r: Ev): boolean {
    const rt = this.rts[r.tid];
    rt.sync(this.g);
    if (rt.due === Due.None) return true;
    return this.completeRead(r);
  }

  private addWritePart(r: Ev, op: Op, val: Val): boolean {
    const g = this.g;
    const w = this.newFromOp(EvKind.Write, r.tid, op);
    w.loc = r.loc;
    w.rmw = r.rmw;
    w.val = val;
    w.excl = true;
    g.push(w);
    const src = r.rf as Ev;
    const list = g.co[w.loc];
    const conflict = src.coPos + 1 < list.length && list[src.coPos + 1].excl;
    const last = src.coPos + 1 === list.length;
    g.insertCo(w, src.coPos);
    if (!this.chooser) this.pushRevisits(w);
    this.rts[r.tid].advance(readResult(op, r.val));
    if (conflict) return false;
    return last || this.opts.model.consistentStep(g, [w]);
  }

  private addWrite(tid: number, op: Op, val: Val): boolean {
    const g = this.g;
    const w = this.newFromOp(EvKind.Write, tid, op);
    w.loc = op.loc;
    w.val = val;
    if (op.kind === OpKind.Free) { w.life = Life.Free; w.caller = op.caller; }
    else if (op.kind === OpKind.Alloc) w.life = Life.Alloc;
    const lo = this.coLower(op.loc, w.view);
    const list = g.co[op.loc];
    const pos = list.length - 1;
    g.push(w);
    if (this.chooser) {
      const places: Ev[] = [];
      for (let p = this.nextPlacement(list, pos, lo); p >= 0; p = this.nextPlacement(list, p - 1, lo)) places.push(list[p]);
      for (const k of this.chooser.order(w, places)) {
        if (k < 0 || k >= places.length) continue;
        g.insertCo(w, places[k].coPos);
        if (k === 0 || this.opts.model.consistentStep(g, [w])) {
          this.choice = k;
          this.rts[tid].advance(0);
          return true;
        }
        g.removeCo(w);
      }
      return false;
    }
    const next = this.nextPlacement(list, pos - 1, lo);
    g.insertCo(w, pos);
    if (next >= 0) this.top().items.push({ type: WRITE, s: w.stamp, pos: next, lo, d: this.depth + 1 });
    this.pushRevisits(w);
    this.rts[tid].advance(0);
    return true;
  }

  /** The highest position p ≤ from, p ≥ lo, after which a write may go (not splitting an RMW). */
  private nextPlacement(list: Ev[], from: number, lo: number): number {
    for (let p = from; p >= lo; p--) if (p + 1 >= list.length || !list[p + 1].excl) return p;
    return -1;
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1];
  }

  /**
   * Blocked-branch pruning (docs/design/exploration.md §3.1): a thread blocked after a read that no revisit
   * can ever change stays blocked in every leaf below, which are then not worth visiting.
   * Await/lock blocks are pruned only when the read is stale (not a possible hang). Never in
   * linear mode: there is no search to spare, and the run must reach the leaf it follows (a
   * replay adds events in another order than the search did, so a read the search did not find
   * stale can look stale to it).
   */
  private prunable(tid: number, isAssume: boolean): boolean {
    if (this.chooser) return false;
    const th = this.g.threads[tid];
    for (let i = th.length - 2; i >= 0; i--) {
      const e = th[i];
      if (e.kind === EvKind.Write) return false;
      if (e.kind !== EvKind.Read) continue;
      if (isAssume && !e.revisitable) return true;
      const src = e.rf as Ev;
      const list = this.g.co[e.loc];
      // A ghost's read added again is stale only by a write it may read (readdedMaximal): others
      // co-after its source leave it revisitable.
      const gh = this.g.ghosts !== null ? this.readdedGhost(e) : null;
      for (let p = src.coPos + 1; p < list.length; p++) if (list[p].stamp < e.stamp && (gh === null || this.ghostCompatible(list, gh, list[p]))) return true;
      return false;
    }
    return false;
  }

  // ---------------------------------------------------------------- backward revisits

  /** SPORE: fixes Ev.symIdx for the events added since the last call (a suffix of the stamp order). */
  private markSym(): void {
    const bs = this.g.byStamp;
    const sym = this.sym as Symmetry;
    let k = bs.length - 1;
    while (k >= 0 && bs[k].symIdx === -2) k--;
    for (k++; k < bs.length; k++) {
      const e = bs[k];
      e.symIdx = sym.isSymmetric(e.tid) ? sym.symPredIdx(this.g, e) : -1;
    }
  }

  /**
   * The prefix of e that a backward revisit by e, and maximality, look at: its porf-prefix
   * (Ev.view), or under symmetry reduction SPORE's enlarged one (prefixOf).
   */
  private prefix(e: Ev): number[] {
    return this.sym === null ? e.view : this.prefixOf(e);
  }

  /**
   * May the read of ghost gh read z? Its own write, or a write whose backward revisit of the read
   * (standing at gs, reading gh.w) would pass maximal: gh.w is in z's prefix and no other write
   * co-after gh.w is older than the read or in z's prefix (Explorer.ghostable).
   */
  private ghostCompatible(co: Ev[], gh: Ghost, z: Ev): boolean {
    const w = gh.w;
    if (z === w) return true;
    const zv = this.prefix(z);
    if (!inView(zv, w)) return false;
    for (let p = w.coPos + 1; p < co.length; p++) {
      const y = co[p];
      if (y !== z && (y.stamp < gh.gs || inView(zv, y)) && !inView(this.prefix(y), w)) return false;
    }
    return true;
  }

  /**
   * SPORE: w's prefix as GenMC's prefix view with updatePrefixWithSymmetries has it — the
   * porf-prefix closed under taking in, for each event, its symmetric predecessor's event at
   * symIdx (and so that one's prefix and source). What a backward revisit by w keeps, which
   * reads it may take, and maximality all use it.
   */
  private prefixOf(w: Ev): number[] {
    // The events in w's view, and their symIdx, are fixed while w stays with that view: the
    // prefix is computed once per event (as GenMC keeps it in the label's view).
    if (w.sview !== null) return w.sview;
    this.markSym();
    const g = this.g;
    const sym = this.sym as Symmetry;
    const v = w.view.slice();
    const done: number[] = [];
    for (let t = 0; t < v.length; t++) done.push(-1);
    for (let changed = true; changed;) {
      changed = false;
      for (let t = 0; t < v.length; t++) {
        const th = g.threads[t];
        const p = t < sym.pred.length ? sym.pred[t] : -1;
        for (let i = done[t] + 1; i <= v[t] && th !== undefined && i < th.length; i++) {
          done[t] = i;
          const si = th[i].symIdx;
          if (p < 0 || si < 0) continue;
          const pv = g.threads[p][si].view;
          for (let u = 0; u < pv.length; u++) {
            if (u >= v.length) { v.push(-1); done.push(-1); }
            if (pv[u] > v[u]) { v[u] = pv[u]; changed = true; }
          }
        }
      }
    }
    w.sview = v;
    return v;
  }

  private pushRevisits(w: Ev): void {
    const g = this.g;
    const rs = g.reads[w.loc];
    const bs = g.byStamp;
    const wv = this.prefix(w);
    let k = w.stamp - 1;
    const items = this.top().items;
    // A revisit of a read older than a ghost deletes the ghost: allowed only when the ghost's
    // read, standing where it stood and reading its write, would pass maximal (ghostMaximal).
    const ghosts = g.ghosts;
    let gb = -1;
    if (ghosts !== null) for (const gh of ghosts) if (gh.gs > gb && !this.ghostMaximal(gh, w, wv)) gb = gh.gs;
    for (let i = rs.length - 1; i >= 0; i--) {
      const r = rs[i];
      if (r.stamp < gb) return;
      if (!r.revisitable || inView(wv, r)) continue;
      if (ghosts !== null && !this.ghostRf(r, w)) continue;
      for (; k > r.stamp; k--) {
        const e = bs[k];
        if (!inView(wv, e) && !this.maximal(e, w, wv)) return;
      }
      if (!this.maximal(r, w, wv)) return;
      items.push({ type: REV, s: w.stamp, pos: r.stamp, lo: 0, d: this.depth + 1 });
    }
  }

  /** docs/design/exploration.md §2.4: e was added maximally w.r.t. the events before it and w's prefix. */
  private maximal(e: Ev, w: Ev, wv: number[]): boolean {
    if (this.g.ghosts !== null) {
      const gh = this.readdedGhost(e);
      if (gh !== null) return this.readdedMaximal(gh, w, wv);
    }
    let s: Ev;
    if (e.kind === EvKind.Read) s = e.rf as Ev;
    else if (e.kind === EvKind.Write) s = e;
    else return true;
    const st = e.stamp;
    if (s !== e && s.tid >= 0 && !(s.stamp < st || (s !== w && inView(wv, s)))) return false;
    const list = this.g.co[s.loc];
    for (let p = s.coPos + 1; p < list.length; p++) {
      const y = list[p];
      if (y !== w && (y.stamp < st || y === e || inView(wv, y))) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- ghosts (failed CAS reads taken out)

  /**
   * In-place removal of a failing compare-and-swap read (docs/design/exploration.md §3.2, as GenMC's
   * removeCASReadIfBlocks): the backward revisit of r by w gives r a value that makes its CAS fail,
   * and r's body answers the failure with assume(false). Then r is taken out of the revisited graph
   * instead of blocking its thread there: the thread is back before its CAS, stalled like any
   * failing CAS, and reads again once a write it may read makes it succeed, or when nothing else
   * can run. Its new read may read only w or a write that comes from w (ghostCompatible): the graphs
   * the revisit by w stands for are those where r reads w (blocked) or was revisited again by a
   * write that has w in its prefix; any other source belongs to another branch of the search.
   * Deleting the ghost follows maximal() for r as it stood (ghostMaximal); deleting the read added
   * again, maximal() among the writes it may read (readdedMaximal). Checked against brute force by
   * test/engine/stall.test.ts, which found each of these rules.
   */
  private ghostable(r: Ev, w: Ev): boolean {
    if (r.opKind !== OpKind.Rmw || r.rmw !== RmwKind.Cmpxchg || r.dep === DepKind.Addr || w.life !== Life.None) return false;
    // A CAS that succeeded expected what it read: w's value makes it succeed too, no re-run needed.
    const th = this.g.threads[r.tid];
    if (w.val === r.val && r.idx + 1 < th.length && th[r.idx + 1].excl) return false;
    return this.rts[r.tid].casStallsAt(this.g, r.idx, w.val);
  }

  /** The ghost of thread t while its read is out (t has not run its CAS again), or null. */
  private activeGhost(t: number): Ghost | null {
    const ghosts = this.g.ghosts as Ghost[];
    const n = this.g.threads[t].length;
    for (const gh of ghosts) if (gh.tid === t && gh.idx === n) return gh;
    return null;
  }

  private isActive(gh: Ghost): boolean {
    return this.g.threads[gh.tid].length === gh.idx;
  }

  /** May read r (of thread r.tid, at r.idx) read from z, as far as ghosts go? */
  private ghostRf(r: Ev, z: Ev): boolean {
    for (const gh of this.g.ghosts as Ghost[]) if (gh.tid === r.tid && gh.idx === r.idx) return this.ghostCompatible(this.g.co[gh.w.loc], gh, z);
    return true;
  }

  /**
   * A ghost whose write w a write co-before position gs follows in co: its read would be stale
   * (§3.1), so nothing below can change it and every leaf is blocked: the branch is dropped.
   */
  private ghostStaleAt(w: Ev): boolean {
    for (const gh of this.g.ghosts as Ghost[]) {
      if (gh.w !== w || !this.isActive(gh)) continue;
      const list = this.g.co[w.loc];
      for (let p = w.coPos + 1; p < list.length; p++) if (list[p].stamp < gh.gs) return true;
    }
    return false;
  }

  /**
   * The ghost whose read is e (added again) or whose read's write part is e, or null. Such a
   * read is not added by extend() reading the co-latest write: only writes ghostCompatible
   * allows are its candidates.
   */
  private readdedGhost(e: Ev): Ghost | null {
    if (e.kind !== EvKind.Read && !(e.kind === EvKind.Write && e.excl)) return null;
    const idx = e.kind === EvKind.Read ? e.idx : e.idx - 1;
    for (const gh of this.g.ghosts as Ghost[]) if (gh.tid === e.tid && gh.idx === idx && !this.isActive(gh)) return gh;
    return null;
  }

  /**
   * maximal() for a ghost's read added again (and its write part), w.r.t. revisiting write w: its
   * source is older than it or in w's prefix, and no write co-after that source, older than the
   * read or in w's prefix, is one ghostCompatible lets it read. A write the read may not read
   * does not make it non-maximal: no branch reads it there, so deleting the read cannot lead to
   * the same graph twice; and its write part's place in co follows from the source.
   */
  private readdedMaximal(gh: Ghost, w: Ev, wv: number[]): boolean {
    const g = this.g;
    const r = g.threads[gh.tid][gh.idx];
    const s = r.rf as Ev;
    const st = r.stamp;
    if (s.tid >= 0 && !(s.stamp < st || (s !== w && inView(wv, s)))) return false;
    const co = g.co[s.loc];
    const th = g.threads[gh.tid];
    const part = gh.idx + 1 < th.length && th[gh.idx + 1].excl ? th[gh.idx + 1] : null;
    for (let p = s.coPos + 1; p < co.length; p++) {
      const y = co[p];
      if (y === w || y === part) continue;
      if ((y.stamp < st || inView(wv, y)) && this.ghostCompatible(co, gh, y)) return false;
    }
    return true;
  }

  /**
   * May the read r, added again under ghost gh, be taken out again by w's revisit (a ghost of w
   * at gh's position gs, apply)? Only as the read standing at gs, reading what r reads,
   * would be revisited: r's source older than gs or in w's prefix (maximal()'s first condition
   * there; its others are readdedMaximal's, asked before the revisit was pushed). w's place in co
   * follows from its read (an RMW's write part): a write whose places are enumerated is explored
   * by restricting the graph to its stamp, which would drop the events moved after it. And
   * another ghost standing between gs and r has its write in w's prefix: the events from its
   * position to its write are that write's prefix, so in w's too, and none of them moves; its
   * position moves back by the events before it that move after w (apply).
   */
  private outAgain(gh: Ghost, r: Ev, w: Ev, wv: number[]): boolean {
    if (!w.excl) return false;
    const s = r.rf as Ev;
    if (s.stamp >= gh.gs && !inView(wv, s)) return false;
    for (const o of this.g.ghosts as Ghost[]) if (o !== gh && o.gs > gh.gs && o.gs <= r.stamp && o.w !== w && !inView(wv, o.w)) return false;
    return true;
  }

  /** maximal() for the ghost's read as it stood (stamp position gs, reading gh.w), w.r.t. revisiting write w. */
  private ghostMaximal(gh: Ghost, w: Ev, wv: number[]): boolean {
    let s = gh.w;
    if (!this.isActive(gh)) {
      const r = this.g.threads[gh.tid][gh.idx];
      if (inView(wv, r)) return true; // kept by the revisit
      s = r.rf as Ev;
    }
    if (s === w || !inView(wv, s)) return false;
    const list = this.g.co[s.loc];
    for (let p = s.coPos + 1; p < list.length; p++) {
      const y = list[p];
      if (y !== w && (y.stamp < gh.gs || inView(wv, y))) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- backtracking

  private backtrack(): boolean {
    for (;;) {
      const f = this.frames[this.frames.length - 1];
      if (!f) return false;
      const item = f.items.pop();
      if (!item) { this.frames.pop(); continue; }
      if (f.g !== this.g) {
        this.g = f.g;
        this.g.ensureThreads(this.rts.length);
        for (const rt of this.rts) rt.dirty = true;
      }
      if (item.d <= this.splitDepth) {
        const a = (this.split as SplitHook).task(item.d, this);
        if (a === TASK_STOP) return false;
        if (a === TASK_SKIP) { this.skip(item); continue; }
        this.muted = a === TASK_MUTED;
      }
      this.depth = item.d;
      let ok: boolean;
      try {
        ok = this.apply(item);
      } catch (e) {
        ok = this.rejectPrefix(e);
      }
      if (ok && this.sym !== null && !this.sym.ordered(this.g)) ok = this.cutUnordered();
      if (ok) return true;
    }
  }

  /**
   * Symmetry reduction (SPORE): the current graph is unordered (Symmetry.ordered fails), so no
   * ordered leaf is reached through it (docs/design/symmetry.md §2); the branch is dropped. The
   * revisits its newest write pushed lead only to graphs below it and go too (its other
   * alternatives, pushed before, are not below it).
   */
  private cutUnordered(): false {
    const g = this.g;
    const items = this.top().items;
    const last = g.byStamp.length - 1;
    while (items.length && items[items.length - 1].type === REV && items[items.length - 1].s === last) items.pop();
    this.symCut++;
    if (!this.muted) this.clock();
    return false;
  }

  /**
   * Leaves out the subtree of the alternative `it` names, keeping its later siblings: a read's
   * next source or a write's next co placement goes back on the worklist as apply would put it.
   */
  private skip(it: Item): void {
    if (it.type === READ) {
      if (it.pos - 1 >= it.lo) { it.pos--; this.top().items.push(it); }
    } else if (it.type === WRITE) {
      this.apply(it); // pushes nothing but the next placement, which it computes on the restricted graph
    }
  }

  private extendOrReject(): boolean {
    try {
      return this.extend();
    } catch (e) {
      return this.rejectPrefix(e);
    }
  }

  /**
   * The user's code threw (or looped past maxEvents) while the search built the current graph.
   * Under a model whose full check runs only at leaves (the LKMM), that graph may be a prefix
   * the model rejects, fed values no consistent execution gives: then it is not the user's
   * error, and the branch is dropped as the leaves below it would be. The LKMM's constraints
   * (acyclic, irreflexive, empty) are on relations that only grow as threads are extended, so a
   * prefix it rejects has no consistent extension. A prefix it accepts: the error is the user's.
   * Nondeterminism is the user's error whatever the values.
   */
  private rejectPrefix(e: unknown): false {
    const full = this.opts.model.consistentComplete;
    if (!(e instanceof ModelError) || e instanceof NondeterminismError || e instanceof ResourceError || e instanceof SymmetryError || !full || full(this.g)) throw e;
    // The body that threw is mid-run, and others may be: every thread re-runs from its events.
    for (const rt of this.rts) rt.dirty = true;
    if (!this.chooser && !this.muted) { this.rejected++; this.clock(); } // a linear run is counted by its caller (dead)
    return false;
  }

  private restrict(s: number): void {
    this.g.restrict(s, (e) => { this.rts[e.tid].dirty = true; });
  }

  private apply(it: Item): boolean {
    const g = this.g;
    const model = this.opts.model;
    if (it.type === READ) {
      this.restrict(it.s);
      const r = g.byStamp[it.s];
      g.unsetRf(r);
      this.resetView(r);
      const list = g.co[r.loc];
      g.setRf(r, list[it.pos]);
      // The popped item, advanced to the next source, goes back (no allocation per alternative).
      if (it.pos - 1 >= it.lo) { it.pos--; this.top().items.push(it); }
      const rt = this.rts[r.tid];
      rt.dirty = true;
      if (this.sym !== null && this.sym.rmwTaken(g, r, r.rf as Ev)) return false;
      if (g.ghosts !== null && !this.ghostRf(r, r.rf as Ev)) return false;
      if (!model.consistentStep(g, [r])) return false;
      return this.finishDue(r) && this.prefixHolds(r, r.rf as Ev);
    }
    if (it.type === WRITE) {
      this.restrict(it.s);
      const w = g.byStamp[it.s];
      g.removeCo(w);
      const list = g.co[w.loc];
      const next = this.nextPlacement(list, it.pos - 1, it.lo);
      g.insertCo(w, it.pos);
      if (next >= 0) { it.pos = next; this.top().items.push(it); }
      if (g.ghosts !== null && this.ghostStaleAt(w)) return false;
      const changed = [w];
      for (const x of w.readers as Ev[]) changed.push(x);
      return model.consistentStep(g, changed) && this.prefixHolds(w, w);
    }
    // REV: read at stamp it.pos now reads from the write at stamp it.s.
    this.restrict(it.s);
    const w = g.byStamp[it.s];
    const r = g.byStamp[it.pos];
    const wv = this.prefix(w);
    const rs = r.stamp;
    const old = g.ghosts;
    // A revisit that makes a stalling compare-and-swap fail takes its read out (a ghost); a read
    // added again under a ghost (rg) only when it may be taken out again (outAgain).
    const rg = old === null ? null : this.readdedGhost(r);
    const ghost = this.opts.ghosts !== false && this.opts.stall !== false && (rg === null || this.outAgain(rg, r, w, wv)) && this.ghostable(r, w);
    const keep = keptByRevisit(r, wv, !ghost);
    // Only threads that lose events, and r's, need a replay: every other thread has the same
    // events in h as in g, which its (not dirty) runtime state already matches.
    for (let t = 0; t < this.rts.length; t++) {
      const th = g.threads[t];
      if (t === r.tid || (th.length && !keep(th[th.length - 1]))) this.rts[t].dirty = true;
    }
    // When this item was the frame's last, g is never needed again: build h from g's own
    // events instead of copying them, and let h take over the frame.
    const reuse = this.top().items.length === 0;
    const h = reuse ? g.keepOnly(keep, w, ghost ? null : r) : g.copyKeeping(keep, w, ghost ? null : r);
    const r2 = ghost ? null : r.copy as Ev;
    const w2 = w.copy as Ev;
    for (const e of h.byStamp) if (e !== w2 && e !== r2 && inView(wv, e)) e.revisitable = false;
    const made: Ghost | null = ghost ? { tid: r.tid, idx: r.idx, w: w2, gs: rg === null ? rs : rg.gs } : null;
    if (old !== null || made !== null) h.ghosts = carryGhosts(old, rs, made);
    // Taken out again: the events kept from the first ghost's position on that are not w's
    // (added while the read was out) go after w, as they would come after the read standing there;
    // another ghost standing between keeps its place among w's prefix (outAgain).
    if (made !== null && rg !== null) {
      const bs = h.byStamp;
      const hg = h.ghosts as Ghost[];
      for (let i = 0; i < hg.length; i++) {
        const o = hg[i];
        if (o === made || o.gs <= rg.gs) continue;
        let moved = 0;
        for (let k = rg.gs; k < o.gs; k++) if (bs[k] !== w2 && !inView(wv, bs[k])) moved++;
        // A new record, not a store into o: V8 treats a field never stored after its object was
        // made as constant, and optimized code that read it so (ghostRf, pushRevisits) would be
        // thrown away and compiled again at the first store (refcount(3), docs/performance.md).
        if (moved > 0) hg[i] = { tid: o.tid, idx: o.idx, w: o.w, gs: o.gs - moved };
      }
      h.moveAfter(rg.gs, (e) => e === w2 || inView(wv, e));
    }
    this.g = h;
    if (!reuse) this.frames.push({ g: h, items: [] });
    if (r2 !== null) {
      this.resetView(r2);
      h.setRf(r2, w2);
    }
    const list = h.co[w2.loc];
    if (w2.excl) {
      // An RMW's write part goes immediately after the source of its read part.
      const src = (h.threads[w2.tid][w2.idx - 1].rf as Ev);
      if (src.coPos + 1 < list.length && list[src.coPos + 1].excl) return false;
      h.insertCo(w2, src.coPos);
    } else {
      const lo = this.coLower(w2.loc, w2.view);
      const pos = list.length - 1;
      const next = this.nextPlacement(list, pos - 1, lo);
      h.insertCo(w2, pos);
      if (next >= 0) this.top().items.push({ type: WRITE, s: w2.stamp, pos: next, lo, d: this.depth + 1 });
    }
    if (r2 === null) return !this.ghostStaleAt(w2) && model.consistentStep(h, [w2]);
    if (!model.consistentStep(h, [r2, w2])) return false;
    return this.finishDue(r2);
  }

  /**
   * Event e (a read given a stale source, or a write placed before the co-end: `at` is the
   * source or the write) is an alternative the search backtracked to. When a write co-after
   * `at` is in e's porf-prefix, e can never be maximal (§2.4): no revisit deletes e or changes
   * its source, and one that keeps e keeps its porf-prefix. So the porf-closed part made of e's
   * porf-prefix and e's own step (write part, Block) is in every graph below, with the same rf
   * and co, and if the model's full check rejects that part, every leaf below is rejected too
   * (exploration.md §7.5): the subtree is dropped at once. Without it, a retry loop whose read
   * under a lock may see a value the lock acquisition already ordered before it (coherence
   * alone allows that) is unrolled to maxEvents, every iteration a leaf the LKMM rejects.
   */
  private prefixHolds(e: Ev, at: Ev): boolean {
    const check = this.opts.model.consistentPrefix;
    if (check === undefined) return true;
    const list = this.g.co[at.loc];
    let witness = false;
    for (let p = at.coPos + 1; p < list.length && !witness; p++) witness = list[p] !== e && inView(e.view, list[p]);
    if (!witness) return true;
    const view = e.view.slice();
    view[e.tid] = this.g.threads[e.tid].length - 1; // e is the latest stamp: after it, only its step
    if (check(this.g, view)) return true;
    if (!this.muted) { this.rejected++; this.clock(); }
    return false;
  }

  /**
   * Resets a read's view to its po-predecessor's (before giving it a new source). Into a fresh
   * array: the old one may be shared with copies of the graph (Graph.copyKeeping).
   */
  private resetView(r: Ev): void {
    const g = this.g;
    const prev = r.idx > 0 ? g.threads[r.tid][r.idx - 1] : g.slots[r.tid].spawn;
    const n = r.view.length;
    const v = prev ? prev.view.slice() : [];
    while (v.length < n) v.push(-1);
    v[r.tid] = r.idx;
    r.view = v;
    r.sview = null;
  }

  // ---------------------------------------------------------------- leaves

  private leaf(): void {
    if (this.muted) return;
    this.clock();
    const g = this.g;
    // Under symmetry reduction only the one ordered execution of each class counts (symmetry.ts).
    if (this.sym !== null && !this.sym.ordered(g)) { this.unordered++; return; }
    const model = this.opts.model;
    if ((++this.leaves & (this.leaves - 1)) === 0) this.rerun();
    if (model.consistentComplete && !model.consistentComplete(g)) { this.rejected++; return; }
    if (model.flags) for (const f of model.flags(g)) this.flags.add(f);
    let blocked = false, assumeBlocked = false;
    let error: Ev | null = null;
    for (let t = 0; t < g.threads.length; t++) {
      if (!g.exists(t)) continue;
      const last = g.last(t);
      if (last && last.kind === EvKind.End) continue;
      blocked = true;
      if (last && last.kind === EvKind.Error && !error) error = last;
      if (last && last.kind === EvKind.Block && last.block === BlockReason.Assume) assumeBlocked = true;
    }
    if (blocked) this.blocked++;
    else this.complete++;
    const kind: LeafKind = blocked ? 'blocked' : 'complete';
    if (this.opts.onLeaf) this.opts.onLeaf(g, kind, this);
    // A failed assertion is reachable even when another thread's assume() failed here: an
    // assume event has no successors, so it is in no error's porf-prefix, and the execution that
    // never takes that thread's step past its read has the same error. (A thread that stops at a
    // failed assertion can leave the others waiting for something it would have done next.)
    if (error) this.report(error.opKind === OpKind.Assert ? 'assertion' : 'use-after-free', error.inv, error.tag ?? 'assertion failed', error.tid, error);
    else if (this.inst.objects.length && this.checkWrites()) { /* reported */ }
    else if (!assumeBlocked) {
      if (blocked) this.checkDeadlock();
      else this.checkFinals();
    }
    if (this.split !== null && this.split.counted(this)) this.stop = true;
    const n = this.complete + this.blocked;
    if (this.opts.maxExecutions !== undefined && n >= this.opts.maxExecutions && !this.stop) {
      this.stop = true;
      this.cutBy = 'max-executions';
    }
  }

  /**
   * Every 256th leaf, whatever became of it (counted, rejected by the model's full check, an
   * unordered permutation, a rejected prefix): the memory guard, the --timeout clock and progress.
   * Counted only at complete and blocked leaves, a run whose leaves the model mostly rejects (the
   * LKMM) never looked at its clock and ran past --timeout.
   */
  private clock(): void {
    if (this.split !== null && this.split.poll !== undefined && this.split.poll(this)) this.stop = true;
    if ((++this.visited & 255) !== 0) return;
    this.checkHeap();
    const now = Date.now();
    if (now > this.deadline && !this.stop) {
      this.stop = true;
      this.cutBy = 'timeout';
    }
    if (this.opts.onProgress && now - this.lastProgress >= 1000) {
      this.opts.onProgress(this.complete, this.blocked, (now - this.started) / 1000);
      this.lastProgress = now;
    }
  }

  /**
   * A body must behave the same on the same values. Re-running threads against their events
   * (sync) checks that wherever the search re-runs them anyway; at leaves 1, 2, 4, 8… every
   * thread is re-run against the whole execution, so a body with state outside the engine (a
   * module-level counter) is caught even when the search never had to re-run it. log2(leaves)
   * re-runs: nothing on the hot path.
   */
  private rerun(): void {
    const g = this.g;
    for (let t = 0; t < g.threads.length; t++) {
      if (!g.exists(t)) continue;
      const rt = this.rts[t];
      rt.dirty = true;
      rt.sync(g);
    }
  }

  /**
   * Stores, frees and allocations that landed on freed memory (a store or free right after a
   * free in coherence order, or a store through a stale pointer): known only once co is final.
   */
  private checkWrites(): boolean {
    const g = this.g;
    for (const o of this.inst.objects) {
      for (const loc of o.locs) {
        const list = g.co[loc];
        for (let p = 1; p < list.length; p++) {
          const w = list[p];
          const f = writeFault(g, w);
          if (f === Fault.None) continue;
          this.report('use-after-free', o.invariant, this.faultMessage(w, list[p - 1], f), w.tid, w);
          return true;
        }
      }
    }
    return false;
  }

  /** A blocked leaf is a deadlock when no blocked thread could ever be woken by a later write. */
  private checkDeadlock(): void {
    const g = this.g;
    const stuck: string[] = [];
    for (let t = 0; t < g.threads.length; t++) {
      if (!g.exists(t)) continue;
      const last = g.last(t);
      if (last && last.kind === EvKind.End) continue;
      if (last && last.kind === EvKind.Block) {
        const r = g.threads[t][last.idx - 1];
        const list = g.co[r.loc];
        if (r.rf !== list[list.length - 1]) return; // a stale read: not stuck in this graph
        const what = last.block === BlockReason.Lock ? 'waits for a lock held' : 'waits for a value that never comes';
        stuck.push(`${this.rts[t].name} ${what} at ${this.inst.locs[r.loc].name} (reads ${r.val})${last.fn ? ` in ${last.fn}` : ''}`);
      } else {
        const op = this.rts[t].op;
        stuck.push(`${this.rts[t].name} waits to join ${op ? this.rts[op.a].name : '?'}`);
      }
    }
    this.report('deadlock', null, `every unfinished thread is blocked: ${stuck.join('; ')}`, -1);
  }

  /** What final-state checks see: the current graph's final memory and thread results. */
  private readonly finalState = {
    value: (loc: number): Val => {
      if (this.sym !== null) this.sym.finalValue(loc);
      return this.g.finalValue(loc);
    },
    result: (tid: number): unknown => {
      if (this.sym !== null) this.sym.finalResult(tid);
      return this.rts[tid].ret;
    },
  };

  private checkFinals(): void {
    if (this.inst.finals.length === 0) return;
    const state = this.finalState;
    for (const f of this.inst.finals) {
      const v = userCall('a final-state check', () => f(state));
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') this.report('final', null, v, -1);
      else this.report('final', propertyId(v.invariant), v.message, -1);
      return;
    }
  }

  private report(property: string, invariant: string | null, message: string, tid: number, at: Ev | null = null): void {
    const where = at ? { tid: at.tid, idx: at.idx } : null;
    if (this.opts.onViolation) this.opts.onViolation(property, invariant, message);
    if (!this.opts.keepGoing) {
      this.violation ??= { property, invariant, message, tid, at: where, graph: this.g.clone(), threadNames: this.threadNames };
      this.stop = true;
      return;
    }
    const key = invariant ?? property;
    const c = this.classes.get(key);
    if (c) { c.count++; return; }
    const first: Violation = { property, invariant, message, tid, at: where, graph: this.g.clone(), threadNames: this.threadNames };
    this.violation ??= first;
    this.classes.set(key, { key, count: 1, first });
  }
}

