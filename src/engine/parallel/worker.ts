// One worker thread of a --jobs run: loads the program the way the main thread did (through the
// loader its entry module exports), then for each job walks the plan's prefix and explores the
// split tasks it manages to claim, posting one message per segment. See pool.ts for the other side.
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Explorer } from '../explore.ts';
import { instantiate, type Params, type Program } from '../program.ts';
import { getModel } from '../models/index.ts';
import { ModelError } from '../errors.ts';
import { SplitRun, type Segment } from './split.ts';
import { SabShared } from './shared-state.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import { StealShared } from './steal-state.ts';
import { runTask, stealSearch, type StealEnv, type StealMessage, type StealTask } from './steal.ts';

/** What a worker's loader gives back for a job's `program` argument. */
export interface LoadedProgram {
  program: Program;
}

/** What every job names: the program, how to explore it, and this worker's place among the job's. */
interface JobBase {
  id: number;
  /** Handed to the entry module's `loadWorkerProgram`. */
  program: unknown;
  params: Params;
  model: string;
  keepGoing: boolean;
  /** Symmetric threads up to permutation (ExploreOptions.symmetry). */
  symmetry: boolean;
  /** Failed CAS reads taken out (ExploreOptions.ghosts). */
  ghosts: boolean;
  sab: SharedArrayBuffer;
  /** This worker's index among the job's (set by the pool for each thread it posts the job to). */
  worker: number;
  /** Absolute time (Date.now()) of --timeout, if any. */
  deadline?: number;
  maxEvents?: number;
}

/** A split job (split.ts): walk the plan's prefix, explore the split tasks this thread claims. */
export interface Job extends JobBase {
  depth: number;
  tasks: number;
}

/** A work-stealing job (steal.ts): explore the tasks handed to this thread until the search ends. */
export interface StealJob extends JobBase {
  kind: 'steal';
}

export type AnyJob = Job | StealJob;

export type WorkerMessage =
  | { type: 'seg'; job: number; seg: Segment }
  | { type: 'done'; job: number; cutBy: string | null; cpu: number | null }
  | { type: 'error'; job: number; error: SerializedError };

export interface SerializedError {
  /** 'model' for a ModelError (the user's program), else 'internal'. */
  kind: 'model' | 'internal';
  name: string;
  message: string;
  stack?: string;
  /** ModelError: the user's original exception, for the file:line:col the CLI prints. */
  original?: { message?: string; stack?: string };
}

export function serializeError(e: unknown): SerializedError {
  const err = e as Error;
  if (e instanceof ModelError) {
    const o = e.original as Error | undefined;
    return { kind: 'model', name: err.name, message: err.message, stack: err.stack, original: o ? { message: o.message, stack: o.stack } : undefined };
  }
  return { kind: 'internal', name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack };
}

type Loader = (arg: unknown) => Promise<LoadedProgram> | LoadedProgram;

/** The worker's main loop; the entry module calls it with its own namespace (for the loader). */
export function mmcheckWorker(data: { port: MessagePort; loader: string }, mod: Record<string, unknown>): void {
  const port = data.port;
  const load = mod[data.loader] as Loader;
  const cache = new Map<string, LoadedProgram>();
  let queue = Promise.resolve();
  parentPort!.on('message', (job: AnyJob | 'close') => {
    if (job === 'close') { port.close(); parentPort!.close(); return; }
    queue = queue.then(() => ('kind' in job ? runSteal(job) : runJob(job)));
  });

  async function program(arg: unknown): Promise<LoadedProgram> {
    const key = JSON.stringify(arg);
    let loaded = cache.get(key);
    if (!loaded) { loaded = await load(arg); cache.set(key, loaded); }
    return loaded;
  }

  /**
   * A work-stealing job: ask for work, explore each task handed over (handing off parts of it in
   * turn), report its segment, until the calling thread ends the search. Blocks this thread's
   * event loop while the job lasts: tasks come through `port`, read with receiveMessageOnPort.
   */
  async function runSteal(job: StealJob): Promise<void> {
    const shared = new StealShared(job.sab);
    const me = job.worker + 1;
    const post = (m: StealMessage): void => { port.postMessage(m); shared.posted(0); };
    const cpu0 = threadCpuSeconds();
    let s: ReturnType<typeof stealSearch>;
    try {
      const loaded = await program(job.program);
      s = stealSearch(loaded.program, job.params, job.model, job.keepGoing, job.symmetry ? undefined : false, job.maxEvents, job.deadline, job.ghosts);
    } catch (e) {
      if (!shared.start(me)) return;
      shared.haltAll();
      post({ type: 'error', job: job.id, error: serializeError(e) });
      shared.workerDone();
      return;
    }
    // Let off: the search ended while this thread loaded the program or waited to join (the
    // calling thread did not wait for it).
    if (!shared.awaitJoin(me) || !shared.start(me)) return;
    try {
      const env: StealEnv = { me, shared, give: (to, task) => post({ type: 'task', job: job.id, to, task }) };
      for (;;) {
        const seen = shared.mailOf(me);
        const tasks: StealTask[] = [];
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const msg = m.message as StealMessage;
          if (msg.type === 'task' && msg.job === job.id) tasks.push(msg.task);
        }
        for (const t of tasks) post({ type: 'seg', job: job.id, seg: runTask(s, t, env) });
        if (tasks.length) continue;
        if (shared.ended()) break;
        shared.ask(me);
        shared.sleep(me, seen, 200);
      }
      const c = threadCpuSeconds();
      post({ type: 'done', job: job.id, cutBy: null, cpu: c === null || cpu0 === null ? null : Number((c - cpu0).toFixed(2)) });
    } catch (e) {
      shared.haltAll();
      post({ type: 'error', job: job.id, error: serializeError(e) });
    } finally {
      shared.workerDone();
    }
  }

  async function runJob(job: Job): Promise<void> {
    const shared = new SabShared(job.sab);
    // Let off the job (the calling thread took every part before this thread got to it): nothing to say.
    if (!shared.start(job.worker)) return;
    try {
      const cpu0 = threadCpuSeconds();
      const cpu = (): number | null => { const c = threadCpuSeconds(); return c === null || cpu0 === null ? null : Number((c - cpu0).toFixed(2)); };
      if (shared.halted()) { port.postMessage({ type: 'done', job: job.id, cutBy: null, cpu: cpu() } satisfies WorkerMessage); return; }
      const loaded = await program(job.program);
      const inst = instantiate(loaded.program, job.params);
      const model = getModel(job.model);
      const run = new SplitRun({
        inst, model, depth: job.depth, tasks: job.tasks, countPrefix: false, keepGoing: job.keepGoing, shared,
        emit: (seg) => port.postMessage({ type: 'seg', job: job.id, seg } satisfies WorkerMessage),
      });
      const timeoutMs = job.deadline !== undefined ? Math.max(0, job.deadline - Date.now()) : undefined;
      const ex = new Explorer(inst, { model, keepGoing: job.keepGoing, maxEvents: job.maxEvents, timeoutMs, split: run, symmetry: job.symmetry, ghosts: job.ghosts });
      const r = ex.run();
      run.finish(ex, r.cutBy);
      port.postMessage({ type: 'done', job: job.id, cutBy: r.cutBy, cpu: cpu() } satisfies WorkerMessage);
    } catch (e) {
      // Stop the others too: the run's outcome is this error.
      shared.haltAll();
      port.postMessage({ type: 'error', job: job.id, error: serializeError(e) } satisfies WorkerMessage);
    } finally {
      shared.workerDone();
    }
  }
}
