// The module the worker threads of test/engine/steal.test.ts start from: the worker loop, and a
// loader that finds the program the calling thread checks — a random program (as JSON), a catalog
// variant or a benchmark program (by name).
import type { LoadedProgram } from '../../src/engine/parallel/worker.ts';
import { defineProgram, type Program } from '../../src/engine/program.ts';
import type { Ctx } from '../../src/engine/ops.ts';
import { isMainThread } from 'node:worker_threads';
import { findScenario } from '../../src/kernel/catalog.ts';
import { programs } from '../../src/programs/index.ts';
import { toProgram, type RandProg } from './randprog.ts';
import { toProgram as casToProgram, type CasProg } from './cas-programs.ts';

export { mmcheckWorker } from '../../src/engine/parallel/worker.ts';

export type StealRef = { rand: RandProg } | { cas: CasProg } | { scenario: string; variant: string } | { program: string } | { throwing: number; onlyInWorkers?: boolean } | { spawner: number };

/**
 * n threads adding 1 to x twice, and a thread whose body throws (the user's error, exit 2) when it
 * reads x = 2n; with onlyInWorkers, only when it runs in a worker thread (so that the error comes
 * from a part a worker explores).
 */
export function throwing(n: number, onlyInWorkers = false): Program {
  return defineProgram({
    name: 'throws-late',
    setup(b) {
      const x = b.loc('x');
      for (let i = 0; i < n; i++) {
        b.thread(`T${i}`, function* (t: Ctx) {
          yield t.fetchAdd(x, 1);
          yield t.fetchAdd(x, 1);
        });
      }
      b.thread('R', function* (t: Ctx) {
        const v = yield t.load(x);
        if (v === 2 * n && !(onlyInWorkers && isMainThread)) throw new Error('R read the last value');
      });
    },
  });
}

/**
 * A thread that reads y (which W sets) and then spawns n threads, each adding 1 to x twice and the
 * first storing what the parent read to z: every execution spawns them, the first one too, and a
 * child's body holds a value its parent read.
 */
export function spawner(n: number): Program {
  return defineProgram({
    name: 'spawner',
    setup(b) {
      const x = b.loc('x'), y = b.loc('y'), z = b.loc('z');
      b.thread('W', function* (t: Ctx) {
        yield t.store(y, 1);
      });
      b.thread('main', function* (t: Ctx) {
        const v = (yield t.load(y)) as number;
        for (let i = 0; i < n; i++) {
          yield t.spawn(function* (c: Ctx) {
            yield c.fetchAdd(x, 1);
            if (i === 0) yield c.store(z, v + 1);
            yield c.fetchAdd(x, 1);
          }, `C${i}`);
        }
      });
    },
  });
}

export function loadStealProgram(ref: StealRef): LoadedProgram {
  if ('spawner' in ref) return { program: spawner(ref.spawner) };
  if ('rand' in ref) return { program: toProgram(ref.rand) };
  if ('cas' in ref) return { program: casToProgram(ref.cas) };
  if ('throwing' in ref) return { program: throwing(ref.throwing, ref.onlyInWorkers) };
  if ('scenario' in ref) return { program: findScenario(ref.scenario)!.variants.find((v) => v.name === ref.variant)!.program };
  return { program: programs.find((p) => p.name === ref.program)! };
}
