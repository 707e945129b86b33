// The kernel's own scripts (tools/memory-model/scripts, vendored in test/fixtures/kernel-scripts)
// with mmcheck-herd7 as herd7 on PATH report what they report with herd7's recorded results
// (scripts/kernel-scripts.ts builds the tree and runs both). Here on 60 tests: the 35 of
// tools/memory-model/litmus-tests (checkalllitmus.sh), the 12 Documentation tests and the 3
// herdtools7 tests with a Result comment (checktheselitmus.sh) and every 100th paulmckrcu/litmus
// test (checkghlitmus.sh, or checktheselitmus.sh for those its filters leave out); the script
// without --subset runs all 1091 tests of the corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKernelScripts } from '../../scripts/kernel-scripts.ts';

test("the kernel's LKMM scripts judge mmcheck-herd7's results as they judge herd7's", { timeout: 600_000 }, () => {
  const r = runKernelScripts({ subset: true });
  for (const j of r.judgements) if (j.mmcheck !== j.herd7) console.log(`DIFFERENT ${j.path}: mmcheck ${j.mmcheck}; herd7 ${j.herd7}`);
  console.log(`kernel scripts over ${r.tests} tests (${JSON.stringify(r.byScript)}): same judgement ${r.agree}/${r.tests}; judgelitmus.sh statuses ${JSON.stringify(r.statuses)}; ${r.seconds.toFixed(0)} s`);
  assert.equal(r.tests, 60);
  assert.deepEqual(r.outputDiffers, []);
  assert.equal(r.agree, r.tests);
  // the scripts did run mmcheck: every test has an Observation, and checkalllitmus.sh says so
  assert.ok(r.judgements.every((j) => /^0( |$)/.test(j.mmcheck)), JSON.stringify(r.statuses));
  const all = r.runs.mmcheck.find((s) => s.script === 'checkalllitmus')!;
  assert.equal(all.status, 0);
  assert.equal((all.output.match(/^Observation /gm) ?? []).length, 35);
  assert.match(all.output, /All litmus tests verified as was expected\./);
  assert.ok(r.byScript.checkghlitmus! > 0);
});
