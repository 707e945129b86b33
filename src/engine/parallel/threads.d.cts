// Types of threads.cjs (plain JavaScript, shared with bin/mmcheck.js).
import type * as WorkerThreads from 'node:worker_threads';
import type * as Fs from 'node:fs';
import type * as Os from 'node:os';
import type { Slot } from './pool.ts';

export declare function startWorker(threads: typeof WorkerThreads, script: string | URL, data: Record<string, unknown>): Slot;
export declare function spareCore(fs: typeof Fs, os: typeof Os): boolean;
