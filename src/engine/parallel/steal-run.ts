// The calling thread's side of a work-stealing --jobs run (steal.ts): it explores the root task at
// once, lets the worker threads join once the search has run for a while (STEAL_JOIN_CPU with an
// explicit --jobs, whose threads started loading with the process; STEAL_START_CPU with the
// default, which starts them only then) and a core is free (spare-core.ts), so that a short
// search, or one on a machine with no core to spare, runs as on one thread; routes the tasks
// explorers hand off, takes in their segments, and sums them.
import type { Program } from '../program.ts';
import type { CheckResult } from '../index.ts';
import { StealShared } from './steal-state.ts';
import { runTask, stealSearch, sumTasks, type StealEnv, type StealMessage, type StealTask, type TaskSeg } from './steal.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import { spareCore } from './spare-core.ts';
import { deserializeError, resultOf, type SplitCheckOptions, type SplitOutcome } from './run.ts';
import type { SerializedError, StealJob } from './worker.ts';

/**
 * With the default --jobs, how much CPU time (seconds) the calling thread spends on the search
 * alone before it starts worker threads: a search over by then does not pay for them. A worker
 * thread costs about 0.1 s of CPU to start and more to warm up, and its heap makes the process's
 * garbage collector busier: fib_bench NUM=5 (0.35 s of search) used 0.3 s more CPU in all when
 * its worker started after 0.2 s, and on a machine whose other sessions keep every core busy the
 * process's threads share its one slice of the CPU, so that costs as much wall-clock time. CPU
 * time, not the clock: on a busy machine the clock runs ahead of the search (docs/scaling.md).
 */
export const STEAL_START_CPU = 0.5;

/**
 * With an explicit --jobs, whose worker threads started loading with the process: how much CPU
 * time (seconds) the calling thread spends on the search alone before they may ask for work.
 * They are loaded by then, and have loaded the program and sit waiting (no CPU). A worker that
 * joins costs the process its warm-up — V8 compiles the explorer's hot code again for its isolate,
 * about 0.1–0.3 CPU s on the helper threads that a one-thread run has the second core for
 * (docs/scaling.md) — so a search shorter than that is faster alone: readers N=15 (0.1 s) took
 * 0.23 s on two threads against 0.10 s on one when the worker joined at once.
 */
export const STEAL_JOIN_CPU = 0.2;

/**
 * On a machine with no core free (spare-core.ts), the CPU time (seconds) of search after which the
 * worker threads join anyway: a search that long gains from a second thread even on a busy machine
 * (big1, 6 s of search, on this 2-core machine at a load average of 11 to 20: 1.42× median, 0.97×
 * to 2.37×), shorter ones lose (lastzero N=15, 1 s: 0.87×; docs/scaling.md).
 */
export const STEAL_BUSY_JOIN_CPU = 1.5;

let nextJob = 1_000_000;

