// Golden-output tests: mmcheck's herd7-style output for every herdtools7 catalogue test that has a
// reference `*.litmus.expected` (44 files) must equal herd7's, line for line, apart from the Time
// and Hash lines (the hash is herd7's digest of its own parse, which mmcheck does not compute).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { runText } from '../../src/litmus/run.ts';
import { herdOutput } from '../../src/litmus/output.ts';
import { loadLitmusModel } from '../../src/litmus/model.ts';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';

const DIR = CORPUS_ROOT + '/herdtools7/catalogue/linux/tests/';
const files = readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort();
const strip = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Time ') && !l.startsWith('Hash='));

test('there are 44 golden files', () => {
  assert.equal(files.length, 44);
});

const model = await loadLitmusModel();

for (const f of files) {
  test(`golden ${f}`, () => {
    const expected = strip(readFileSync(DIR + f + '.expected', 'utf8'));
    const r = runText(DIR + f, readFileSync(DIR + f, 'utf8'), model);
    const got = strip(herdOutput(r));
    assert.deepEqual(got, expected);
  });
}

test('the Time line closes the output', () => {
  const f = files[0]!;
  const out = herdOutput(runText(DIR + f, readFileSync(DIR + f, 'utf8'), model)).trimEnd().split('\n');
  assert.match(out[out.length - 1]!, /^Time \S+ \d+\.\d\d$/);
});
