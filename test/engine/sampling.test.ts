// `check(…, { random })` samples (issue 11, "Sampling that samples"): it returns the complete
// executions asked for, drawing again the ones that end blocked and counting them; a seed draws
// the same sample again; every violation it finds replays from its printed schedule; and PCT
// finds a bug of depth d at a rate consistent with its bound, 1/(n·k^(d-1)) per execution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, defineProgram, replay, type CheckResult, type Program, type SamplerName } from '../../src/engine/index.ts';
import { catalog, findVariant } from '../../src/kernel/catalog.ts';
import { variantModel } from '../../src/kernel/expect.ts';
import { signature } from './signature.ts';

const SAMPLERS: { sampler: SamplerName; pctDepth?: number }[] = [{ sampler: 'pct', pctDepth: 2 }, { sampler: 'pct', pctDepth: 3 }, { sampler: 'random' }];

/** What the tests saw, printed at the end (counts, rates). */
const diags: string[] = [];
function note(s: string): void {
  diags.push(s);
}
test.after(() => { for (const d of diags) console.log(`# ${d}`); });

/** Draws made until the sample stopped (at its violation, if it found one). */
function draws(r: CheckResult): number {
  return r.executions + r.blocked + r.rejected;
}

test('--random N on gup-fast-vs-zap walkers=4 returns N complete executions and counts the blocked ones it drew again', () => {
  const v = findVariant('gup-fast-vs-zap', 'safe');
  assert.ok(v);
  for (const s of SAMPLERS) {
    const r = check(v.program, { params: { walkers: 4 }, random: { samples: 40, seed: 5, ...s } });
    const what = `${s.sampler} ${s.pctDepth ?? ''}`;
    assert.equal(r.verdict, 'bounded', what);
    assert.equal(r.mode, 'sample');
    assert.equal(r.executions, 40, what);
    assert.ok(r.sample, what);
    assert.equal(r.sample.gaveUp, false, what);
    assert.equal(r.sample.draws, draws(r), `${what}: every draw is counted as complete, blocked or rejected`);
    assert.equal(r.sample.sampler, s.sampler);
    assert.equal(r.sample.depth, s.sampler === 'pct' ? s.pctDepth : null);
    note(`${what}: 40 complete, ${r.blocked} blocked, ${r.rejected} rejected draws`);
  }
});

test('a seed draws the same sample again, and another seed another one', () => {
  const v = findVariant('gup-fast-vs-zap', 'safe');
  assert.ok(v);
  for (const s of SAMPLERS) {
    const run = (seed: number): string[] => {
      const sigs: string[] = [];
      check(v.program, { params: { walkers: 3 }, random: { samples: 25, seed, ...s }, onLeaf: (g, kind) => sigs.push(`${kind} ${signature(g)}`) });
      return sigs;
    };
    const a = run(11);
    assert.equal(a.filter((x) => x.startsWith('complete')).length, 25);
    assert.deepEqual(run(11), a, `${s.sampler} ${s.pctDepth ?? ''}: seed 11 twice`);
    assert.notDeepEqual(run(12), a, `${s.sampler} ${s.pctDepth ?? ''}: seeds 11 and 12 drew the same executions`);
  }
  // A violation found twice with one seed is the same one, found after the same draws.
  const u = findVariant('gup-fast-vs-zap', 'no-pte-recheck');
  assert.ok(u);
  const x = check(u.program, { params: { walkers: 3 }, random: { samples: 500, seed: 3 } });
  const y = check(u.program, { params: { walkers: 3 }, random: { samples: 500, seed: 3 } });
  assert.ok(x.violation);
  assert.equal(y.violation?.schedule, x.violation.schedule);
  assert.equal(draws(y), draws(x));
});

