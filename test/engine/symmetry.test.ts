// Symmetry reduction (src/engine/symmetry.ts) against the unreduced search on random programs
// with a group of identical threads: the reduced search visits one execution per class under
// permuting the group (a brute-force count of classes: each unreduced execution's graph
// canonicalized under every permutation), every class, and finds the same final states and
// violations up to the permutation. And the declaration is checked, never assumed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Explorer } from '../../src/engine/explore.ts';
import { defineProgram, instantiate, ModelError } from '../../src/engine/program.ts';
import { EvKind, type Graph } from '../../src/engine/graph.ts';
import { getModel } from '../../src/engine/models/index.ts';
import { check, replay, type Ctx, type Op } from '../../src/engine/index.ts';
import { OpKind } from '../../src/engine/ops.ts';
import { checkSplit } from '../../src/engine/parallel/run.ts';
import { essence, sharded } from './split-helpers.ts';
import { instr, size, toProgram, type GenOpts, type Instr, type RandProg } from './randprog.ts';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

/** The graph's signature with the group's threads (and their own locations) renamed by `perm`. */
function signatureUnder(g: Graph, sym: number[], own: number[], perm: number[]): { graph: string; memory: string } {
  const tid = (t: number): number => { const k = sym.indexOf(t); return k < 0 ? t : sym[perm[k]]; };
  const loc = (l: number): number => { const k = own.indexOf(l); return k < 0 ? l : own[perm[k]]; };
  const rf: string[] = [];
  const blocked: number[] = [];
  g.threads.forEach((th, t) => {
    for (const e of th) if (e.kind === EvKind.Read) rf.push(`${tid(t)}.${e.idx}<-${e.rf!.tid < 0 ? 'init' : `${tid(e.rf!.tid)}.${e.rf!.idx}`}`);
    const last = th[th.length - 1];
    if (!last || last.kind !== EvKind.End) blocked.push(tid(t));
  });
  const co: string[][] = [];
  const mem: number[] = [];
  g.co.forEach((list, l) => {
    co[loc(l)] = list.slice(1).map((w) => `${tid(w.tid)}.${w.idx}`);
    mem[loc(l)] = list[list.length - 1].val;
  });
  return { graph: JSON.stringify({ rf: rf.sort(), co, blocked: blocked.sort() }), memory: mem.join(',') };
}

/** The class of a graph: its least signature over every permutation of the group. */
function orbit(g: Graph, sym: number[], own: number[]): { graph: string; memory: string } {
  const all = permutations(sym.length).map((p) => signatureUnder(g, sym, own, p));
  return { graph: all.map((s) => s.graph).sort()[0], memory: all.map((s) => s.memory).sort()[0] };
}

interface Leaves {
  complete: string[];
  blocked: string[];
  finals: Set<string>;
  /** Per violating complete leaf: its class and what broke. */
  violations: Set<string>;
  /** What broke, in any leaf (blocked ones included). */
  broke: Set<string>;
  words: string | null;
  /** Leaves reached that are not the ordered execution of their class (Explorer.unordered). */
  unordered: number;
}

function explore(p: RandProg, model: string, symmetry: boolean): Leaves {
  const inst = instantiate(toProgram(p));
  const sym = p.sym ?? [];
  const own = sym.map((t) => inst.locs.findIndex((l) => l.name === `own${t}`));
  const out: Leaves = { complete: [], blocked: [], finals: new Set(), violations: new Set(), broke: new Set(), words: null, unordered: 0 };
  let last = '';
  let lastKind = '';
  let lastErrors: string[] = [];
  // Up to the permutation: a message names a symmetric thread (or its own location) by its group.
  const named = (message: string): string => sym.reduce((s, t) => s.replaceAll(`T${t}`, 'T#').replaceAll(`own${t}`, 'own#'), message);
  const ex = new Explorer(inst, {
    model: getModel(model), keepGoing: true, symmetry,
    onLeaf: (g, kind) => {
      const o = orbit(g, sym, own);
      last = o.graph;
      lastKind = kind;
      if (kind === 'complete') { out.complete.push(o.graph); out.finals.add(o.memory); } else out.blocked.push(o.graph);
      // Every thread stopped at an error: which one is reported (the lowest) depends on which
      // member of the class this is, so the class is known by all of them.
      lastErrors = [];
      for (const th of g.threads) {
        const e = th[th.length - 1];
        if (e && e.kind === EvKind.Error) lastErrors.push(`${e.opKind === OpKind.Assert ? 'assertion' : 'use-after-free'}: ${named(e.tag ?? 'assertion failed')}`);
      }
      lastErrors.sort();
    },
    onViolation: (property, _inv, message) => {
      const n = named(message);
      let m: string;
      if (property === 'assertion' || property === 'use-after-free') {
        // The report is one of the leaf's errors; the key is all of them, the same in every
        // member of the class (two symmetric threads failing: the lower one's is reported).
        assert.ok(lastErrors.includes(`${property}: ${n}`), `reported ${property}: ${n}, not one of the leaf's errors ${lastErrors.join(' | ')}`);
        m = lastErrors.join(' | ');
      } else {
        // (A deadlock lists its threads in tid order, which the permutation changes.)
        const colon = n.indexOf(': ') + 2;
        m = `${property}: ${n.slice(0, colon) + n.slice(colon).split('; ').sort().join('; ')}`;
      }
      // What broke anywhere is each error by itself: a blocked leaf with one thread's error and
      // another with both threads' are two keys, though the same thing broke, and which blocked
      // leaves the search reaches depends on the order it added events in (agree(), below).
      if (property === 'assertion' || property === 'use-after-free') for (const e of lastErrors) out.broke.add(e);
      else out.broke.add(m);
      if (lastKind === 'complete') out.violations.add(`${m} @ ${last}`);
    },
  });
  const res = ex.run();
  out.words = res.symmetry;
  out.unordered = res.unordered;
  return out;
}

