// Robustness property: thousands of mutated corpus tests (dropped tokens, swapped or duplicated
// lines, truncation, stray bytes) are each either parsed and checked, or refused with a
// file:line:col position — never an unexpected exception. Deterministic (fixed seed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { readHerdResults, DEFAULT_ROOT } from '../../src/litmus/corpus.ts';
import { loadLitmusModel } from '../../src/litmus/model.ts';
import { Refused, runText } from '../../src/litmus/run.ts';

// The quicker half of the corpus (herd7 under 20 ms), every 8th: a varied, deterministic sample.
const sample = readHerdResults()
  .filter((r) => r.timeMs < 20)
  .filter((_, i) => i % 4 === 0)
  .map((r) => ({ path: r.path, text: readFileSync(`${DEFAULT_ROOT}/${r.path}`, 'utf8') }));

const model = await loadLitmusModel();

type Mutation =
  | { k: 'dropTokens'; at: number; len: number }
  | { k: 'swapLines'; a: number; b: number }
  | { k: 'dupLine'; a: number }
  | { k: 'truncate'; at: number }
  | { k: 'stray'; at: number; byte: number }
  | { k: 'replaceChar'; at: number; byte: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('dropTokens' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ k: fc.constant('dupLine' as const), a: fc.nat() }),
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('stray' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant('replaceChar' as const), at: fc.nat(), byte: fc.constantFrom(40, 41, 42, 59, 123, 125, 61, 38, 48, 49, 120, 80) }),
);

function apply(text: string, m: Mutation): string {
  switch (m.k) {
    case 'dropTokens': {
      const toks = text.split(/(\s+|(?<=[(){};,*=&])|(?=[(){};,*=&]))/).filter((t) => t !== undefined);
      if (toks.length === 0) return text;
      const at = m.at % toks.length;
      toks.splice(at, m.len);
      return toks.join('');
    }
    case 'swapLines': {
      const ls = text.split('\n');
      const a = m.a % ls.length;
      const b = m.b % ls.length;
      [ls[a], ls[b]] = [ls[b]!, ls[a]!];
      return ls.join('\n');
    }
    case 'dupLine': {
      const ls = text.split('\n');
      const a = m.a % ls.length;
      ls.splice(a, 0, ls[a]!);
      return ls.join('\n');
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'stray': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + String.fromCharCode(m.byte) + text.slice(at);
    }
    case 'replaceChar': {
      const at = m.at % Math.max(1, text.length);
      return text.slice(0, at) + String.fromCharCode(m.byte) + text.slice(at + 1);
    }
  }
}

test('mutated corpus tests are checked or refused with file:line:col', { timeout: 600_000 }, () => {
  let checked = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.nat({ max: sample.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
      const t = sample[i]!;
      const text = ms.reduce(apply, t.text);
      try {
        runText(t.path, text, model, { maxPaths: 2000, maxCandidates: 20000 });
        checked++;
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        assert.match(e.message, /^[^:]+:\d+:\d+: \S/);
        assert.ok(e.line >= 1 && e.col >= 1);
        refused++;
        if (process.env.FUZZ_SHOW) console.log(e.message);
      }
    }),
    { numRuns: 5000, seed: 20261122 },
  );
  console.log(`fuzz: ${checked} checked, ${refused} refused`);
  assert.ok(checked > 100 && refused > 100);
});
