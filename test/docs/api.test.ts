// The public API is deliberate: docs/api.md (generated from the doc comments by
// scripts/api-docs.ts) is up to date, every exported name has a doc comment, and the entry points
// export what docs/writing-scenarios.md promises a scenario file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { API_DOC, generate } from '../../scripts/api-docs.ts';

const { text, undocumented } = generate();

test('docs/api.md is what scripts/api-docs.ts generates (npm run docs:api rewrites it)', () => {
  assert.ok(readFileSync(API_DOC, 'utf8') === text, 'docs/api.md is out of date: run npm run docs:api and commit it');
});

test('every exported name has a doc comment', () => {
  assert.deepEqual(undocumented, []);
});

test("'mmcheck' and 'mmcheck/kernel' export what a scenario file needs", async () => {
  const engine = await import('mmcheck');
  const kernel = await import('mmcheck/kernel');
  for (const n of ['defineProgram', 'Mode', 'Builder', 'Ctx', 'check', 'replay', 'DEFAULT_MODEL']) assert.ok(n in engine, `mmcheck exports ${n}`);
  for (const n of ['Explorer', 'Graph', 'prng', 'RandomChooser', 'scenarioTrace']) assert.ok(!(n in engine), `mmcheck keeps ${n} private`);
  for (const n of ['variants', 'Cpus', 'newFolio', 'newPageTable', 'newMm', 'newAddressSpace', 'folio_try_get', 'folio_put',
    'gup_fast', 'tlb_remove_table', 'filemap_get_entry', 'synchronize_rcu', 'call_rcu', 'smp_call_function', 'migrateAnonFolio', 'ghostLoad', 'judge', 'kernelFunction', 'smp_mb']) {
    assert.ok(n in kernel, `mmcheck/kernel exports ${n}`);
  }
});
