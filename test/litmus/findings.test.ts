// The litmus tests of docs/litmus/ (the weak-memory findings as C litmus tests a kernel
// maintainer can run with herd7): each file states its expected result in a `Result:` comment,
// as the kernel's tools/memory-model/litmus-tests do, and the Observation line herd7 prints for
// it; `mmcheck litmus` must print exactly that. A finding test and its fixed version ("+rmb", "+mb")
// come in pairs: the kernel's code Sometimes, the fix Never.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLitmusModel } from '../../src/litmus/model.ts';
import { herdOutput } from '../../src/litmus/output.ts';
import { runText } from '../../src/litmus/run.ts';

const DIR = new URL('../../docs/litmus/', import.meta.url).pathname;
const files = readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort();

test('docs/litmus holds the findings of docs/weak-memory-findings.md §1 and §2 with their fixes', () => {
  for (const [f, fix] of [['migrate-anon-refcount-check', '+rmb'], ['migrate-file-check-copy-freeze', '+rmb'], ['fork-write-protect-seq', '+mb']]) {
    assert.ok(files.includes(`${f}.litmus`), `${f}.litmus missing`);
    assert.ok(files.includes(`${f}${fix}.litmus`), `${f}${fix}.litmus (the fix) missing`);
  }
  assert.ok(files.includes('migrate-file-freeze-copy.litmus'), 'the pre-v6.11 order is missing');
});

for (const f of files) {
  test(`docs/litmus/${f}: mmcheck litmus prints the result its comment states`, async () => {
    const text = readFileSync(join(DIR, f), 'utf8');
    const result = /^\s*\*\s*Result:\s*(Never|Sometimes|Always)\s*$/m.exec(text)?.[1];
    const observation = /^\s*\*\s*(Observation \S+ (?:Never|Sometimes|Always) \d+ \d+)\s*$/m.exec(text)?.[1];
    assert.ok(result, `${f}: no "Result:" line in the header comment`);
    assert.ok(observation, `${f}: no expected "Observation" line in the header comment`);
    const r = runText(f, text, await loadLitmusModel());
    assert.equal(r.verdict, result, `${f}: Result: ${result} stated, ${r.verdict} found`);
    const printed = herdOutput(r).split('\n').find((l) => l.startsWith('Observation '));
    assert.equal(printed, observation);
    if (f.includes('+rmb') || f.includes('+mb')) assert.equal(r.verdict, 'Never', 'a fixed version must forbid the lost write');
  });
}
