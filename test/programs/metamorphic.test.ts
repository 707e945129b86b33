// Metamorphic checks: the number of execution graphs does not depend on the order in which the
// threads are declared (GenMC's variants/ create the same threads in other orders, e.g.
// lastzero1.c creates them from N down to 0, szymanski1.c creates thread_2 first), nor on
// whether they exist from the start or are spawned by a main thread that then joins them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { findProgram } from '../../src/programs/index.ts';
import type { Params, Program } from '../../src/engine/program.ts';
import type { Ctx, ThreadGen } from '../../src/engine/ops.ts';

/** The same program with its threads declared in the order `order(n)` (a permutation of 0..n-1). */
function permuted(p: Program, label: string, order: (n: number) => number[]): Program {
  return {
    ...p,
    name: `${p.name}[${label}]`,
    setup(b, params) {
      p.setup(b, params);
      const ts = b.threads.splice(0);
      const perm = order(ts.length);
      assert.deepEqual([...perm].sort((a, c) => a - c), ts.map((_, i) => i), 'not a permutation');
      for (const i of perm) b.threads.push(ts[i]!);
    },
  };
}

/** The same program with one `main` thread that spawns the others (then joins them if asked). */
function spawnedFromMain(p: Program, join: boolean): Program {
  return {
    ...p,
    name: `${p.name}[main${join ? '+join' : ''}]`,
    setup(b, params) {
      p.setup(b, params);
      const ts = b.threads.splice(0);
      b.thread('main', function* (t: Ctx): ThreadGen<void> {
        const tids: number[] = [];
        for (const th of ts) tids.push(yield t.spawn(th.body, th.name));
        if (join) for (const tid of tids) yield t.join(tid);
      });
    },
  };
}

const reverse = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i);
const rotate = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) % n);
/** A fixed pseudo-random permutation (Fisher-Yates with a small LCG), the same on every run. */
const shuffle = (seed: number) => (n: number) => {
  const a = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

const cases: [string, Params][] = [
  ['lastzero', { N: 5 }],
  ['casrot', { N: 5 }],
  ['wcas', { N: 4 }],
  ['CoA', { N: 3 }],
  ['N-writers', { N: 4 }],
  ['indexer', { N: 12 }],
  ['szymanski', { N: 1 }],
  ['peterson-sc', {}],
];

const count = (p: Program, params: Params) => {
  const r = check(p, { params, model: 'sc' });
  assert.equal(r.verdict, 'ok', r.violation?.message);
  return r.executions;
};

for (const [name, params] of cases) {
  test(`${name}: the count does not depend on the order of thread declarations`, () => {
    const p = findProgram(name)!;
    const base = count(p, params);
    for (const [label, order] of [['reverse', reverse], ['rotate', rotate], ['shuffle', shuffle(7)], ['shuffle', shuffle(42)]] as const) {
      assert.equal(count(permuted(p, label, order), params), base, `${name} with threads in ${label} order`);
    }
  });
}

for (const [name, params] of cases.filter(([n]) => ['casrot', 'CoA', 'szymanski', 'peterson-sc'].includes(n))) {
  test(`${name}: the count is the same when a main thread spawns the threads (with or without joining them)`, () => {
    const p = findProgram(name)!;
    const base = count(p, params);
    assert.equal(count(spawnedFromMain(p, false), params), base, 'spawned, not joined');
    assert.equal(count(spawnedFromMain(p, true), params), base, 'spawned and joined');
  });
}
