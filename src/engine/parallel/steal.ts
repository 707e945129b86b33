// --jobs N by work stealing: the calling thread starts the search at once, with no plan pass, and
// worker threads join when they are ready. An explorer with nothing to do asks for work; a busy
// one, at its next leaf, hands off the alternatives it would explore last (Explorer.handOff: the
// shallowest, as GenMC's parallel mode splits its worklist) as a task — the graph they apply to,
// encoded (graph-codec.ts), and the alternatives — which the idle explorer explores from there.
// Tasks are ordered as one run would explore them (task-order.ts), so their counts sum exactly
// (ledger.ts) into one run's, with the same first counterexample per class and, without
// --all-violations, the same first violation after the same number of executions: the explorers
// of tasks that come after the earliest violation found stop; those before it go on.
//
// Messages go through the calling thread, which takes them in at every leaf: worker → calling
// thread (segments, tasks handed off, errors), calling thread → worker (tasks). Shards, checkpoints
// and resumed runs keep the deterministic split of split.ts (run.ts), which files can name.
import { Explorer, TASK_EXPLORE, type HandedOff, type SplitHook, type Violation } from '../explore.ts';
import { instantiate, type Instance, type Program } from '../program.ts';
import { getModel } from '../models/index.ts';
import type { MemoryModel } from '../models/model.ts';
import type { CheckResult } from '../index.ts';
import { symmetryWords } from '../symmetry.ts';
import { decodeGraph, encodeGraph, type EncodedGraph } from './graph-codec.ts';
import { Ledger } from './ledger.ts';
import type { Found, Segment } from './split.ts';
import { LEAF_OVER, LEAF_STOP, LeafClaims } from './leaf-claim.ts';
import { MAX_PATH, StealShared } from './steal-state.ts';
import { cmpTask } from './task-order.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import type { SerializedError } from './worker.ts';

/** A part of the search: the root (g null), or alternatives handed off, with their graph. */
export interface StealTask {
  path: number[];
  g: EncodedGraph | null;
  items: HandedOff['items'];
  spawnIds?: number[][];
}

/** What one explorer found in one task's own part (its hand-offs report their own). */
export interface TaskSeg extends Omit<Segment, 'seq' | 'split'> {
  path: number[];
  /** The explorer stopped: a bound (cutBy) or halt, or the task comes after the earliest violation. */
  cutBy: CheckResult['cutBy'];
  /**
   * A handed-off part met a spawn the explorer that handed it off had not numbered: the id its own
   * explorer gave it (Explorer.childTid, numbered as spawns are first met) may differ from one
   * run's, which met other spawns first, and so may the order the part is explored in
   * (steal-run.ts then explores the search again on one thread). Spawns already numbered go with
   * the part (HandedOff.spawnIds).
   */
  spawned?: boolean;
}

export interface StealSearch {
  inst: Instance;
  model: MemoryModel;
  keepGoing: boolean;
  symmetry: boolean;
  /** ExploreOptions.ghosts (failed CAS reads taken out). */
  ghosts: boolean;
  maxEvents?: number;
  /** Absolute time (Date.now()) of --timeout. */
  deadline?: number;
}

/** An explorer's side of the sharing: who it is, and how a task it hands off reaches `to`. */
export interface StealEnv {
  me: number;
  shared: StealShared;
  give(to: number, t: StealTask): void;
  /** Called at every leaf (the calling thread takes in messages here). */
  tick?(): void;
}

/** The hook (Explorer's SplitHook) of one task: hands off work, stops where it must, notes violations. */
class TaskRun implements SplitHook {
  readonly depth = 0;
  private handed = 0;
  private stopGen = 0;
  private nClasses = 0;
  readonly found: Found[] = [];
  /** Stopped by a shared bound or halt. */
  cut = false;
  /** Stopped because this task comes after the earliest violation. */
  abandoned = false;
  /** With --max-executions: the leaf the explorer counted past the bound, which runTask takes back. */
  readonly claims: LeafClaims;

  constructor(readonly path: number[], private readonly s: StealSearch, private readonly env: StealEnv) {
    this.claims = new LeafClaims(s.keepGoing);
  }

  task(): number {
    return TASK_EXPLORE;
  }

  counted(ex: Explorer): boolean {
    const sh = this.env.shared;
    const claim = this.claims.claim(sh, ex);
    if (claim === LEAF_OVER) { this.cut = true; return true; }
    if (this.s.keepGoing) {
      if (ex.violationClasses.size !== this.nClasses) this.noteClass(ex);
    } else if (ex.violation !== null && this.found.length === 0) {
      const n = ex.complete + ex.blocked;
      const v = ex.violation;
      this.found.push(this.describe(v.invariant ?? v.property, v, n));
      sh.stopAt(this.path, n);
      return true;
    }
    if (claim === LEAF_STOP) { this.cut = true; return true; }
    return false;
  }

  poll(ex: Explorer): boolean {
    const sh = this.env.shared;
    if (sh.halted()) { this.cut = true; return true; }
    if (this.after()) { this.abandoned = true; return true; }
    if (sh.wanted() && this.path.length < MAX_PATH - 1) this.handOff(ex);
    if (this.env.tick) this.env.tick();
    return false;
  }

