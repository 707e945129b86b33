// Corpus agreement: all 1091 tests of test/fixtures/litmus against herd7-results.tsv (verdict,
// positive and negative execution counts, number of final states, data-race flag, whole flag
// set). In-process; about 10 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCorpus, summaryLine } from '../../src/litmus/corpus.ts';

test('all 1091 corpus tests agree with herd7', { timeout: 600_000 }, async () => {
  const rep = await runCorpus({ jobs: 1 });
  console.log(summaryLine(rep));
  for (const d of rep.disagreements) console.log(`DISAGREE ${d.path}: ${d.what.join('; ')}`);
  assert.equal(rep.total, 1091);
  assert.deepEqual(rep.disagreements, []);
  assert.deepEqual(rep.flagSetDifferences, []);
});
