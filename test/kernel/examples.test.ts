// The worked example of docs/writing-scenarios.md explores to the verdicts the document shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { peekExample } from '../../examples/peek-page-cache.ts';

for (const v of peekExample.variants) {
  test(`example-peek-page-cache/${v.name} -> ${v.expected}`, () => {
    const r = check(v.program);
    if (v.expected === 'ok') assert.equal(r.verdict, 'ok', r.violation?.message);
    else assert.equal(r.violation?.invariant, v.expected, `verdict ${r.verdict}`);
  });
}
