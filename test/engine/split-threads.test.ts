// Worker threads sharing one search (--jobs) give exactly what one run gives, on random programs:
// the same counts, classes and first counterexamples, and without --all-violations the same first
// violation after the same number of executions, whichever thread found which violation first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check } from '../../src/engine/index.ts';
import { checkSplit } from '../../src/engine/parallel/run.ts';
import { WorkerPool } from '../../src/engine/parallel/pool.ts';
import { randProg, toProgram, type RandProg } from './randprog.ts';
import { essence } from './split-helpers.ts';

const pool = new WorkerPool({ entry: new URL('./split-worker-loader.ts', import.meta.url).href, tsx: true, loader: 'loadRandProg' });
after(() => pool.close());

/** Parts explored by the worker thread (not the calling one), over all runs. */
let byWorker = 0;

async function agree(p: RandProg, model: string, all: boolean): Promise<void> {
  const program = toProgram(p);
  const want = essence(check(program, { model, allViolations: all }));
  // The calling thread leaves the odd parts to the worker thread, which would otherwise seldom get any.
  const got = await checkSplit(program, { model, allViolations: all, jobs: 2, target: 3, workers: { pool, program: p }, callerTakes: (i) => i % 2 === 0 });
  assert.deepEqual(essence(got.result), want, `${model}${all ? ' --all-violations' : ''}: ${JSON.stringify(p)}`);
  byWorker += got.result.split.byWorkers;
}

// Larger than the other differential tests: a small search is done by the calling thread alone.
const gen = randProg({ blocking: true, locks: true, maxTotal: 14, maxOps: 5 });

for (const model of ['sc', 'tso']) {
  for (const all of [false, true]) {
    test(`two threads equal one run on random programs under ${model}${all ? ', all violations' : ', first violation'}`, async () => {
      pool.grow(1);
      await fc.assert(fc.asyncProperty(gen, (p) => agree(p, model, all)), { numRuns: 60, seed: 20261205, endOnFailure: true });
    });
  }
}

test('the worker thread explored parts of those searches', () => {
  console.log(`# the worker thread explored ${byWorker} parts`);
  assert.ok(byWorker > 50, `the worker thread explored ${byWorker} parts`);
});