export async function checkStealing(program: Program, opts: SplitCheckOptions): Promise<SplitOutcome> {
  const t0 = performance.now();
  const keepGoing = !!opts.allViolations;
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  const s = stealSearch(program, opts.params, opts.model ?? 'sc', keepGoing, opts.symmetry, opts.maxEvents, deadline, opts.ghosts !== false);
  const threads = opts.jobs - 1;
  const pool = opts.workers!.pool;
  const shared = StealShared.create(opts.jobs, opts.maxExecutions ?? Infinity);
  const jobId = nextJob++;
  const segs: TaskSeg[] = [];
  const mine: StealTask[] = [];
  let pending = 1;
  let byWorkers = 0;
  let jobError: SerializedError | null = null;
  const workerCpu: (number | null)[] = [];
  let doneMsgs = 0;
  let started = false;
  const startWorkers = (): void => {
    if (started) return;
    started = true;
    pool.grow(threads);
    const job: Omit<StealJob, 'worker'> = {
      kind: 'steal', id: jobId, program: opts.workers!.program, params: s.inst.params, model: s.model.name, keepGoing,
      symmetry: s.symmetry, ghosts: s.ghosts, sab: shared.sab, deadline, maxEvents: opts.maxEvents,
    };
    pool.post(job, threads);
  };
  // An explicit --jobs started the threads with the process: they get the job at once (and load
  // the program), and join when the search has used STEAL_JOIN_CPU. The default starts them at
  // STEAL_START_CPU, and they join as soon as they are ready. Either only at a moment a core is
  // free (spare-core.ts): on a machine whose cores are all busy the search stays on this thread
  // until it has used STEAL_BUSY_JOIN_CPU.
  const early = pool.size >= threads;
  const joinAt = opts.joinCpu ?? (early ? STEAL_JOIN_CPU : STEAL_START_CPU);
  const join = (): void => {
    startWorkers();
    shared.openJoin();
  };
  const forward = (to: number, task: StealTask): void => {
    pool.send(to - 1, { type: 'task', job: jobId, to, task } satisfies StealMessage);
    shared.posted(to);
  };
  const take = (m: StealMessage): void => {
    if (m.job !== jobId) return;
    if (m.type === 'seg') { segs.push(m.seg); pending--; byWorkers++; }
    else if (m.type === 'task') { pending++; if (m.to === 0) mine.push(m.task); else forward(m.to, m.task); }
    else if (m.type === 'done') { doneMsgs++; workerCpu.push(m.cpu); }
    else { doneMsgs++; jobError ??= m.error; shared.haltAll(); }
  };
  let seenMail = -1;
  const drain = (): void => {
    const mail = shared.mailOf(0);
    if (mail === seenMail || !started) return;
    seenMail = mail;
    pool.drain(threads, take as (m: unknown) => void);
  };
  const cpu0 = threadCpuSeconds();
  let polls = 0;
  let lastProgress = performance.now();
  let lastJoinCheck = performance.now();
  const onTick = opts.onTick;
  const tick = (): void => {
    drain();
    if (onTick) onTick();
    if ((++polls & 1023) !== 0) return;
    // The thread's CPU time is read from /proc (tens of µs; 10 ms ticks), so at most every 20 ms:
    // read every 1024 leaves, about 200 reads in fib_bench NUM=5.
    const now = performance.now();
    if (!shared.joinOpen() && now - lastJoinCheck >= 20) {
      lastJoinCheck = now;
      const c = threadCpuSeconds();
      const used = c === null || cpu0 === null ? (performance.now() - t0) / 1000 : c - cpu0;
      if (used >= joinAt && (used >= STEAL_BUSY_JOIN_CPU || spareCore())) join();
    }
    if (opts.onProgress && now - lastProgress >= 1000) {
      lastProgress = now;
      let c = 0, b = 0;
      for (const t of segs) { c += t.complete; b += t.blocked; }
      opts.onProgress(c, b, (performance.now() - t0) / 1000);
    }
  };
  const env: StealEnv = { me: 0, shared, give: (to, t) => { pending++; forward(to, t); }, tick };
  if (early) startWorkers();
  if (joinAt <= 0) join();

  let mainError: unknown = null;
  try {
    let task: StealTask | null = { path: [], g: null, items: [] };
    for (;;) {
      if (task) {
        segs.push(runTask(s, task, env));
        pending--;
        task = null;
      }
      drain();
      // A worker's error ends the search (its part never reports a segment).
      if (pending === 0 || jobError) break;
      task = mine.shift() ?? null;
      if (task) continue;
      shared.ask(0);
      const seen = shared.mailOf(0);
      seenMail = -1;
      drain();
      task = mine.shift() ?? null;
      if (task || pending === 0 || jobError) continue;
      const dead = pool.failure(threads);
      if (dead) { jobError ??= dead; shared.haltAll(); break; }
      await shared.sleepAsync(0, seen, 100);
    }
  } catch (e) {
    mainError = e;
    shared.haltAll();
  }
  shared.end();
  if (started) {
    // Wait for the workers that started on the job; one still loading is let off it.
    let n = 0;
    for (let k = 1; k <= threads; k++) if (!shared.letOff(k)) n++;
    while (doneMsgs < n) {
      const seen = shared.mailOf(0);
      seenMail = -1;
      drain();
      if (doneMsgs >= n) break;
      const dead = pool.failure(threads);
      if (dead) { jobError ??= dead; break; }
      await shared.sleepAsync(0, seen, 100);
    }
  }
  if (mainError) throw mainError;
  if (jobError) throw deserializeError(jobError);

  const cpu1 = threadCpuSeconds();
  const threadCpu = [cpu0 === null || cpu1 === null ? null : Number((cpu1 - cpu0).toFixed(2)), ...workerCpu];
  let bound = shared;
  if (segs.some((t) => t.spawned)) {
    // Rare: a spawn first met in a handed-off part (one that the first executions do not make). One run, then.
    bound = StealShared.create(1, opts.maxExecutions ?? Infinity);
    segs.splice(0, segs.length, runTask(s, { path: [], g: null, items: [] }, { me: 0, shared: bound, give: () => {} }));
  }
  const { sum, unfinished } = sumTasks(segs, keepGoing);
  let cutBy: CheckResult['cutBy'] = null;
  for (const t of segs) cutBy ??= t.cutBy;
  if (bound.boundReached()) cutBy ??= 'max-executions';
  if (!cutBy && unfinished > 0) throw new Error(`the search ended with ${unfinished} of its ${segs.length} parts unexplored`);
  const seconds = (performance.now() - t0) / 1000;
  const result = resultOf(s.inst, s.model, sum, keepGoing, cutBy, seconds, true, s.symWords);
  const summary = { complete: sum.complete, blocked: sum.blocked, rejected: sum.rejected, violations: [] };
  return {
    result: {
      ...result,
      split: {
        depth: 0, tasks: segs.length, owned: segs.length, finished: segs.length - unfinished, resumed: 0, resumedFrom: null,
        jobs: opts.jobs, byWorkers, threadCpu, shard: null, found: [], planSeconds: 0,
      },
    },
    file: {
      format: 'mmcheck-split/1', kind: 'checkpoint', program: program.name, source: opts.source ?? {}, params: s.inst.params, model: s.model.name,
      keepGoing, hash: '', plan: { target: 0, depth: 0, tasks: 0, prefixLeaves: 0 }, shard: null, summary, cutBy, seconds, segments: [],
    },
  };
}