  /** Does this task come after the earliest violation found (its explorer should stop)? */
  after(): boolean {
    const sh = this.env.shared;
    const gen = sh.stopGen();
    if (gen === this.stopGen) return false;
    this.stopGen = gen;
    const p = sh.stopPathLocked();
    return p !== null && cmpTask(this.path, p) > 0;
  }

  private handOff(ex: Explorer): void {
    const sh = this.env.shared;
    const to = sh.takeAsker(this.env.me);
    if (to < 0) return;
    const h = ex.handOff();
    if (h === null) { sh.ask(to); return; }
    this.handed++;
    this.env.give(to, { path: [...this.path, this.handed], g: encodeGraph(h.g), items: h.items, spawnIds: h.spawnIds });
  }

  private noteClass(ex: Explorer): void {
    // Classes are kept in the order they were found: the new ones are the last.
    let i = 0;
    const n = ex.complete + ex.blocked;
    for (const [k, c] of ex.violationClasses) if (i++ >= this.nClasses) this.found.push(this.describe(k, c.first, n));
    this.nClasses = ex.violationClasses.size;
  }

  private describe(key: string, v: Violation, n: number): Found {
    return { ...v, seq: 0, n, key, graph: encodeGraph(v.graph) };
  }
}

/** Explores one task's own part (handing off parts of it as asked); its segment. */
export function runTask(s: StealSearch, task: StealTask, env: StealEnv): TaskSeg {
  const run = new TaskRun(task.path, s, env);
  const seg: TaskSeg = { path: task.path, complete: 0, blocked: 0, rejected: 0, finished: false, cutBy: null };
  if (env.shared.halted() || run.after()) return seg;
  const start = task.g !== null ? { g: decodeGraph(task.g), items: task.items, spawnIds: task.spawnIds } : undefined;
  const timeoutMs = s.deadline !== undefined ? Math.max(0, s.deadline - Date.now()) : undefined;
  const ex = new Explorer(s.inst, { model: s.model, keepGoing: s.keepGoing, maxEvents: s.maxEvents, symmetry: s.symmetry, ghosts: s.ghosts, timeoutMs, split: run, start });
  const r = ex.run();
  if (r.cutBy) env.shared.haltAll();
  seg.complete = r.complete;
  seg.blocked = r.blocked;
  const overKey = run.claims.giveBack(seg);
  seg.rejected = r.rejected;
  if (r.unordered) seg.unordered = r.unordered;
  if (r.unorderedCut) seg.unorderedCut = r.unorderedCut;
  seg.cutBy = r.cutBy ?? (run.cut && env.shared.boundReached() ? 'max-executions' : null);
  // Without keepGoing, a task that ended in its violation is final: one run stops there too.
  seg.finished = (!s.keepGoing && run.found.length > 0) || !(r.cutBy || run.cut || run.abandoned);
  if (s.keepGoing) {
    const classes: Record<string, number> = {};
    for (const [k, c] of ex.violationClasses) {
      const n = c.count - (overKey === k ? 1 : 0);
      if (n > 0) classes[k] = n;
    }
    if (Object.keys(classes).length) seg.classes = classes;
  }
  if (task.path.length > 0 && ex.spawnsMet > 0) seg.spawned = true;
  if (run.found.length) seg.found = run.found;
  if (r.flags.length) seg.flags = r.flags;
  return seg;
}

export type StealMessage =
  | { type: 'seg'; job: number; seg: TaskSeg }
  | { type: 'task'; job: number; to: number; task: StealTask }
  | { type: 'done'; job: number; cutBy: string | null; cpu: number | null }
  | { type: 'error'; job: number; error: SerializedError };

/** What the segments of a search sum to, in the order one run explores them; and how many of those one run would count are unfinished. */
export function sumTasks(segs: TaskSeg[], keepGoing: boolean): { sum: ReturnType<Ledger['summarize']>; unfinished: number } {
  const sorted = [...segs].sort((a, b) => cmpTask(a.path, b.path));
  const ledger = new Ledger();
  sorted.forEach((t, seq) => {
    const { path: _p, cutBy: _b, spawned: _s, ...rest } = t;
    ledger.add({ ...rest, seq, split: seq, found: t.found?.map((f) => ({ ...f, seq })) });
  });
  const sum = ledger.summarize(keepGoing);
  const upTo = !keepGoing && sum.violation ? sum.violation.seq : Infinity;
  return { sum, unfinished: sorted.filter((t, seq) => seq <= upTo && !t.finished).length };
}

/** The program and search options a task is explored with, as the calling thread set them. */
export function stealSearch(program: Program, params: Record<string, number> | undefined, modelName: string, keepGoing: boolean, symmetryOpt: boolean | undefined, maxEvents?: number, deadline?: number, ghosts = true): StealSearch & { symWords: string | null } {
  const inst = instantiate(program, params ?? {});
  const model = getModel(modelName);
  const symWords = symmetryOpt === false ? null : symmetryWords(inst);
  return { inst, model, keepGoing, symmetry: symWords !== null, symWords, ghosts, maxEvents, deadline };
}

export { threadCpuSeconds };
