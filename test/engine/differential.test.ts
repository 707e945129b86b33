// Soundness and optimality of the explorer against brute-force enumeration of interleavings,
// on thousands of random small programs (docs/design/exploration.md §6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Explorer } from '../../src/engine/explore.ts';
import { instantiate } from '../../src/engine/program.ts';
import { getModel, type MemoryModel } from '../../src/engine/models/index.ts';
import { bruteForce } from './oracle.ts';
import { randProg, toProgram, type GenOpts, type RandProg } from './randprog.ts';
import { finalMemory, signature } from './signature.ts';

function explore(p: RandProg, model: string) {
  return exploreWith(p, getModel(model));
}

function exploreWith(p: RandProg, model: MemoryModel) {
  const complete: string[] = [];
  const blocked: string[] = [];
  const finals = new Set<string>();
  const uaf = new Set<string>();
  let last = '';
  const ex = new Explorer(instantiate(toProgram(p)), {
    model,
    keepGoing: true,
    onLeaf: (g, kind) => {
      const s = signature(g);
      last = s;
      if (kind === 'complete') { complete.push(s); finals.add(finalMemory(g)); } else blocked.push(s);
    },
    // A leaf's violation is reported right after onLeaf saw it.
    onViolation: (property) => { if (property === 'use-after-free') uaf.add(last); },
  });
  ex.run();
  return { complete, blocked, finals, uaf };
}

function agree(p: RandProg, model: 'sc' | 'tso'): void {
  const got = explore(p, model);
  const want = bruteForce(toProgram(p), model);
  const label = JSON.stringify(p);
  assert.equal(new Set(got.complete).size, got.complete.length, `a complete graph was explored twice: ${label}`);
  assert.equal(new Set(got.blocked).size, got.blocked.length, `a blocked graph was explored twice: ${label}`);
  assert.deepEqual(new Set(got.complete), want.complete, `complete executions differ: ${label}`);
  for (const b of got.blocked) assert.ok(want.blocked.has(b), `explored a blocked graph the oracle does not have: ${b} in ${label}`);
  assert.deepEqual(got.finals, want.finals, `final states differ: ${label}`);
  if (p.objects) {
    // Every leaf the oracle finds a use-after-free in (and only those) is reported as one. Blocked
    // leaves the explorer prunes are not visited, so compare on the leaves it visited.
    const visited = new Set([...got.complete, ...got.blocked]);
    assert.deepEqual(got.uaf, new Set([...want.uaf].filter((s) => visited.has(s))), `use-after-free leaves differ: ${label}`);
    for (const s of want.uaf) if (want.complete.has(s)) assert.ok(got.uaf.has(s), `missed a use-after-free: ${s} in ${label}`);
  }
}

// MMCHECK_DIFF_RUNS=k runs k times as many programs, MMCHECK_DIFF_SEED another seed (larger
// checks of an engine change, as symmetry.test.ts's MMCHECK_SYM_RUNS).
const scale = Number(process.env.MMCHECK_DIFF_RUNS ?? 1) || 1;
const seed = Number(process.env.MMCHECK_DIFF_SEED ?? 20261122) || 20261122;
const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: n * scale, seed, endOnFailure: true });

// MMCHECK_DIFF_GROW=k: programs of up to k more instructions in all (and one more per thread) in
// the SC and TSO properties below, for a longer run than the suite's (brute force grows fast).
const grow = Number(process.env.MMCHECK_DIFF_GROW ?? 0) || 0;

function property(opts: GenOpts, model: 'sc' | 'tso', n: number): void {
  const o = grow > 0 ? { ...opts, maxTotal: (opts.maxTotal ?? 9) + grow, maxOps: (opts.maxOps ?? 4) + 1 } : opts;
  fc.assert(fc.property(randProg(o), (p) => agree(p, model)), runs(n) as fc.Parameters<[RandProg]>);
}

test('SC: loads, stores, RMWs, fences and branches agree with brute force', () => {
  property({}, 'sc', 1000);
});

test('SC: with assume, await and assertions', () => {
  property({ blocking: true }, 'sc', 1000);
});

test('SC: with spinlocks', () => {
  property({ locks: true, blocking: true, maxThreads: 3 }, 'sc', 500);
});

test('TSO: loads, stores, RMWs, fences and branches agree with a store-buffer machine', () => {
  property({}, 'tso', 800);
});

test('TSO: with assume, await, assertions and spinlocks', () => {
  property({ blocking: true, locks: true, maxThreads: 3 }, 'tso', 400);
});

test('SC: object lifetimes (free, reallocation, loads allowed to see freed memory) agree with brute force, use-after-free leaves included', (t) => {
  property({ lifetime: true, blocking: true, maxTotal: 8 }, 'sc', 600);
  t.diagnostic('600 random programs with free/alloc against the SC oracle');
});

test('TSO: object lifetimes agree with a store-buffer machine, use-after-free leaves included', (t) => {
  property({ lifetime: true, maxTotal: 8 }, 'tso', 400);
  t.diagnostic('400 random programs with free/alloc against the TSO oracle');
});

