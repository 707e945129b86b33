// Scenarios scale with their parameters: more walkers or lookups keep the safe protocol safe
// and the unsafe one unsafe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { findVariant } from '../../src/kernel/catalog.ts';

const cases: [string, string, Record<string, number>, string][] = [
  ['gup-fast-vs-zap', 'safe', { walkers: 2 }, 'ok'],
  ['gup-fast-vs-zap', 'no-pte-recheck', { walkers: 2 }, 'I8'],
  ['migrate-file-vs-lookup', 'safe', { lookups: 2 }, 'ok'],
  ['migrate-file-vs-lookup', 'check-without-freeze', { lookups: 2 }, 'I4'],
];

for (const [sc, v, params, expected] of cases) {
  test(`${sc}/${v} ${JSON.stringify(params)} -> ${expected}`, () => {
    const variant = findVariant(sc, v);
    assert.ok(variant, `${sc}/${v} is in the catalog`);
    const r = check(variant.program, { params, timeoutMs: 60_000 });
    if (expected === 'ok') assert.equal(r.verdict, 'ok', r.violation?.message ?? `cut by ${r.cutBy}`);
    else assert.equal(r.violation?.invariant, expected, `verdict ${r.verdict}`);
  });
}
