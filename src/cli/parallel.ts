// The command line's side of shared-out searches (src/engine/parallel): how worker threads load
// mmcheck and find the program a run names, the one pool of threads a command uses, and the
// options --jobs, --shard, --checkpoint and --resume turned into what checkSplit takes.
import { availableParallelism } from 'node:os';
import { WorkerPool, type Slot, type WorkerSource } from '../engine/parallel/pool.ts';
import { readSplitFile, type SplitFile } from '../engine/parallel/split-file.ts';
import { spareCore } from '../engine/parallel/spare-core.ts';
import { UsageError, type Parsed } from './options.ts';
import type { Run } from './targets.ts';

import type { RunRef } from './worker.ts';

/**
 * How worker threads load mmcheck: the worker bundle bin/mmcheck.js built beside the CLI's (it
 * says where, in a global), or worker.ts through tsx. MMCHECK_WORKER_BUNDLE carries a parent's
 * to a child process run through tsx (the benchmarks), so that its threads start as fast as
 * the command's would.
 */
export function workerSource(): WorkerSource {
  const bundle = (globalThis as Record<symbol, unknown>)[Symbol.for('mmcheck.workerBundle')] as string | undefined ?? process.env.MMCHECK_WORKER_BUNDLE;
  if (bundle) return { entry: bundle, tsx: false, loader: 'loadWorkerProgram' };
  return { entry: new URL('./worker.ts', import.meta.url).href, tsx: true, loader: 'loadWorkerProgram' };
}

let pool: WorkerPool | null = null;

/** The command's pool of worker threads (started when a search first needs them). */
export function workerPool(): WorkerPool {
  if (pool) return pool;
  pool = new WorkerPool(workerSource());
  // Threads bin/mmcheck.js started before it loaded the command (`check --jobs N`), from the
  // worker bundle this pool would start them from.
  const g = globalThis as Record<symbol, unknown>;
  const early = g[Symbol.for('mmcheck.earlyWorkers')] as Slot[] | undefined;
  g[Symbol.for('mmcheck.earlyWorkers')] = undefined;
  if (early) pool.adopt(early);
  return pool;
}

/**
 * With an explicit --jobs N (N > 1), starts the N-1 worker threads at once (bin/mmcheck.js has
 * usually started them already, before loading the command: they are adopted here): each loads
 * its own bundle while the calling thread loads the command's target, and joins the search once
 * it has run for a while (engine/parallel/steal-run.ts, STEAL_JOIN_CPU). Not with the default
 * --jobs (the machine's cores): a small check would then pay a worker it never uses (about 0.03 s
 * CPU and 0.07 s wall on `check readers --param N=3`); there the search starts them once it has
 * run for longer (STEAL_START_CPU). Nothing for --random or --shard, and nothing while no core is
 * free (engine/parallel/spare-core.ts): the search then starts them as the default does. A search
 * that ends first leaves them unused (closeWorkerPool ends them).
 */
export function startWorkersEarly(p: Parsed): void {
  const jobs = p.opts.jobs as number | undefined;
  if (jobs === undefined || jobs < 2 || p.opts.random !== undefined || p.opts.shard !== undefined) return;
  // Threads bin/mmcheck.js started; else none while no core is free (they would load on this thread's share).
  if (workerPool().size === 0 && !spareCore()) return;
  workerPool().grow(jobs - 1);
}

export async function closeWorkerPool(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await p.close();
}

export interface SplitOptions {
  jobs: number;
  shard?: { index: number; count: number };
  checkpoint?: { path: string; everyMs: number };
  resume?: { path: string; file: SplitFile };
  /** Where a shard's result goes. */
  out?: string;
}

/** Parses --shard I/N (1 ≤ I ≤ N). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1 && index <= count)) {
    throw new UsageError(`--shard needs I/N with 1 ≤ I ≤ N (e.g. --shard 2/4), got '${s}'`);
  }
  return { index, count };
}

/**
 * The options of a split run, or null for a plain one. --jobs defaults to the machine's cores,
 * except with --max-executions, whose first N executions of the search order one thread gives.
 */
export function splitOptions(p: Parsed, runs: number): SplitOptions | null {
  if (p.opts.jobs === 0) throw new UsageError('--jobs needs at least 1 thread');
  const explicit = p.opts.jobs as number | undefined;
  const jobs = explicit ?? (p.opts['max-executions'] !== undefined ? 1 : availableParallelism());
  const shard = typeof p.opts.shard === 'string' ? parseShard(p.opts.shard) : undefined;
  const resumePath = p.opts.resume as string | undefined;
  const cpPath = (p.opts.checkpoint as string | undefined) ?? resumePath;
  if ((shard || cpPath) && runs !== 1) throw new UsageError(`--shard, --checkpoint and --resume take one search; this command names ${runs}`);
  if (p.opts.random !== undefined && (shard || cpPath || explicit !== undefined)) throw new UsageError('--random samples executions: it takes no --jobs, --shard, --checkpoint or --resume');
  if (p.opts['checkpoint-every'] !== undefined && !cpPath) throw new UsageError('--checkpoint-every needs --checkpoint FILE');
  if (p.opts.out !== undefined && !shard) throw new UsageError('check --out FILE is where a --shard writes its result');
  if (p.opts.random !== undefined) return null;
  if (jobs <= 1 && !shard && !cpPath) return null;
  return {
    jobs,
    shard,
    checkpoint: cpPath ? { path: cpPath, everyMs: 1000 * ((p.opts['checkpoint-every'] as number | undefined) ?? 30) } : undefined,
    resume: resumePath ? { path: resumePath, file: readSplitFile(resumePath) } : undefined,
    out: shard ? (p.opts.out as string | undefined) ?? `shard-${shard.index}.json` : undefined,
  };
}

/** The reference a worker resolves, for a run among `runs` of the command's target. */
export function runRef(p: Parsed, runs: Run[], run: Run): RunRef {
  if (p.opts.all) return { target: run.target, variant: run.variant?.name ?? null, allVariants: false, index: 0 };
  return { target: p.positional[0], variant: (p.opts.variant as string | undefined) ?? null, allVariants: !!p.opts['all-variants'], index: runs.indexOf(run) };
}
