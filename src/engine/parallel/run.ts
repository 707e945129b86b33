// A check whose search is shared out: over worker threads (jobs), over shards (a deterministic
// 1/N of the split tasks), and over time (a checkpoint a killed run resumes from). The main thread
// plans the split (split.ts), explores like any worker, takes in the workers' segments, writes
// checkpoints, and sums everything (ledger.ts) into the CheckResult one run would give.
import { Explorer } from '../explore.ts';
import { instantiate, type Program } from '../program.ts';
import { getModel } from '../models/index.ts';
import type { MemoryModel } from '../models/model.ts';
import { ModelError } from '../errors.ts';
import { decodeGraph } from './graph-codec.ts';
import type { CheckOptions, CheckResult, ViolationReport } from '../index.ts';
import { report } from '../report.ts';
import { countsOf } from '../counts.ts';
import { symmetryWords } from '../symmetry.ts';
import type { Instance } from '../program.ts';
import { Ledger, type Summary } from './ledger.ts';
import { SplitRun, planSplit, type Found, type Plan, type Segment, type Shared } from './split.ts';
import { SabShared } from './shared-state.ts';
import { WorkerPool, type WorkerSource } from './pool.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import { checkStealing } from './steal-run.ts';
import type { Job, SerializedError, WorkerMessage } from './worker.ts';
import { SplitFileError, mismatch, programHash, writeSplitFile, type SplitFile } from './split-file.ts';

export interface SplitCheckOptions extends Omit<CheckOptions, 'random' | 'onLeaf'> {
  /** Explorers, the calling thread included (1: no worker threads). */
  jobs: number;
  /** How worker threads load the program (needed for jobs > 1); `program` is their loader's argument. */
  workers?: { pool: WorkerPool; program: unknown };
  /** Explore only split tasks i with i mod count = index - 1 (index is 1-based). */
  shard?: { index: number; count: number };
  /** Continue the search a checkpoint holds (path: for messages). */
  resume?: { file: SplitFile; path: string };
  /** Write the run's position to this file every everyMs (and at the end). */
  checkpoint?: { path: string; everyMs: number };
  /** What the command line needs to find the program again, kept in the files. */
  source?: Record<string, unknown>;
  maxEvents?: number;
  /** Aim for this many split tasks (default splitTarget(jobs or shards)); tests force splits with small ones. */
  target?: number;
  /**
   * Work stealing: CPU seconds the calling thread searches alone before the worker threads may
   * ask for work (default: steal-run.ts's STEAL_JOIN_CPU, or STEAL_START_CPU if they were not
   * started beforehand). Tests: 0, so that small searches are shared out.
   */
  joinCpu?: number;
  /** Tests: the parts the calling thread may take (the others are left to the worker threads). */
  callerTakes?: (i: number) => boolean;
  /** Work stealing (steals): called now and then (about every leaf) by the calling thread's search. */
  onTick?: () => void;
}

/** Does checkSplit run these options by work stealing (steal-run.ts) rather than the deterministic split? */
export function steals(opts: SplitCheckOptions): boolean {
  return !!opts.workers && opts.jobs > 1 && !opts.shard && !opts.checkpoint && !opts.resume && opts.target === undefined && !opts.callerTakes;
}

export interface SplitInfo {
  depth: number;
  tasks: number;
  /** Split tasks this run was to explore (all, or the shard's), and how many it finished. */
  owned: number;
  finished: number;
  /** Of those, finished before a resume, by the run that wrote this checkpoint. */
  resumed: number;
  resumedFrom: string | null;
  jobs: number;
  /** Parts the worker threads explored (the rest, the calling thread). */
  byWorkers: number;
  /**
   * CPU seconds each thread spent on the run: the calling thread's (plan included), then each
   * worker's that started on it (null where the system does not say).
   */
  threadCpu: (number | null)[];
  shard: { index: number; count: number } | null;
  /** A shard's violations (its result holds no reports: the merge reports the first of all shards'). */
  found: SplitFile['summary']['violations'];
  planSeconds: number;
}

export interface SplitOutcome {
  result: CheckResult & { split: SplitInfo };
  /** The run's segments as a shard or checkpoint file. */
  file: SplitFile;
}