/** A random program: one body run by 2–3 symmetric threads (each with a location of its own) among 0–2 other threads. */
function symProg(opts: GenOpts, maxTotal: number): fc.Arbitrary<RandProg> {
  return fc.integer({ min: 1, max: 2 }).chain((nlocs) => fc.record({
    nlocs: fc.constant(nlocs),
    body: fc.array(instr(nlocs, 1, { ...opts, owned: true }), { minLength: 1, maxLength: 3 + big }),
    k: fc.integer({ min: 2, max: big > 0 ? 4 : 3 }),
    others: fc.array(fc.array(instr(nlocs, 1, opts), { minLength: 1, maxLength: 3 }), { minLength: 0, maxLength: 2 }),
    seed: fc.nat(),
    final: fc.option(fc.record({ loc: fc.integer({ min: 0, max: nlocs - 1 }), v: fc.integer({ min: 0, max: 3 }) }), { nil: undefined }),
  })).map(({ nlocs, body, k, others, seed, final }) => {
    // The group's threads go in among the others at positions the seed picks.
    const n = k + others.length;
    const pos = [...Array(n).keys()].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101)).slice(0, k).sort((a, b) => a - b);
    const threads: Instr[][] = [];
    let o = 0;
    for (let t = 0; t < n; t++) threads.push(pos.includes(t) ? body : others[o++]);
    return { nlocs, threads, sym: pos, ...(final ? { final } : {}) };
  }).filter((p) => p.threads.reduce((s, th) => s + th.reduce((m, i) => m + size(i), 0), 0) <= maxTotal + 3 * big);
}

function agree(p: RandProg, model: string): void {
  const full = explore(p, model, false);
  const red = explore(p, model, true);
  const label = JSON.stringify(p);
  assert.equal(full.words, null);
  assert.match(red.words ?? '', new RegExp(`up to permuting the ${p.sym!.length} sym threads`));
  assert.equal(new Set(red.complete).size, red.complete.length, `two complete executions of one class explored: ${label}`);
  // SPORE (docs/design/symmetry.md §2): every unordered graph is dropped, and no ordered leaf is
  // reached only through one, so the search never reaches a leaf it does not count.
  assert.equal(red.unordered, 0, `unordered leaves reached: ${label}`);
  assert.equal(red.complete.length, new Set(full.complete).size, `complete classes: reduced ${red.complete.length}, brute force ${new Set(full.complete).size}: ${label}`);
  assert.deepEqual(new Set(red.complete), new Set(full.complete), `complete classes differ: ${label}`);
  assert.equal(new Set(red.blocked).size, red.blocked.length, `two blocked executions of one class explored: ${label}`);
  // Blocked executions depend on which blocked branches the search prunes (docs/design/exploration.md §3.1).
  const fullBlocked = new Set(full.blocked);
  for (const b of red.blocked) assert.ok(fullBlocked.has(b), `a blocked class the unreduced search does not have: ${b} in ${label}`);
  assert.deepEqual(red.finals, full.finals, `final states differ: ${label}`);
  assert.deepEqual(red.violations, full.violations, `violating complete classes differ: ${label}`);
  // A blocked leaf's violation (an assertion while another thread waits) is found in some
  // execution of its kind, not in every class: which blocked branches are pruned depends on the
  // order the search added events in, which the permutation changes.
  assert.deepEqual(red.broke, full.broke, `violations differ: ${label}`);
}