test('every violation sampling finds in the catalog replays from its schedule', () => {
  let found = 0, runs = 0;
  for (const sc of catalog) {
    for (const v of sc.variants) {
      if (v.expected === 'ok') continue;
      const model = variantModel(v);
      if (model === 'lkmm') continue; // the LKMM's per-step check makes 200 draws slow; tso and sc are covered
      for (const s of SAMPLERS) {
        runs++;
        const r = check(v.program, { model, random: { samples: 200, seed: 1, ...s } });
        if (!r.violation) continue;
        found++;
        const rep = replay(v.program, r.violation.schedule, { model });
        const what = `${sc.name}/${v.name} (${s.sampler} ${s.pctDepth ?? ''}): ${r.violation.schedule}`;
        assert.equal(rep.divergence, null, what);
        assert.ok(rep.violation, `${what}: the replay has no violation`);
        assert.equal(rep.violation.invariant, r.violation.invariant, what);
        assert.equal(rep.violation.message, r.violation.message, what);
      }
    }
  }
  note(`${found} of ${runs} samples (200 executions each, seed 1) found their variant's violation; each replays`);
  assert.ok(found > runs / 2, `only ${found} of ${runs} samples found a violation: the test checks too few replays`);
});

/**
 * Two threads, A and B, each with `pad` private stores before and after its part. A stores
 * x = 1 then x = 2. Depth 2: B reads x once and fails if it read 1 (A1 < B1 < A2: two ordering
 * constraints). Depth 3: B reads x twice and fails if it read 1 then 2 (A1 < B1 < A2 < B2).
 */
function depthBug(depth: 2 | 3, pad: number): Program {
  return defineProgram({
    name: `depth-${depth}-bug`,
    setup(b) {
      const x = b.loc('x'), pa = b.loc('pa'), pb = b.loc('pb');
      b.thread('A', function* (t) {
        for (let i = 1; i <= pad; i++) yield t.store(pa, i);
        yield t.store(x, 1);
        yield t.store(x, 2);
        for (let i = 1; i <= pad; i++) yield t.store(pa, pad + i);
      });
      b.thread('B', function* (t) {
        for (let i = 1; i <= pad; i++) yield t.store(pb, i);
        const r1 = (yield t.load(x)) as number;
        if (depth === 2) {
          yield t.assert(r1 !== 1, 'B read x between A\'s two stores');
        } else {
          const r2 = (yield t.load(x)) as number;
          yield t.assert(!(r1 === 1 && r2 === 2), 'B read x = 1 then x = 2');
        }
        for (let i = 1; i <= pad; i++) yield t.store(pb, pad + i);
      });
    },
  });
}

test('PCT finds a bug of depth d at a rate consistent with 1/(n·k^(d-1)), and none of depth d with d-1', () => {
  const pad = 3;
  for (const d of [2, 3] as const) {
    const p = depthBug(d, pad);
    // k: the program's steps (events, End included) bound its scheduling decisions from above.
    const k = (pad * 2 + 2 + 1) + (pad * 2 + d - 1 + 1);
    const n = 2;
    const bound = 1 / (n * k ** (d - 1));
    const cap = Math.ceil(10 / bound);
    const found: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = check(p, { random: { samples: cap, seed, sampler: 'pct', pctDepth: d } });
      assert.ok(r.violation, `depth ${d}, seed ${seed}: not found in ${cap} executions (bound: one in ${1 / bound})`);
      found.push(draws(r));
      const rep = replay(p, r.violation.schedule);
      assert.ok(rep.violation);
    }
    const mean = found.reduce((a, b) => a + b, 0) / found.length;
    // Each execution finds it with probability at least `bound`, so the number of executions to
    // find it is at most geometric with mean 1/bound; 20 seeds' mean lies within 2/bound unless
    // PCT falls short of its bound (the margin is over 4 standard deviations).
    note(`depth-${d} bug (k = ${k}): PCT depth ${d} needs ${mean.toFixed(1)} executions on average over 20 seeds (bound: ≤ ${1 / bound})`);
    assert.ok(mean <= 2 / bound, `depth ${d}: ${mean} executions on average, the bound says ≤ ${1 / bound}`);
    // With one priority change fewer than the bug needs, PCT cannot produce it at all.
    const short = check(p, { random: { samples: 300, seed: 1, sampler: 'pct', pctDepth: d - 1 } });
    assert.equal(short.violation, undefined, `depth ${d} bug found by PCT depth ${d - 1}`);
    assert.equal(short.executions, 300);
  }
});