/** More split tasks balance the explorers better; the prefix every explorer walks grows with them. */
export function splitTarget(parallelism: number): number {
  return Math.max(1024, 64 * parallelism);
}

export async function checkSplit(program: Program, opts: SplitCheckOptions): Promise<SplitOutcome> {
  // Plain --jobs: work stealing, with no plan pass. Shards, checkpoints and resumed runs need the
  // deterministic split below, whose parts files can name (so do the tests that ask for a split).
  if (steals(opts)) {
    return checkStealing(program, opts);
  }
  const t0 = performance.now();
  const inst = instantiate(program, opts.params ?? {});
  const model = getModel(opts.model ?? 'sc');
  const keepGoing = !!opts.allViolations;
  const shard = opts.shard ?? null;
  // Symmetry reduction is on when the program declares symmetric threads and the run did not
  // turn it off: it decides what is counted, so shards and checkpoints must agree on it.
  const symWords = opts.symmetry === false ? null : symmetryWords(inst);
  const symmetry = symWords !== null;
  // Taking out failed CAS reads (ExploreOptions.ghosts) changes the tree and the blocked counts.
  const ghosts = opts.ghosts !== false;
  const hash = programHash(inst, model.name, keepGoing, symmetry, ghosts);
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  const target = opts.resume?.file.plan.target ?? opts.target ?? splitTarget(shard ? shard.count : opts.jobs);

  // Worker threads start loading as soon as the search is known not to be small: they are ready
  // sooner, and a small search never starts them.
  const threads = opts.workers && opts.jobs > 1 ? opts.jobs - 1 : 0;
  const onLarge = threads ? (): void => opts.workers!.pool.grow(threads) : undefined;
  const plan = planSplit(inst, model, { keepGoing, maxEvents: opts.maxEvents, target, maxExecutions: opts.maxExecutions, onLarge, symmetry, ghosts });
  const prefixLeaves = plan.prefix.reduce((n, s) => n + s.complete + s.blocked, 0);
  const planInfo = { target, depth: plan.depth, tasks: plan.tasks, prefixLeaves };
  const base = {
    format: 'mmcheck-split/1' as const, program: program.name, source: opts.source ?? {}, params: inst.params, model: model.name,
    keepGoing, hash, plan: planInfo, shard, ...(symmetry ? { symmetry } : {}), ...(ghosts ? { ghosts } : {}),
  };
  const resume = opts.resume?.file;
  if (resume) {
    const why = mismatch(resume, { ...base, kind: 'checkpoint', summary: emptySummary(), cutBy: null, seconds: 0, segments: [] });
    const where = opts.resume!.path;
    if (why) throw new SplitFileError(`${where} is a checkpoint of ${why}: this run cannot resume it`, where);
    if (JSON.stringify(resume.shard) !== JSON.stringify(shard)) {
      throw new SplitFileError(`${where} is a checkpoint of ${resume.shard ? `shard ${resume.shard.index}/${resume.shard.count}` : 'a whole run'}, not of ${shard ? `shard ${shard.index}/${shard.count}` : 'a whole run'}`, where);
    }
  }

  const ledger = new Ledger();
  const countsPrefix = !shard || shard.index === 1;
  if (countsPrefix) for (const s of plan.prefix) ledger.add(s);
  let resumed = 0;
  for (const s of resume?.segments ?? []) {
    if (s.split < 0 || !s.finished) continue;
    ledger.add(s);
    resumed++;
  }
  const owns = (i: number): boolean => !shard || i % shard.count === shard.index - 1;
  let owned = 0;
  for (let i = 0; i < plan.tasks; i++) if (owns(i)) owned++;

  let cutBy: CheckResult['cutBy'] = plan.cutBy;
  let byWorkers = 0;
  const cpu0 = threadCpuSeconds();
  const workerCpu: (number | null)[] = [];
  const seconds = (): number => (performance.now() - t0) / 1000;
  const fileOf = (kind: SplitFile['kind'], segs: Segment[]): SplitFile => {
    const sum = ledgerSummary(segs, keepGoing);
    return { ...base, kind, summary: sum, cutBy, seconds: Number(seconds().toFixed(3)), segments: segs };
  };
  const checkpointSegs = (): Segment[] => ledger.segments().filter((s) => s.split >= 0 && s.finished);
  let lastCheckpoint = Date.now();
  const writeCheckpoint = (): void => {
    if (!opts.checkpoint) return;
    writeSplitFile(opts.checkpoint.path, fileOf('checkpoint', checkpointSegs()));
    lastCheckpoint = Date.now();
  };

  if (!plan.whole && !plan.cutBy && plan.tasks > 0) {
    const taken: number[] = [];
    const done = new Set(ledger.finishedSplits());
    for (let i = 0; i < plan.tasks; i++) if (!owns(i) || done.has(i)) taken.push(i);
    let stopSeq = plan.stopSeq;
    if (!keepGoing) for (const s of ledger.segments()) for (const f of s.found ?? []) stopSeq = Math.min(stopSeq, f.seq);
    const maxLeaves = opts.maxExecutions !== undefined ? opts.maxExecutions - prefixLeaves : Infinity;
    const shared = SabShared.create(plan.tasks, taken, stopSeq, maxLeaves, threads);
    const pool = threads && taken.length < plan.tasks ? opts.workers!.pool : undefined;
    let jobError: SerializedError | null = null;
    let doneMsgs = 0;
    const jobId = nextJob++;
    const take = (m: WorkerMessage): void => {
      if (m.job !== jobId) return;
      if (m.type === 'seg') { ledger.add(m.seg); byWorkers++; }
      else if (m.type === 'done') { doneMsgs++; workerCpu.push(m.cpu); if (m.cutBy) cutBy ??= m.cutBy as CheckResult['cutBy']; }
      else { doneMsgs++; jobError ??= m.error; shared.haltAll(); }
    };
    let lastProgress = Date.now();
    const tick = (): void => {
      if (pool) pool.drain(threads, take);
      const now = Date.now();
      if (opts.checkpoint && now - lastCheckpoint >= opts.checkpoint.everyMs) writeCheckpoint();
      if (opts.onProgress && now - lastProgress >= 1000) {
        lastProgress = now;
        let c = 0, b = 0;
        for (const s of ledger.segments()) { c += s.complete; b += s.blocked; }
        opts.onProgress(c, b, seconds());
      }
    };
    if (pool) {
      pool.grow(threads);
      const job: Omit<Job, 'worker'> = {
        id: jobId, program: opts.workers!.program, params: inst.params, model: model.name, keepGoing, symmetry, ghosts,
        depth: plan.depth, tasks: plan.tasks, sab: shared.sab, deadline, maxEvents: opts.maxEvents,
      };
      pool.post(job, threads);
    }
    const take1 = opts.callerTakes;
    const mine: Shared = take1 ? Object.assign(Object.create(shared) as SabShared, { claim: (i: number) => take1(i) && shared.claim(i) }) : shared;
    const run = new SplitRun({ inst, model, depth: plan.depth, tasks: plan.tasks, countPrefix: false, keepGoing, shared: mine, emit: (s) => ledger.add(s), tick });
    const ex = new Explorer(inst, {
      model, keepGoing, maxEvents: opts.maxEvents, split: run, symmetry, ghosts,
      timeoutMs: deadline !== undefined ? Math.max(0, deadline - Date.now()) : undefined,
    });
    let mainError: unknown = null;
    try {
      const r = ex.run();
      run.finish(ex, r.cutBy);
      if (r.cutBy) cutBy ??= r.cutBy;
    } catch (e) {
      mainError = e;
      shared.haltAll();
    }
    // Every part the calling thread passed is taken (by it or a worker): workers still walking the
    // prefix can stop. Not so when it left some to them (callerTakes).
    if (!take1) shared.exhausted();
    if (pool) {
      // Wait for the workers that started on the job; one still loading is let off it, unless
      // the calling thread left parts to the workers (callerTakes).
      let started = 0;
      for (let w = 0; w < threads; w++) if (take1 || !shared.letOff(w)) started++;
      while (doneMsgs < started) {
        pool.drain(threads, take);
        if (doneMsgs >= started) break;
        const dead = pool.failure(threads);
        if (dead) { jobError ??= dead; break; }
        await shared.waitDone(started, 200);
        tick();
      }
    }
    if (mainError) throw mainError;
    if (jobError) throw deserializeError(jobError);
    if (shared.boundReached()) cutBy ??= 'max-executions';
  }

  const cpu1 = threadCpuSeconds();
  const threadCpu = [cpu0 === null || cpu1 === null ? null : Number((cpu1 - cpu0).toFixed(2)), ...workerCpu];
  const sum = ledger.summarize(keepGoing);
  const finished = sum.finishedSplits;
  if (!cutBy && !sum.violation && finished < owned) {
    throw new Error(`the search ended with ${owned - finished} of its ${owned} split tasks unexplored`);
  }
  writeCheckpoint();
  const file = fileOf(shard ? 'shard' : 'checkpoint', ledger.segments().filter((s) => countsPrefix || s.split >= 0));
  const result = resultOf(inst, model, sum, keepGoing, cutBy, seconds(), !shard, symWords);
  return {
    result: {
      ...result,
      split: { depth: plan.depth, tasks: plan.tasks, owned, finished, resumed, resumedFrom: opts.resume?.path ?? null, jobs: opts.jobs, byWorkers, threadCpu, shard, found: file.summary.violations, planSeconds: plan.seconds },
    },
    file,
  };
}

