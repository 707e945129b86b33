// Scenarios scale with their parameters: more walkers or lookups keep the safe protocol safe
// and the unsafe one unsafe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, defineProgram, ModelError, ParamError, paramSpecs } from '../../src/engine/index.ts';
import { catalog, findVariant } from '../../src/kernel/catalog.ts';
import { benchmarks } from '../../src/programs/index.ts';

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

test('issue 12: a parameter outside its declared range is refused, not run as something else', () => {
  const v = findVariant('gup-fast-vs-zap', 'safe')!;
  for (const walkers of [0, -1, 9, 100_000, 1.5]) {
    assert.throws(() => check(v.program, { params: { walkers } }), (e: Error) =>
      e instanceof ParamError && /--param walkers=\S+ is out of range for gup-fast-vs-zap\/safe: walkers must be an integer from 1 to 8 \(default 1\)/.test(e.message), String(walkers));
  }
  assert.throws(() => check(v.program, { params: { walker: 2 } }), /unknown parameter 'walker' for gup-fast-vs-zap\/safe \(it has: walkers=1 \(1\.\.8\)\)/);
  // Every parameter of mmcheck's own programs and scenarios declares its range, and every default is in it.
  for (const p of [...catalog.flatMap((s) => s.variants.map((x) => x.program)), ...benchmarks.map((b) => b.program)]) {
    for (const [k, d] of Object.entries(p.params ?? {})) {
      assert.equal(typeof d, 'object', `${p.name}: parameter ${k} declares no range`);
      const s = paramSpecs(p)[k];
      assert.ok(s.min <= s.default && s.default <= s.max && s.max < Infinity, `${p.name}: ${k}`);
    }
  }
  // The benchmark sizes are in range.
  for (const b of benchmarks) for (const size of b.sizes) for (const [k, n] of Object.entries(size)) {
    const s = paramSpecs(b.program)[k];
    assert.ok(s && s.min <= n && n <= s.max, `${b.program.name} ${k}=${n}`);
  }
});

test('a bare number still declares a default (range from 0); a malformed declaration is the model\'s error', () => {
  const bare = defineProgram({ name: 'bare', params: { n: 2 }, setup(b, { n }) { const x = b.loc('x'); for (let i = 0; i < n; i++) b.thread(`T${i}`, function* (t) { yield t.store(x, 1); }); } });
  assert.equal(check(bare, { params: { n: 3 } }).executions, 6);
  assert.throws(() => check(bare, { params: { n: -1 } }), ParamError);
  const bad = defineProgram({ name: 'bad', params: { n: { default: 5, min: 1, max: 3 } }, setup() {} });
  assert.throws(() => check(bad), (e: Error) => e instanceof ModelError && /declares parameter 'n'/.test(e.message));
});
