// Every catalog variant and every benchmark program (at its first size), explored as 4 shards
// and merged, gives what one run gives: the same counts, the same invariants broken with the
// same counts and first counterexamples, and without --all-violations the same first violation
// found after the same number of executions. Shards of small searches are forced to split.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { catalog } from '../../src/kernel/catalog.ts';
import { variantModel } from '../../src/kernel/expect.ts';
import { benchmarks } from '../../src/programs/index.ts';
import { essence, sharded } from '../engine/split-helpers.ts';

describe('4 shards merged equal one run', () => {
  for (const sc of catalog) {
    for (const v of sc.variants) {
      const models = [...new Set([variantModel(v), 'sc'])];
      test(`${sc.name} --variant ${v.name} [${models.join(', ')}]`, async () => {
        for (const model of models) {
          for (const allViolations of [true, false]) {
            const want = essence(check(v.program, { model, allViolations }));
            for (const target of [16, undefined]) {
              const got = essence(await sharded(v.program, { n: 4, target, model, allViolations }));
              assert.deepEqual(got, want, `${model}${allViolations ? ', all violations' : ''}, target ${target ?? 'default'}`);
            }
          }
        }
      });
    }
  }
  for (const b of benchmarks.filter((x) => !x.heavy)) {
    test(`${b.program.name} ${JSON.stringify(b.sizes[0])}`, async () => {
      const params = b.sizes[0];
      const want = essence(check(b.program, { params }));
      assert.deepEqual(essence(await sharded(b.program, { n: 4, target: 16, model: 'sc', allViolations: false, params })), want);
    });
  }
});
