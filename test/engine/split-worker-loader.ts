// The module the worker threads of test/engine/split-threads.test.ts start from: the worker loop,
// and a loader that turns a random program (as JSON) into the program the main thread checks.
import type { LoadedProgram } from '../../src/engine/parallel/worker.ts';
import { toProgram, type RandProg } from './randprog.ts';

export { mmcheckWorker } from '../../src/engine/parallel/worker.ts';

export function loadRandProg(p: RandProg): LoadedProgram {
  return { program: toProgram(p) };
}
