// The state the explorers of one work-stealing --jobs run (steal.ts) share, in a SharedArrayBuffer:
// who is idle and wants work, a mail counter per explorer (bumped with each message posted to it,
// so that an idle explorer sleeps on it with Atomics.wait), the earliest violation found so far
// (without --all-violations: the explorers of later parts of the search stop), a counter of leaves
// for --max-executions, halt and end flags, whether the worker threads may join yet (JOIN, see
// steal-run.ts), and whether each worker thread started on the job (one still loading, or still
// waiting to join, when the search ends is let off it, not waited for).
import { claimLeaf } from './leaf-claim.ts';
import { cmpTask } from './task-order.ts';

const HALT = 0, END = 1, LEAVES = 2, MAX_LEAVES = 3, WANT = 4, STOP_LOCK = 5, STOP_GEN = 6, STOP_LEN = 7, STOP_N = 8, DONE = 9, JOIN = 10, FIXED = 11;
/** A task path (task-order.ts) deeper than this is not handed off further. */
export const MAX_PATH = 2048;
/** A worker's state: not yet started on the job, started, or let off it. */
const W_WAITING = 0, W_STARTED = 1, W_CANCELLED = 2;

export class StealShared {
  readonly a: Int32Array;
  /** Explorers: the calling thread (0) and the worker threads (1…). */
  readonly n: number;
  private readonly mail: number;
  private readonly need: number;
  private readonly state: number;
  private readonly path: number;

  constructor(readonly sab: SharedArrayBuffer) {
    this.a = new Int32Array(sab);
    this.n = (this.a.length - FIXED - MAX_PATH) / 3;
    this.mail = FIXED;
    this.need = FIXED + this.n;
    this.state = FIXED + 2 * this.n;
    this.path = FIXED + 3 * this.n;
  }

  /** maxLeaves: Infinity for no bound. */
  static create(explorers: number, maxLeaves: number): StealShared {
    const sab = new SharedArrayBuffer(4 * (FIXED + 3 * explorers + MAX_PATH));
    const a = new Int32Array(sab);
    a[MAX_LEAVES] = Number.isFinite(maxLeaves) ? Math.max(1, Math.min(maxLeaves, 0x7fffffff)) : 0;
    a[STOP_LEN] = -1;
    return new StealShared(sab);
  }

  // ---- idle explorers and the work handed to them

  /** Explorer k has nothing to explore: it asks for work. */
  ask(k: number): void {
    if (Atomics.compareExchange(this.a, this.need + k, 0, 1) === 0) Atomics.add(this.a, WANT, 1);
  }

  /** Someone is waiting for work (one load: checked at every leaf). */
  wanted(): boolean {
    return Atomics.load(this.a, WANT) > 0;
  }

  /** An explorer that asked for work, now promised some by the caller (`me`), or -1. */
  takeAsker(me: number): number {
    for (let k = 0; k < this.n; k++) {
      if (k !== me && Atomics.compareExchange(this.a, this.need + k, 1, 0) === 1) {
        Atomics.sub(this.a, WANT, 1);
        return k;
      }
    }
    return -1;
  }

  /** A message was posted to explorer k. */
  posted(k: number): void {
    Atomics.add(this.a, this.mail + k, 1);
    Atomics.notify(this.a, this.mail + k);
  }

  mailOf(k: number): number {
    return Atomics.load(this.a, this.mail + k);
  }

  /** Sleeps (a worker thread) until explorer k's mail counter moves from `seen`, or ms pass. */
  sleep(k: number, seen: number, ms: number): void {
    Atomics.wait(this.a, this.mail + k, seen, ms);
  }