let nextJob = 1;

/**
 * `mmcheck merge`: the result one run would give, from the files of shards 1..N of one search.
 * Refuses files of another program, parameters, model, mode or split, a program whose code
 * changed since, and a set with a shard missing or given twice.
 */
export function mergeShards(program: Program, files: { path: string; file: SplitFile }[]): CheckResult & { split: SplitInfo } {
  if (files.length === 0) throw new SplitFileError('merge needs the shard files (shard-*.json)');
  const first = files[0];
  for (const { path, file } of files) {
    if (file.kind !== 'shard' || !file.shard) throw new SplitFileError(`${path} is a checkpoint, not a shard (resume it with --resume)`, path);
    const why = mismatch(first.file, file);
    if (why) throw new SplitFileError(`${path} cannot be merged with ${first.path}: it is of ${why}`, path);
    if (file.shard.count !== first.file.shard!.count) throw new SplitFileError(`${path} is shard ${file.shard.index}/${file.shard.count}, but ${first.path} is one of ${first.file.shard!.count}`, path);
  }
  const n = first.file.shard!.count;
  const byIndex = new Map<number, string>();
  for (const { path, file } of files) {
    const other = byIndex.get(file.shard!.index);
    if (other) throw new SplitFileError(`shard ${file.shard!.index}/${n} is given twice (${other} and ${path})`, path);
    byIndex.set(file.shard!.index, path);
  }
  const missing = [...Array(n).keys()].map((i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new SplitFileError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing: merge needs all ${n}`);
  const f0 = first.file;
  const inst = instantiate(program, f0.params);
  const model = getModel(f0.model);
  if (programHash(inst, model.name, f0.keepGoing, !!f0.symmetry, !!f0.ghosts) !== f0.hash) {
    throw new SplitFileError(`${first.path} was written by a different version of ${f0.program} (its code hash differs from the program's now)`, first.path);
  }
  const ledger = new Ledger();
  let cutBy: CheckResult['cutBy'] = null;
  let seconds = 0;
  for (const { path, file } of files) {
    for (const s of file.segments) {
      if (ledger.has(s.seq)) throw new SplitFileError(`${path} holds part ${s.seq} of the search, which another shard holds too`, path);
      ledger.add(s);
    }
    cutBy ??= file.cutBy;
    seconds = Math.max(seconds, file.seconds);
  }
  const sum = ledger.summarize(f0.keepGoing);
  const tasks = f0.plan.tasks;
  if (!cutBy) {
    // Parts are numbered 0, 1, 2, … in search order, and shards not cut short explore every part
    // they own (without keepGoing, at least up to the first violation): a gap means a shard file
    // lost some of its parts, and the sum would be a smaller search printed as the whole one.
    const segs = ledger.segments();
    const upTo = !f0.keepGoing && sum.violation ? sum.violation.seq : Infinity;
    let expect = 0;
    for (const s of segs) {
      if (s.seq > upTo) break;
      if (s.seq !== expect) break;
      expect++;
    }
    const last = segs.length ? Math.min(upTo, segs[segs.length - 1].seq) : -1;
    if (segs.length === 0 || expect <= last) {
      throw new SplitFileError(segs.length === 0 ? 'the shards hold no part of the search, yet none says it was cut short' : `no shard holds part ${expect} of the search, yet none says it was cut short`);
    }
  }
  if (!cutBy && !sum.violation && sum.finishedSplits < tasks) {
    throw new SplitFileError(`the shards explored ${sum.finishedSplits} of the ${tasks} parts of the search, yet none says it was cut short`);
  }
  const r = resultOf(inst, model, sum, f0.keepGoing, cutBy, seconds, true, f0.symmetry ? symmetryWords(inst) : null);
  return { ...r, split: { depth: f0.plan.depth, tasks, owned: tasks, finished: sum.finishedSplits, resumed: 0, resumedFrom: null, jobs: 1, byWorkers: 0, threadCpu: [], shard: null, found: [], planSeconds: 0 } };
}

function emptySummary(): SplitFile['summary'] {
  return { complete: 0, blocked: 0, rejected: 0, violations: [] };
}

function ledgerSummary(segs: Segment[], keepGoing: boolean): SplitFile['summary'] {
  const l = new Ledger();
  for (const s of segs) l.add(s);
  const sum = l.summarize(keepGoing);
  const violations = keepGoing
    ? sum.classes.map((c) => ({ key: c.key, count: c.count, message: c.first.message }))
    : sum.violation ? [{ key: sum.violation.key, count: 1, message: sum.violation.message }] : [];
  return { complete: sum.complete, blocked: sum.blocked, rejected: sum.rejected, violations };
}

/**
 * The CheckResult one run would give, from summed segments; without `reports` (a shard's, which
 * is not what one run reports) the violations are left out, and only the verdict says there are some.
 */
export function resultOf(inst: Instance, model: MemoryModel, sum: Summary, keepGoing: boolean, cutBy: CheckResult['cutBy'], seconds: number, reports = true, symmetry: string | null = null): CheckResult {
  if (!reports) {
    return {
      program: inst.program.name, params: inst.params, model: model.name, verdict: sum.violation ? 'violation' : cutBy ? 'bounded' : 'ok',
      mode: 'exhaustive', executions: sum.complete, blocked: sum.blocked, rejected: sum.rejected, seconds, ...countsOf(model, symmetry), ...unorderedOf(sum, symmetry), cutBy, flags: sum.flags, instance: inst,
    };
  }
  const classes = keepGoing ? sum.classes.map((c) => ({ key: c.key, count: c.count, first: replayFound(inst, model, c.first) })) : undefined;
  const violation = classes ? classes[0]?.first : sum.violation ? replayFound(inst, model, sum.violation) : undefined;
  return {
    program: inst.program.name, params: inst.params, model: model.name,
    verdict: violation ? 'violation' : cutBy ? 'bounded' : 'ok', mode: 'exhaustive',
    executions: sum.complete, blocked: sum.blocked, rejected: sum.rejected, seconds,
    ...countsOf(model, symmetry), ...unorderedOf(sum, symmetry), cutBy, flags: sum.flags, violation,
    ...(classes ? { violations: classes } : {}),
    instance: inst,
  };
}

/** Symmetry reduction's figures for the counts line (as check() gives them), summed over the parts. */
function unorderedOf(sum: Summary, symmetry: string | null): { unordered?: number; unorderedCut?: number } {
  return symmetry ? { unordered: sum.unordered, unorderedCut: sum.unorderedCut } : {};
}

/** A found violation's report, from its graph, as the run that found it would have made it. */
function replayFound(inst: Instance, model: MemoryModel, f: Found): ViolationReport {
  return report(inst, model, { ...f, graph: decodeGraph(f.graph) });
}

/** A worker's error as the main thread's: the user's (ModelError, exit 2) or ours (exit 3). */
export function deserializeError(e: SerializedError): Error {
  if (e.kind === 'model') {
    let original: Error | undefined;
    if (e.original) {
      original = new Error(e.original.message);
      original.stack = e.original.stack;
    }
    return new ModelError(e.message, original);
  }
  const err = new Error(e.message);
  err.stack = e.stack;
  return err;
}

export { WorkerPool, type WorkerSource };