// MMCHECK_SYM_RUNS=10 runs ten times as many random programs, MMCHECK_SYM_SEED=n other ones,
// MMCHECK_SYM_BIG=n larger ones (longer local checks).
const scale = Number(process.env.MMCHECK_SYM_RUNS ?? 1) || 1;
const seed = Number(process.env.MMCHECK_SYM_SEED ?? 20261205) || 20261205;
// MMCHECK_SYM_BIG=n: bodies up to 3 + n instructions, up to 4 symmetric threads, programs 3n larger.
const big = Math.max(0, Math.floor(Number(process.env.MMCHECK_SYM_BIG ?? 0) || 0));
const runs = (n: number): fc.Parameters<[RandProg]> => ({ numRuns: n * scale, seed, endOnFailure: true });

test('symmetry: the programs where pruning at the first unordered graph once lost classes; no unordered leaf is reached', () => {
  // Three symmetric threads `fetch_add(x); load(x)` beside one storing to x (50 classes), and
  // three `store(x); fetch_add(x)` (15 classes): GenMC's pruning rule with this explorer's
  // plain prefixes found 47 and 12, GenMC 0.11 itself 47 of the 50 (docs/design/symmetry.md
  // §3). Each must be found, under every model, reaching no unordered leaf (agree).
  const faaLoad: RandProg = { nlocs: 1, threads: [[{ k: 'faa', loc: 0, v: 1 }, { k: 'load', loc: 0 }], [{ k: 'faa', loc: 0, v: 1 }, { k: 'load', loc: 0 }], [{ k: 'faa', loc: 0, v: 1 }, { k: 'load', loc: 0 }], [{ k: 'store', loc: 0, v: 2 }]], sym: [0, 1, 2] };
  const storeFaa: RandProg = { nlocs: 1, threads: [[{ k: 'store', loc: 0, v: 1 }, { k: 'faa', loc: 0, v: 1 }], [{ k: 'store', loc: 0, v: 1 }, { k: 'faa', loc: 0, v: 1 }], [{ k: 'store', loc: 0, v: 1 }, { k: 'faa', loc: 0, v: 1 }]], sym: [0, 1, 2] };
  // No RMW at all: three `store(x, 1); store(x, 2); load(x)` (127 classes; pruning at every
  // unordered graph found 98).
  const ssl: Instr[] = [{ k: 'store', loc: 0, v: 1 }, { k: 'store', loc: 0, v: 2 }, { k: 'load', loc: 0 }];
  const storeStoreLoad: RandProg = { nlocs: 1, threads: [ssl, ssl, ssl], sym: [0, 1, 2] };
  // A store and load beside three symmetric `xchg(x, 2)` (10 classes; GenMC 0.11 finds 7: an
  // RMW's read in a prefix without its write part, §3.2).
  const xchg: Instr[] = [{ k: 'xchg', loc: 0, v: 2 }];
  const storeXchg: RandProg = { nlocs: 1, threads: [[{ k: 'store', loc: 0, v: 1 }, { k: 'load', loc: 0 }], xchg, xchg, xchg], sym: [1, 2, 3] };
  for (const [p, classes] of [[faaLoad, 50], [storeFaa, 15], [storeStoreLoad, 127], [storeXchg, 10]] as const) {
    assert.equal(new Set(explore(p, 'sc', false).complete).size, classes);
    for (const m of ['sc', 'tso', 'lkmm']) agree(p, m);
  }
});

test('symmetry (SC): one execution per class of the unreduced search, every class, same final states and violations', (t) => {
  fc.assert(fc.property(symProg({}, 9), (p) => agree(p, 'sc')), runs(500));
  t.diagnostic('500 random programs with 2-3 symmetric threads against the classes of the unreduced SC search');
});

test('symmetry (SC): with assume, await, assertions and spinlocks', (t) => {
  fc.assert(fc.property(symProg({ blocking: true, locks: true }, 9), (p) => agree(p, 'sc')), runs(500));
  t.diagnostic('500 random programs with blocking and locks (SC)');
});

test('symmetry (TSO): the same against the unreduced TSO search', (t) => {
  fc.assert(fc.property(symProg({ blocking: true }, 9), (p) => agree(p, 'tso')), runs(500));
  t.diagnostic('500 random programs (TSO)');
});

test('symmetry (LKMM): the same against the unreduced LKMM search', (t) => {
  fc.assert(fc.property(symProg({ blocking: true }, 8), (p) => agree(p, 'lkmm')), runs(200));
  t.diagnostic('200 random programs (LKMM)');
});

test('symmetry: N identical incrementers are one class; the counts say what they count', () => {
  const prog = (n: number) => defineProgram({
    name: 'inc',
    setup(b) {
      const x = b.loc('x');
      const body = function* (t: Ctx): Generator<Op, void, number> { const v = yield t.load(x); yield t.store(x, v + 1); };
      for (let i = 0; i < n; i++) b.thread(`T${i}`, body, { symmetric: 'incrementer' });
    },
  });
  const full = check(prog(3), { symmetry: false });
  const red = check(prog(3), {});
  assert.equal(full.executions, 36);
  assert.equal(red.executions, 6);
  assert.match(red.counts, /up to permuting the 3 incrementer threads/);
  assert.doesNotMatch(full.counts, /permuting/);
});

