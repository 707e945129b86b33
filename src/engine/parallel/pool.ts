// The main thread's side of --jobs: a pool of worker threads (worker.ts) that stays up for the
// whole command (check --all runs many programs), jobs posted to them, and their messages read
// synchronously (receiveMessageOnPort), so that the main thread can take them in while it
// explores with the workers.
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { AnyJob, SerializedError, WorkerMessage } from './worker.ts';
import { startWorker } from './threads.cjs';

/**
 * node:worker_threads, loaded when the first thread starts: a run that starts none (--jobs 1, or
 * a search too short to hand work to another thread) does not load it (docs/performance.md).
 */
let threadsModule: typeof WorkerThreads | null = null;
const threads = (): typeof WorkerThreads => (threadsModule ??= createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads);

/** How a worker thread loads mmcheck and the program of a job. */
export interface WorkerSource {
  /** URL of a module that exports `mmcheckWorker` (worker.ts) and the loader named below. */
  entry: string;
  /** The entry is TypeScript: register tsx in the worker first. */
  tsx: boolean;
  /** The export that turns a job's `program` argument into { program, violationKey }. */
  loader: string;
}

/** A worker thread of the pool (threads.cjs startWorker makes them, for grow and for bin/mmcheck.js). */
export interface Slot {
  worker: Worker;
  port: MessagePort;
  /** Set when the thread died (it failed to load, or crashed). */
  failure: SerializedError | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];

  constructor(private readonly src: WorkerSource) {}

  get size(): number {
    return this.slots.length;
  }

  /**
   * Takes in threads started elsewhere from the same WorkerSource (bin/mmcheck.js starts them
   * before it loads the command, with threads.cjs's startWorker, as grow does).
   */
  adopt(slots: Slot[]): void {
    this.slots.push(...slots);
  }

  /** Starts threads until there are n (they load while the caller works). */
  grow(n: number): void {
    while (this.slots.length < n) {
      this.slots.push(startWorker(threads(), new URL('./worker-entry.mjs', import.meta.url), { entry: this.src.entry, tsx: this.src.tsx, loader: this.src.loader }));
    }
  }

  /** Posts the job to the first n threads (job.worker: each one's index). */
  post(job: Omit<AnyJob, 'worker'>, n: number): void {
    for (let i = 0; i < n; i++) this.slots[i].worker.postMessage({ ...job, worker: i });
  }

  /** Posts a message to thread i's port (read there with receiveMessageOnPort). */
  send(i: number, m: unknown): void {
    this.slots[i].port.postMessage(m);
  }

  /** Every message waiting from the first n threads, in order per thread. */
  drain<M = WorkerMessage>(n: number, take: (m: M) => void): void {
    if (n === 0) return;
    const { receiveMessageOnPort } = threads();
    for (let i = 0; i < n; i++) {
      for (let m = receiveMessageOnPort(this.slots[i].port); m; m = receiveMessageOnPort(this.slots[i].port)) take(m.message as M);
    }
  }

  /** A thread among the first n that died, if any. */
  failure(n: number): SerializedError | null {
    for (let i = 0; i < n; i++) if (this.slots[i].failure) return this.slots[i].failure;
    return null;
  }

  async close(): Promise<void> {
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
