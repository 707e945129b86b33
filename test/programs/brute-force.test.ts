// Two checks that do not trust the engine alone:
// 1. The programs themselves: a brute-force SC enumerator (every interleaving, distinct graphs
//    counted) gives GenMC's counts (docs/design/benchmarks.md §1) on the small sizes, so a count the engine
//    gets wrong is the engine's fault, not a transcription error in the program.
// 2. Differential: the engine and the brute force agree on sizes and variants GenMC has no
//    expected count for (complete and, where GenMC's rules are the same, verdicts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { findProgram } from '../../src/programs/index.ts';
import type { Params } from '../../src/engine/program.ts';
import { bruteForce } from './brute-force.ts';

/** [program, params, GenMC `-sc` complete executions (docs/design/benchmarks.md §1)] */
const anchored: [string, Params, number][] = [
  ['lastzero', { N: 5 }, 64],
  ['readers', { N: 2 }, 4],
  ['casrot', { N: 5 }, 43],
  ['casrot', { N: 6 }, 144],
  ['ainc', { N: 5 }, 120],
  ['binc', { N: 3 }, 36],
  ['cinc', { N: 3 }, 216],
  ['wcas', { N: 5 }, 81],
  ['N-writers', { N: 4 }, 720],
  ['rw', { N: 3 }, 36],
  ['inc', { N: 3 }, 36],
  ['casw', { N: 3 }, 66],
  ['CoA', { N: 3 }, 130],
  ['szymanski', { N: 1 }, 6],
  ['peterson', {}, 4],
  ['peterson-sc', {}, 4],
];

for (const [name, params, expected] of anchored) {
  test(`brute force: ${name}(${Object.values(params).join(', ')}) has GenMC's ${expected} executions`, () => {
    const r = bruteForce(findProgram(name)!, params);
    assert.deepEqual(r.violations, []);
    assert.equal(r.complete, expected);
  });
}

const unanchored: [string, Params][] = [
  ['lastzero', { N: 1 }],
  ['lastzero', { N: 2 }],
  ['lastzero', { N: 3 }],
  ['readers', { N: 4 }],
  ['indexer', { N: 2 }],
  ['casrot', { N: 1 }],
  ['CoA', { N: 0 }],
  ['fib_bench', { NUM: 1 }],
  ['fib_bench', { NUM: 2 }],
  ['szymanski', { N: 2 }],
];

for (const [name, params] of unanchored) {
  test(`engine = brute force: ${name}(${Object.values(params).join(', ')})`, () => {
    const p = findProgram(name)!;
    const bf = bruteForce(p, params);
    const r = check(p, { params, model: 'sc' });
    assert.equal(r.verdict, bf.violations.length ? 'violation' : 'ok', r.violation?.message);
    if (!bf.violations.length) assert.equal(r.executions, bf.complete);
  });
}
