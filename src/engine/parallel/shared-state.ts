// The state the explorers of one --jobs run share, in a SharedArrayBuffer: which split tasks are
// taken (claimed with Atomics.compareExchange, so each is explored exactly once), the seq of the
// earliest violation found (runs stop at it, as one run would), a counter of leaves for
// --max-executions, a halt flag, and whether each worker thread has started on the job (one
// still loading when the calling thread has taken every part is let off it, not waited for).
import { claimLeaf } from './leaf-claim.ts';
import type { Shared } from './split.ts';

const STOP_SEQ = 0, HALT = 1, LEAVES = 2, MAX_LEAVES = 3, DONE = 4, WORKERS = 5, CLAIMS_AT = 6, STATES = 8;
/** A worker's state: not yet started on the job, started, or let off it. */
const W_WAITING = 0, W_STARTED = 1, W_CANCELLED = 2;
/** HALT values: 1 = a shared bound was reached (stop now); 2 = every task is taken (stop at the next boundary). */
const HALT_BOUND = 1, HALT_EXHAUSTED = 2;
const NO_STOP = 0x7fffffff;

export class SabShared implements Shared {
  readonly a: Int32Array;
  private readonly claims: number;

  constructor(readonly sab: SharedArrayBuffer) {
    this.a = new Int32Array(sab);
    this.claims = this.a[CLAIMS_AT];
  }

  /**
   * A fresh state for `tasks` split tasks; `taken` lists tasks no explorer may claim (another
   * shard's, or finished before a resume). maxLeaves 0: no bound.
   */
  static create(tasks: number, taken: Iterable<number>, stopSeq: number, maxLeaves: number, workers: number): SabShared {
    const sab = new SharedArrayBuffer(4 * (STATES + workers + tasks));
    const a = new Int32Array(sab);
    a[STOP_SEQ] = Number.isFinite(stopSeq) ? stopSeq : NO_STOP;
    a[MAX_LEAVES] = Number.isFinite(maxLeaves) ? Math.max(1, Math.min(maxLeaves, NO_STOP)) : 0;
    a[WORKERS] = workers;
    a[CLAIMS_AT] = STATES + workers;
    for (const i of taken) a[STATES + workers + i] = 1;
    return new SabShared(sab);
  }

  claim(i: number): boolean {
    return Atomics.compareExchange(this.a, this.claims + i, 0, 1) === 0;
  }

  /** Worker w starts on the job; false if it was let off it (see letOff). */
  start(w: number): boolean {
    return Atomics.compareExchange(this.a, STATES + w, W_WAITING, W_STARTED) === W_WAITING;
  }

  /**
   * Lets worker w off the job if it has not started (it is still loading or on an earlier job);
   * false if it has, and is to be waited for.
   */
  letOff(w: number): boolean {
    return Atomics.compareExchange(this.a, STATES + w, W_WAITING, W_CANCELLED) !== W_STARTED;
  }

  stopSeq(): number {
    const s = Atomics.load(this.a, STOP_SEQ);
    return s === NO_STOP ? Infinity : s;
  }

  lowerStopSeq(seq: number): void {
    for (;;) {
      const cur = Atomics.load(this.a, STOP_SEQ);
      if (seq >= cur || Atomics.compareExchange(this.a, STOP_SEQ, cur, seq) === cur) return;
    }
  }

  leaf(): number {
    return claimLeaf(this.a, LEAVES, MAX_LEAVES, HALT, HALT_BOUND);
  }

  bounded(): boolean {
    return this.a[MAX_LEAVES] !== 0;
  }

  /** Stops every explorer at its next leaf (a bound was reached, or one of them failed). */
  haltAll(): void {
    Atomics.store(this.a, HALT, HALT_BOUND);
  }

  halted(): boolean {
    return Atomics.load(this.a, HALT) !== 0;
  }

  /** Every split task has been taken: explorers still walking the prefix can stop. */
  exhausted(): void {
    Atomics.compareExchange(this.a, HALT, 0, HALT_EXHAUSTED);
  }

  boundReached(): boolean {
    return Atomics.load(this.a, HALT) === HALT_BOUND;
  }

  /** A worker finished its job. */
  workerDone(): void {
    Atomics.add(this.a, DONE, 1);
    Atomics.notify(this.a, DONE);
  }

  /**
   * Resolves once `n` workers have finished, or after `ms` (the caller then does other work).
   * A timer runs beside Atomics.waitAsync, which alone would not keep Node's event loop alive.
   */
  async waitDone(n: number, ms: number): Promise<boolean> {
    const cur = Atomics.load(this.a, DONE);
    if (cur >= n) return true;
    // Atomics.waitAsync (Node ≥ 16) is newer than the TypeScript lib this project targets.
    const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<unknown> } }).waitAsync(this.a, DONE, cur, ms);
    if (w.async) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([w.value, new Promise((r) => { timer = setTimeout(r, ms + 5); })]);
      clearTimeout(timer);
    }
    return Atomics.load(this.a, DONE) >= n;
  }
}
