// Shared-out searches (src/engine/parallel) give exactly what one run gives: on random programs,
// shards 1..N of a search, forced to split even when small, merge into the same counts, the same
// classes of violation with the same first counterexample, and — when the search stops at the
// first violation — the same violation found after the same number of executions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check } from '../../src/engine/index.ts';
import { checkSplit } from '../../src/engine/parallel/run.ts';
import { randProg, toProgram, type RandProg } from './randprog.ts';
import { essence, lastParts, sharded } from './split-helpers.ts';

/** Sharded searches compared, and how many of them were split (a small search is done whole). */
let checked = 0, split = 0;

async function agree(p: RandProg, model: string, all: boolean): Promise<void> {
  const program = toProgram(p);
  const want = essence(check(program, { model, allViolations: all }));
  const label = `${model}${all ? ' --all-violations' : ''}: ${JSON.stringify(p)}`;
  for (const target of [1, 3]) {
    const whole = await checkSplit(program, { model, allViolations: all, jobs: 1, target });
    assert.deepEqual(essence(whole.result), want, `split (target ${target}) differs: ${label}`);
    for (const n of [2, 3]) {
      assert.deepEqual(essence(await sharded(program, { n, target, model, allViolations: all })), want, `${n} shards (target ${target}) differ: ${label}`);
      checked++;
      if (lastParts > 0) split++;
    }
  }
}

const runs = (n: number): fc.Parameters<[RandProg]> => ({ numRuns: n, seed: 20261205, endOnFailure: true });
const gen = randProg({ blocking: true, locks: true, maxTotal: 10 });

for (const model of ['sc', 'tso', 'lkmm']) {
  for (const all of [false, true]) {
    test(`split runs equal one run on random programs under ${model}${all ? ', all violations' : ', first violation'}`, async () => {
      checked = split = 0;
      await fc.assert(fc.asyncProperty(gen, (p) => agree(p, model, all)), runs(Number(process.env.SPLIT_RUNS ?? 150)));
      assert.ok(split > checked / 4, `only ${split} of ${checked} sharded searches were split`);
    });
  }
}
