// What a --jobs worker thread loads (bin/mmcheck.js bundles it apart from the CLI, as
// worker.mjs): the worker loop, and the loader that finds a run's program the way the main
// thread did — nothing of the CLI's printing, litmus or viewer, so that a thread starts fast.
import type { LoadedProgram } from '../engine/parallel/worker.ts';
import { resolveTarget } from './targets.ts';

export { mmcheckWorker } from '../engine/parallel/worker.ts';

/** What a worker needs to find a run's program again: the target as the user named it. */
export interface RunRef {
  target: string;
  variant: string | null;
  allVariants: boolean;
  /** The run's place among those the target resolves to (a file may export several). */
  index: number;
}

/** The loader worker threads call: the main thread's resolution of the target, again. */
export async function loadWorkerProgram(ref: RunRef): Promise<LoadedProgram> {
  const runs = await resolveTarget(ref.target, ref.variant ?? undefined, ref.allVariants);
  const run = runs[ref.index];
  if (!run) throw new Error(`a worker thread resolved ${ref.target} to ${runs.length} runs, not ${ref.index + 1}`);
  return { program: run.program };
}
