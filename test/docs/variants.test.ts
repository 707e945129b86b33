// docs/design/variants.md lists every unsafe row with the catalog variant that makes it: the
// table must name real variants with their ref, expected invariants and model, and every
// variant with a row ref must be in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { catalog } from '../../src/kernel/catalog.ts';
import { variantModel } from '../../src/kernel/expect.ts';

const rows = readFileSync('docs/design/variants.md', 'utf8').split('\n')
  .filter((l) => /^\| U\d/.test(l))
  .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
  .map(([row, , , scenario, variant, breaks, model]) => ({ row, scenario, variant, breaks, model }));

test('every row of docs/design/variants.md is a catalog variant with that ref, invariants and model', () => {
  assert.ok(rows.length >= 30, `only ${rows.length} rows parsed`);
  for (const r of rows) {
    const v = catalog.find((s) => s.name === r.scenario)?.variants.find((x) => x.name === r.variant);
    assert.ok(v, `${r.row}: no variant ${r.scenario} --variant ${r.variant}`);
    assert.ok(r.row.split(' = ').some((id) => id === v.ref), `${r.row}: the variant's ref is ${v.ref}`);
    assert.equal(r.breaks, [v.expected, ...(v.also ?? [])].join(', '), `${r.row}: breaks`);
    assert.equal(r.model, variantModel(v), `${r.row}: model`);
  }
});

test('every catalog variant with a row ref is in docs/design/variants.md', () => {
  const listed = new Set(rows.map((r) => `${r.scenario}/${r.variant}`));
  const missing = catalog.flatMap((s) => s.variants.filter((v) => /^U\d/.test(v.ref)).map((v) => `${s.name}/${v.name} (${v.ref})`))
    .filter((n) => !listed.has(n.split(' ')[0]));
  assert.deepEqual(missing, []);
});