test('symmetry is checked, never assumed: different bodies, foreign own locations, asymmetric final checks are refused', () => {
  const refuse = (setup: Parameters<typeof defineProgram>[0]['setup'], re: RegExp) => {
    assert.throws(() => check(defineProgram({ name: 'bad', setup }), {}), (e: unknown) => e instanceof ModelError && re.test(e.message));
  };
  // One closure per thread: not the same body function.
  refuse((b) => {
    const x = b.loc('x');
    for (let i = 0; i < 2; i++) b.thread(`T${i}`, function* (t: Ctx) { yield t.store(x, i); }, { symmetric: 'w' });
  }, /declared symmetric \('w'\) but run different body functions/);
  // Own locations that start differently.
  refuse((b) => {
    const o = [b.loc('o0', 0), b.loc('o1', 1)];
    const body = function* (t: Ctx) { yield t.load(t.owned[0]); };
    for (let i = 0; i < 2; i++) b.thread(`T${i}`, body, { symmetric: 'w', owns: [o[i]] });
  }, /start with different values/);
  // Another thread touches a symmetric thread's own location.
  refuse((b) => {
    const o = [b.loc('o0'), b.loc('o1')];
    const body = function* (t: Ctx) { yield t.store(t.owned[0], 1); };
    for (let i = 0; i < 2; i++) b.thread(`T${i}`, body, { symmetric: 'w', owns: [o[i]] });
    b.thread('peeker', function* (t: Ctx) { yield t.load(o[1]); });
  }, /peeker accesses o1, which thread T1 owns/);
  // A final check that tells the symmetric threads apart.
  refuse((b) => {
    const x = b.loc('x');
    const body = function* (t: Ctx): Generator<Op, number, number> { return yield t.load(x); };
    for (let i = 0; i < 2; i++) b.thread(`T${i}`, body, { symmetric: 'w' });
    b.thread('W', function* (t: Ctx) { yield t.store(x, 1); });
    b.final((s) => (s.result(0) === 1 ? 'T0 saw 1' : null));
  }, /final-state check reads the result of T0/);
});

/** Three identical walkers of a tiny GUP-like protocol with a bug: one reads a freed page's count. */
const buggy = defineProgram({
  name: 'sym-buggy',
  setup(b) {
    const pte = b.loc('pte', 1), ref = b.loc('ref', 1);
    const cpu = [b.loc('cpu0'), b.loc('cpu1'), b.loc('cpu2')];
    const walker = function* (t: Ctx): Generator<Op, void, number> {
      yield t.store(t.owned[0], 1); // irqs off
      if ((yield t.load(pte)) === 1) {
        const r = yield t.fetchAdd(ref, 1);
        yield t.assert(r !== 0, 'took a reference on a freed page');
        yield t.fetchAdd(ref, -1);
      }
      yield t.store(t.owned[0], 0);
    };
    for (let i = 0; i < 3; i++) b.thread(`W${i}`, walker, { symmetric: 'walker', owns: [cpu[i]] });
    b.thread('zap', function* (t: Ctx) { yield t.store(pte, 0); yield t.fetchAdd(ref, -1); });
  },
});

test('symmetry: a violation found up to permutation replays, and --jobs/--shard give the counts of one thread', async () => {
  const full = check(buggy, { symmetry: false, allViolations: true });
  const red = check(buggy, { allViolations: true });
  assert.equal(red.verdict, 'violation');
  assert.equal(full.verdict, 'violation');
  assert.ok(red.executions < full.executions);
  // The search drops every unordered partial execution (docs/design/symmetry.md §2):
  // fewer leaves are reached than the unreduced search has, and the counts say how many.
  assert.ok(red.unorderedCut! > 0);
  assert.ok(red.executions + red.blocked + red.unordered! < full.executions + full.blocked);
  for (const c of red.violations!) {
    const rp = replay(buggy, c.first.schedule);
    assert.equal(rp.divergence, null);
    assert.equal(rp.violation?.message, c.first.message);
  }
  const whole = await checkSplit(buggy, { allViolations: true, jobs: 1, target: 8 });
  assert.deepEqual(essence(whole.result), essence(red));
  assert.match(whole.result.counts, /up to permuting the 3 walker threads/);
  const shards = await sharded(buggy, { n: 3, target: 8, model: 'sc', allViolations: true });
  assert.deepEqual(essence(shards), essence(red));
  const off = await checkSplit(buggy, { allViolations: true, jobs: 1, target: 8, symmetry: false });
  assert.deepEqual(essence(off.result), essence(full));
});
