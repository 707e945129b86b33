// The engine must reproduce GenMC's SC complete-execution counts exactly on the classic SMC
// benchmark families. Expected counts: docs/design/benchmarks.md §1 (GenMC v0.11
// tests/correct/synthetic/<name>/expected.sc.mo.in). Only the sizes that take at most a few
// seconds are here; the large ones (lastzero 15, readers 13, indexer 15, casrot 9, fib_bench,
// big0, ...) run in `npm run bench` from the registry in src/programs/index.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { benchmarks, findProgram } from '../../src/programs/index.ts';
import type { Params } from '../../src/engine/program.ts';

/** [program, params, GenMC `-sc` complete executions (docs/design/benchmarks.md §1, unless noted)] */
const table: [string, Params, number][] = [
  ['lastzero', { N: 5 }, 64],
  ['lastzero', { N: 10 }, 3_328],
  ['readers', { N: 2 }, 4],
  ['readers', { N: 8 }, 256],
  ['indexer', { N: 12 }, 8],
  ['casrot', { N: 2 }, 2],
  ['casrot', { N: 3 }, 5],
  ['casrot', { N: 4 }, 14],
  ['casrot', { N: 5 }, 43],
  ['casrot', { N: 6 }, 144],
  ['casrot', { N: 7 }, 523],
  ['casrot', { N: 8 }, 2_048],
  ['ainc', { N: 2 }, 2],
  ['ainc', { N: 3 }, 6],
  ['ainc', { N: 4 }, 24],
  ['ainc', { N: 5 }, 120],
  ['ainc', { N: 6 }, 720],
  ['ainc', { N: 7 }, 5_040],
  ['binc', { N: 2 }, 4],
  ['binc', { N: 3 }, 36],
  ['binc', { N: 4 }, 576],
  ['cinc', { N: 2 }, 8],
  ['cinc', { N: 3 }, 216],
  ['wcas', { N: 2 }, 5],
  ['wcas', { N: 3 }, 13],
  ['wcas', { N: 4 }, 33],
  ['wcas', { N: 5 }, 81],
  ['wcas', { N: 6 }, 193],
  ['wcas', { N: 7 }, 449],
  ['wcas', { N: 8 }, 1_025],
  ['wcas', { N: 9 }, 2_305],
  ['N-writers', { N: 4 }, 720],
  ['rw', { N: 2 }, 4],
  ['rw', { N: 3 }, 36],
  ['rw', { N: 4 }, 576],
  ['inc', { N: 2 }, 4],
  ['inc', { N: 3 }, 36],
  ['inc', { N: 4 }, 576],
  ['casw', { N: 2 }, 6],
  ['casw', { N: 3 }, 66],
  ['casw', { N: 4 }, 1_200],
  ['CoA', { N: 1 }, 4],
  ['CoA', { N: 2 }, 15],
  ['CoA', { N: 3 }, 130],
  ['CoA', { N: 4 }, 2_028],
  ['szymanski', { N: 1 }, 6],
  ['peterson', {}, 4],
  ['peterson-sc', {}, 4],
  // Not GenMC rows: the brute-force recomputation of docs/design/benchmarks.md §3 of lastzero(1…4).
  ['lastzero', { N: 1 }, 2],
  ['lastzero', { N: 2 }, 5],
  ['lastzero', { N: 3 }, 12],
  ['lastzero', { N: 4 }, 28],
];

for (const [name, params, expected] of table) {
  test(`${name}(${Object.values(params).join(', ')}) has ${expected} complete SC executions, as in GenMC`, () => {
    const program = findProgram(name);
    assert.ok(program, `no program named ${name}`);
    const r = check(program, { params, model: 'sc' });
    assert.equal(r.verdict, 'ok', r.violation ? `${r.violation.property}: ${r.violation.message}` : undefined);
    assert.equal(r.executions, expected);
  });
}

test('the benchmark registry and this table agree on every size they share', () => {
  for (const b of benchmarks) {
    assert.equal(b.sizes.length, b.expected.length, `${b.program.name}: one expected count per size`);
    b.sizes.forEach((params, i) => {
      const row = table.find(([n, p]) => n === b.program.name && JSON.stringify(p) === JSON.stringify(params));
      if (row) assert.equal(b.expected[i], row[2], `${b.program.name} ${JSON.stringify(params)}`);
    });
  }
  for (const [name] of table) assert.ok(benchmarks.some((b) => b.program.name === name), `${name} is not in the registry`);
});

test('fib_bench with NUM = 6 lets x or y exceed 144, and the check reports it', () => {
  const r = check(findProgram('fib_bench')!, { params: { NUM: 6 }, model: 'sc' });
  assert.equal(r.verdict, 'violation');
  assert.match(r.violation!.message, /exceeds 144/);
});
