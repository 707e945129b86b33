// The module the worker threads of test/engine/steal.test.ts start from: the worker loop, and a
// loader that finds the program the calling thread checks — a random program (as JSON), a catalog
// variant or a benchmark program (by name).
import type { LoadedProgram } from '../../src/engine/parallel/worker.ts';
import { findScenario } from '../../src/kernel/catalog.ts';
import { programs } from '../../src/programs/index.ts';
import { toProgram, type RandProg } from './randprog.ts';

export { mmcheckWorker } from '../../src/engine/parallel/worker.ts';

export type StealRef = { rand: RandProg } | { scenario: string; variant: string } | { program: string };

export function loadStealProgram(ref: StealRef): LoadedProgram {
  if ('rand' in ref) return { program: toProgram(ref.rand) };
  if ('scenario' in ref) return { program: findScenario(ref.scenario)!.variants.find((v) => v.name === ref.variant)!.program };
  return { program: programs.find((p) => p.name === ref.program)! };
}
