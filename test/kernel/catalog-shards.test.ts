// Every catalog variant and every benchmark program (at its first size), explored as 4 shards
// and merged, gives what one run gives: the same counts, the same invariants broken with the
// same counts and first counterexamples, and without --all-violations the same first violation
// found after the same number of executions. The searches are forced to split, however small.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { catalog } from '../../src/kernel/catalog.ts';
import { variantModel } from '../../src/kernel/expect.ts';
import { benchmarks } from '../../src/programs/index.ts';
import { essence, lastParts, sharded } from '../engine/split-helpers.ts';

/** Searches of more than 4 executions compared, and how many were split (a narrow one may be done whole). */
let big = 0, split = 0;

describe('4 shards merged equal one run', () => {
  for (const sc of catalog) {
    for (const v of sc.variants) {
      const models = [...new Set([variantModel(v), 'sc'])];
      test(`${sc.name} --variant ${v.name} [${models.join(', ')}]`, async () => {
        for (const model of models) {
          for (const allViolations of [true, false]) {
            const one = check(v.program, { model, allViolations });
            const want = essence(one);
            // 16 parts: every variant's search is split, however small (the default split needs a few hundred executions).
            const got = essence(await sharded(v.program, { n: 4, target: 16, model, allViolations }));
            assert.deepEqual(got, want, `${model}${allViolations ? ', all violations' : ''}`);
            // Without --all-violations the search may end, at its violation, before any part.
            if (allViolations && one.executions + one.blocked > 4) { big++; if (lastParts > 0) split++; }
          }
        }
      });
    }
  }
  for (const b of benchmarks.filter((x) => !x.heavy)) {
    test(`${b.program.name} ${JSON.stringify(b.sizes[0])}`, async () => {
      const params = b.sizes[0];
      const one = check(b.program, { params });
      assert.deepEqual(essence(await sharded(b.program, { n: 4, target: 16, model: 'sc', allViolations: false, params })), essence(one));
      if (one.executions + one.blocked > 4) { big++; if (lastParts > 0) split++; }
    });
  }
  // Runs after the tests above (a describe's tests run in order).
  test('most of those searches were split, not done whole', () => {
    assert.ok(split > (3 * big) / 4, `only ${split} of the ${big} searches of more than 4 executions were split`);
  });
});
