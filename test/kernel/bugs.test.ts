// The bug-history catalog: every bug is either modelled (a pre-fix variant that exhaustive
// exploration finds breaking its expected invariant, a fixed variant that holds, both carrying
// the commit metadata) or says why not. Verdicts come from exploration; the entries only say what
// to expect.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { bugs } from '../../src/kernel/catalog.ts';
import { bugVariant } from '../../src/kernel/bugs/bug.ts';
import { asExpected, variantModel } from '../../src/kernel/expect.ts';

const HEX12 = /^[0-9a-f]{12}$/;

describe('bug-history catalog', () => {
  test('every bug names its fix and either reproduces it or says why not', () => {
    assert.ok(bugs.length >= 22);
    for (const b of bugs) {
      assert.match(b.commit, HEX12, b.id);
      if (b.fixes !== null) assert.match(b.fixes, HEX12, b.id);
      if (b.notModelled) {
        assert.equal(b.variants.length, 0, `${b.id}: a bug that is not modelled has no variants`);
        assert.ok(b.notModelled.length > 10, `${b.id}: the reason it is not modelled`);
        continue;
      }
      const roles = b.variants.map((v) => v.role);
      assert.ok(roles.includes('pre-fix') && roles.includes('fixed'), `${b.id}: a pre-fix and a fixed variant`);
      for (const bv of b.variants) {
        const v = bugVariant(bv);
        assert.ok(v.kernels, `${b.id} ${v.name}: the kernel versions it stands for`);
        if (bv.role === 'pre-fix') assert.notEqual(v.expected, 'ok', `${b.id}: pre-fix expects the invariant the bug breaks`);
        if (bv.role === 'fixed') assert.equal(v.expected, 'ok', `${b.id}: fixed expects ok`);
      }
    }
  });

  for (const b of bugs) {
    if (b.notModelled) continue;
    for (const bv of b.variants) {
      const v = bugVariant(bv);
      test(`${b.id} ${bv.role}: ${bv.scenario.name} --variant ${v.name} is ${v.expected === 'ok' ? 'ok' : `found breaking ${v.expected}`} under ${variantModel(v)}`, () => {
        const r = check(v.program, { model: variantModel(v), allViolations: true, timeoutMs: 120_000 });
        assert.equal(r.cutBy, null, 'explored exhaustively');
        assert.equal(asExpected(v, r), true, `verdict ${r.verdict}, found ${(r.violations ?? []).map((c) => c.key).join(',')}`);
      });
    }
  }
});
