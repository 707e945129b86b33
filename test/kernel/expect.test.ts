// judge(): how a result stands against a catalog variant's expectation, for exhaustive and for
// bounded runs (a sample, --timeout, --max-executions). Every result here comes from a real run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { findVariant } from '../../src/kernel/catalog.ts';
import { boundedWords, judge } from '../../src/kernel/expect.ts';

const safe = findVariant('gup-fast-vs-zap', 'safe')!;
const unsafe = findVariant('gup-fast-vs-zap', 'no-pte-recheck')!;
const sampled = (v: typeof safe, samples: number) => check(v.program, { random: { samples, seed: 1 } });

test('a bounded run with no violation decides neither a safe nor an unsafe variant', () => {
  const s = sampled(safe, 5);
  assert.equal(s.verdict, 'bounded');
  assert.equal(judge(safe, s), 'bounded');
  assert.equal(boundedWords(safe, s), 'no violation in 5 samples (not exhaustive)');
  const cut = check(unsafe.program, { maxExecutions: 1 });
  assert.equal(cut.verdict, 'bounded');
  assert.equal(judge(unsafe, cut), 'bounded');
  assert.equal(boundedWords(unsafe, cut), 'I8 not found before --max-executions');
  const cutSafe = check(safe.program, { maxExecutions: 3 });
  assert.equal(judge(safe, cutSafe), 'bounded');
  assert.equal(boundedWords(safe, cutSafe), 'no violation before --max-executions (not exhaustive)');
});

test('a violation is definite whatever the bound: expected on the unsafe variant, unexpected on the safe one', () => {
  const hit = sampled(unsafe, 500);
  assert.equal(hit.verdict, 'violation');
  assert.equal(judge(unsafe, hit), 'as expected');
  // The same result held against the safe variant's expectation (ok) contradicts it.
  assert.equal(judge(safe, hit), 'unexpected');
});

test('exhaustive runs are judged as before: ok is as expected, a missing violation is unexpected', () => {
  const ok = check(safe.program, {});
  assert.equal(ok.verdict, 'ok');
  assert.equal(judge(safe, ok), 'as expected');
  assert.equal(judge(unsafe, ok), 'unexpected');
});