test('SC: spawn and join, with RMWs that fail and succeed before the spawn, agree with brute force', (t) => {
  property({ spawns: true, blocking: true, maxTotal: 10 }, 'sc', 600);
  t.diagnostic('600 random spawn/join programs against the SC oracle');
});

test('TSO: spawn and join agree with the store-buffer machine', (t) => {
  property({ spawns: true, maxTotal: 9 }, 'tso', 400);
  t.diagnostic('400 random spawn/join programs against the TSO oracle');
});

test('LKMM with spawn and join: no duplicates, every TSO execution allowed', () => {
  fc.assert(
    fc.property(randProg({ spawns: true, maxTotal: 7 }), (p) => {
      const lk = explore(p, 'lkmm').complete;
      assert.equal(new Set(lk).size, lk.length, `an LKMM graph was explored twice: ${JSON.stringify(p)}`);
      const lks = new Set(lk);
      for (const s of explore(p, 'tso').complete) assert.ok(lks.has(s), `a TSO execution is missing under LKMM: ${JSON.stringify(p)}`);
    }),
    runs(150) as fc.Parameters<[RandProg]>,
  );
});

test('metamorphic: every SC execution is a TSO execution; with a full fence between accesses they coincide', () => {
  fc.assert(
    fc.property(randProg({}), (p) => {
      const sc = new Set(explore(p, 'sc').complete);
      const tso = new Set(explore(p, 'tso').complete);
      for (const s of sc) assert.ok(tso.has(s), `an SC execution is missing under TSO: ${JSON.stringify(p)}`);
      const fenced: RandProg = { ...p, threads: p.threads.map((th) => th.flatMap((i) => [i, { k: 'fence' as const }])) };
      assert.deepEqual(explore(fenced, 'tso').complete.length, explore(fenced, 'sc').complete.length);
    }),
    runs(300) as fc.Parameters<[RandProg]>,
  );
});

test('LKMM (porf-acyclic fragment): no duplicates, every TSO execution allowed, SC when smp_mb() separates all accesses', () => {
  fc.assert(
    fc.property(randProg({ maxTotal: 7 }), (p) => {
      const lk = explore(p, 'lkmm').complete;
      assert.equal(new Set(lk).size, lk.length, `an LKMM graph was explored twice: ${JSON.stringify(p)}`);
      const lks = new Set(lk);
      for (const s of explore(p, 'tso').complete) assert.ok(lks.has(s), `a TSO execution is missing under LKMM: ${JSON.stringify(p)}`);
      const fenced: RandProg = { ...p, threads: p.threads.map((th) => th.flatMap((i) => [i, { k: 'fence' as const }])) };
      assert.deepEqual(new Set(explore(fenced, 'lkmm').complete), new Set(explore(fenced, 'sc').complete));
    }),
    runs(150) as fc.Parameters<[RandProg]>,
  );
});

test('LKMM: dropping an alternative whose porf-prefix the model rejects loses no leaf (exploration.md §7.5)', (t) => {
  // The same search with the prefix check and with the model's check at leaves only: the same
  // complete and blocked graphs, each once. Counts the prefixes dropped, so the test is not vacuous.
  let dropped = 0;
  const leafOnly = (): MemoryModel => ({ ...getModel('lkmm'), consistentPrefix: undefined });
  const withPrefix = (): MemoryModel => {
    const m = getModel('lkmm');
    const check = m.consistentPrefix!;
    return { ...m, consistentPrefix: (g, v) => check(g, v) || (dropped++, false) };
  };
  for (const opts of [{ maxTotal: 7 }, { blocking: true, locks: true, maxTotal: 7 }, { spawns: true, maxTotal: 7 }] as GenOpts[]) {
    fc.assert(
      fc.property(randProg(opts), (p) => {
        const a = exploreWith(p, withPrefix());
        const b = exploreWith(p, leafOnly());
        const label = JSON.stringify(p);
        assert.equal(new Set(a.complete).size, a.complete.length, `a complete graph was explored twice: ${label}`);
        assert.deepEqual(new Set(a.complete), new Set(b.complete), `complete executions differ: ${label}`);
        assert.deepEqual(new Set(a.blocked), new Set(b.blocked), `blocked executions differ: ${label}`);
      }),
      runs(300) as fc.Parameters<[RandProg]>,
    );
  }
  assert.ok(dropped > 0, 'no prefix was ever dropped: the comparison tested nothing');
  t.diagnostic(`${dropped} alternatives dropped in 900 random programs`);
});

test('worked examples of docs/design/exploration.md §2.6: SB has 3 SC executions, R+2W has 6', () => {
  const sb: RandProg = { nlocs: 2, threads: [[{ k: 'store', loc: 0, v: 1 }, { k: 'load', loc: 1 }], [{ k: 'store', loc: 1, v: 1 }, { k: 'load', loc: 0 }]] };
  assert.equal(explore(sb, 'sc').complete.length, 3);
  assert.equal(explore(sb, 'tso').complete.length, 4);
  const r2w: RandProg = { nlocs: 1, threads: [[{ k: 'load', loc: 0 }], [{ k: 'store', loc: 0, v: 1 }], [{ k: 'store', loc: 0, v: 2 }]] };
  assert.equal(explore(r2w, 'sc').complete.length, 6);
});