test('under TSO, PCT finds store buffering at a rate consistent with its weak-choice bound', () => {
  // x = 1; r0 = y  ||  y = 1; r1 = x: both reading 0 needs a read to take a stale write (TSO allows it).
  const p = defineProgram({
    name: 'sb',
    setup(b) {
      const x = b.loc('x'), y = b.loc('y'), ra = b.loc('ra');
      b.thread('A', function* (t) {
        yield t.store(x, 1);
        yield t.store(ra, ((yield t.load(y)) as number) + 1); // ra: 1 + what A read of y
      });
      b.thread('B', function* (t) {
        yield t.store(y, 1);
        const r1 = (yield t.load(x)) as number;
        const a = (yield t.load(ra)) as number;
        yield t.assert(!(r1 === 0 && a === 1), 'both loads read 0');
      });
    },
  });
  // No priority change (depth 1): one thread runs to its end, the other's load must read stale.
  // A bound on the accesses with more than one candidate: every access of the program, 6.
  const n = 2, A = 6, c = 2, h = 2;
  const choose = (a: number, b: number): number => (b === 0 ? 1 : (a * choose(a - 1, b - 1)) / b);
  const bound = 0.5 * (1 / n) * (1 / (choose(A, c) * h ** c));
  const found: number[] = [];
  for (let seed = 1; seed <= 20; seed++) {
    const r = check(p, { model: 'tso', random: { samples: Math.ceil(10 / bound), seed, sampler: 'pct', pctDepth: 1 } });
    assert.ok(r.violation, `seed ${seed}: store buffering not found`);
    assert.match(r.counts, /depth 1, 2 weak choices among the 2 latest/);
    found.push(draws(r));
  }
  const mean = found.reduce((a, b) => a + b, 0) / found.length;
  note(`store buffering under TSO: PCT depth 1 needs ${mean.toFixed(1)} executions on average over 20 seeds (bound: ≤ ${(1 / bound).toFixed(0)})`);
  assert.ok(mean <= 2 / bound, `${mean} executions on average, the bound says ≤ ${1 / bound}`);
  // Under SC the same sample never finds it: every read reads the latest write.
  assert.equal(check(p, { model: 'sc', random: { samples: 200, seed: 1, sampler: 'pct', pctDepth: 1 } }).violation, undefined);
});

test('PCT draws the threads\' priority order uniformly: with no change point, each of the 3! orders runs about as often', () => {
  const p = defineProgram({
    name: 'three-stores',
    setup(b) {
      const x = b.loc('x');
      for (let i = 1; i <= 3; i++) b.thread(`T${i}`, function* (t) { yield t.store(x, i); });
    },
  });
  const orders = new Map<string, number>();
  const n = 600;
  // Under SC a write goes last in co: the final co order of x is the order the threads ran in.
  check(p, { random: { samples: n, seed: 4, sampler: 'pct', pctDepth: 1 }, onLeaf: (g) => {
    const o = g.co[0].slice(1).map((w) => w.tid).join('');
    orders.set(o, (orders.get(o) ?? 0) + 1);
  } });
  assert.equal(orders.size, 6, `orders seen: ${[...orders.keys()].join(', ')}`);
  // Each order has probability 1/6 (100 of 600 expected, standard deviation 9): 60 is far below.
  for (const [o, c] of orders) assert.ok(c >= 60 && c <= 140, `order ${o} ran ${c} times of ${n}`);
  note(`PCT depth 1, 600 executions of 3 threads: ${[...orders].map(([o, c]) => `${o}: ${c}`).join(', ')}`);
});