  /**
   * The calling thread's sleep: resolves once its mail counter moves from `seen`, or after ms.
   * A timer runs beside Atomics.waitAsync, which alone would not keep Node's event loop alive.
   */
  async sleepAsync(k: number, seen: number, ms: number): Promise<void> {
    // Atomics.waitAsync (Node ≥ 16) is newer than the TypeScript lib this project targets.
    const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<unknown> } }).waitAsync(this.a, this.mail + k, seen, ms);
    if (!w.async) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([w.value, new Promise((r) => { timer = setTimeout(r, ms + 5); })]);
    clearTimeout(timer);
  }

  // ---- the earliest violation (without --all-violations)

  /** Records a violation at leaf n of task `path`'s own part, if it is the earliest so far. */
  stopAt(path: readonly number[], n: number): void {
    if (path.length > MAX_PATH) return;
    this.lock();
    const cur = this.stopPath();
    if (cur === null || cmpTask(path, cur) < 0 || (cmpTask(path, cur) === 0 && n < this.a[STOP_N])) {
      for (let i = 0; i < path.length; i++) this.a[this.path + i] = path[i];
      this.a[STOP_LEN] = path.length;
      this.a[STOP_N] = n;
      Atomics.add(this.a, STOP_GEN, 1);
    }
    Atomics.store(this.a, STOP_LOCK, 0);
  }

  /** Changes when the earliest violation does (one load per leaf). */
  stopGen(): number {
    return Atomics.load(this.a, STOP_GEN);
  }

  /** The task path of the earliest violation, or null. */
  stopPathLocked(): number[] | null {
    this.lock();
    const p = this.stopPath();
    Atomics.store(this.a, STOP_LOCK, 0);
    return p;
  }

  private stopPath(): number[] | null {
    const len = this.a[STOP_LEN];
    if (len < 0) return null;
    return Array.from(this.a.subarray(this.path, this.path + len));
  }

  private lock(): void {
    while (Atomics.compareExchange(this.a, STOP_LOCK, 0, 1) !== 0) { /* held for a few loads */ }
  }

  // ---- when the worker threads join

  /** The worker threads may join the search (ask for work) from now on; wakes those waiting. */
  openJoin(): void {
    this.raise(JOIN);
  }

  joinOpen(): boolean {
    return Atomics.load(this.a, JOIN) !== 0;
  }

  /**
   * Worker k (its program loaded) waits until it may join or the search ended; true if it may
   * join. Its state stays "not started" meanwhile, so that a search ending first lets it off.
   */
  awaitJoin(k: number): boolean {
    for (;;) {
      const seen = this.mailOf(k);
      if (this.ended()) return false;
      if (this.joinOpen()) return true;
      this.sleep(k, seen, 200);
    }
  }

  // ---- bounds, halting and the end of the job

  /**
   * An explorer counted a leaf: LEAF_GO (go on), LEAF_STOP (it counts, and --max-executions over
   * all explorers is reached by it, or the search was halted) or LEAF_OVER (the bound was reached
   * by other explorers' leaves: this one must not count, leaf-claim.ts).
   */
  leaf(): number {
    return claimLeaf(this.a, LEAVES, MAX_LEAVES, HALT, 1);
  }

  /** Is --max-executions set (the explorers claim their leaves)? */
  bounded(): boolean {
    return this.a[MAX_LEAVES] !== 0;
  }

  haltAll(): void {
    Atomics.store(this.a, HALT, 1);
  }

  halted(): boolean {
    return Atomics.load(this.a, HALT) !== 0;
  }

  boundReached(): boolean {
    return this.a[MAX_LEAVES] !== 0 && Atomics.load(this.a, LEAVES) >= this.a[MAX_LEAVES];
  }

  /** The search is over: every worker thread returns from the job. */
  end(): void {
    this.raise(END);
  }

  /** Sets a flag the worker threads wait on (JOIN, END) and wakes them. */
  private raise(flag: number): void {
    Atomics.store(this.a, flag, 1);
    for (let k = 1; k < this.n; k++) this.posted(k);
  }

  ended(): boolean {
    return Atomics.load(this.a, END) !== 0;
  }

  /** Worker k starts on the job; false if it was let off it. */
  start(k: number): boolean {
    return Atomics.compareExchange(this.a, this.state + k, W_WAITING, W_STARTED) === W_WAITING;
  }

  /** Lets worker k off the job if it has not started (it is still loading); false if it has. */
  letOff(k: number): boolean {
    return Atomics.compareExchange(this.a, this.state + k, W_WAITING, W_CANCELLED) !== W_STARTED;
  }

  /** A worker thread has left the job. */
  workerDone(): void {
    Atomics.add(this.a, DONE, 1);
    this.posted(0);
  }

  doneCount(): number {
    return Atomics.load(this.a, DONE);
  }
}
