// Stalling failed compare-and-swaps (Explorer.stalls, docs/design/exploration.md §3.2): a thread
// whose cmpxchg the co-latest write makes fail, and which answers that failure with a failing
// assume (a CAS loop whose failed iterations are cut), is run only once a write makes the CAS
// succeed or nothing else can run; so is a thread whose load that may see freed memory the body
// answers with a failing assume ("go on only if it holds v", the allocator's look). It may only change how many blocked executions
// are explored: on random programs of CAS loops (try-get: load, give up on 0, CAS c -> c + 1,
// assume it worked; puts; stores; exchanges; load-and-assume; a second location), the complete executions and the final
// states are those of brute force and of the search without stalling, none twice; every blocked
// execution explored is one brute force has; and never more blocked ones than without. Taking out
// a CAS read that a backward revisit makes fail (ghosts, §3.2, experimental, off by default) is
// checked the same way: with it, the same complete executions as brute force, none twice, and never
// more blocked ones than stalling alone; the programs that found its rules are kept below, and its
// open counterexample (4 threads) is a todo test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Explorer } from '../../src/engine/explore.ts';
import { defineProgram, instantiate, type Program } from '../../src/engine/program.ts';
import { getModel } from '../../src/engine/models/index.ts';
import type { Ctx, ThreadGen } from '../../src/engine/ops.ts';
import { bruteForce } from './oracle.ts';
import { finalMemory, signature } from './signature.ts';

type Step =
  | { k: 'tryget'; retries: number }
  | { k: 'put' }
  | { k: 'store'; loc: number; v: number }
  | { k: 'xchg'; v: number }
  | { k: 'load'; loc: number }
  | { k: 'cas'; exp: number; v: number }
  | { k: 'ifis'; loc: number; v: number };

interface CasProg { init: number; threads: Step[][] }

function body(steps: Step[], x: number, y: number): (t: Ctx) => ThreadGen<void> {
  return function* (t) {
    for (const s of steps) {
      switch (s.k) {
        case 'tryget': {
          // refcount's try-get: a failed CAS retries with the value it read, `retries` times,
          // and the iteration after the last is cut by assume (GenMC's spin-assume).
          let c: number = yield t.load(x);
          for (let i = 0; ; i++) {
            if (c === 0) return;
            const old: number = yield t.cmpxchg(x, c, c + 1);
            if (old === c) break;
            if (i === s.retries) { yield t.assume(false); return; }
            c = old;
          }
          break;
        }
        case 'put': yield t.fetchSub(x, 1); break;
        case 'store': yield t.store(s.loc ? y : x, s.v); break;
        case 'xchg': yield t.xchg(x, s.v); break;
        case 'load': yield t.load(s.loc ? y : x); break;
        case 'cas': yield t.cmpxchg(x, s.exp, s.v); break;
        case 'ifis': {
          // go on only if the location already holds v (alloc_pages(): reuse the page only if it
          // is free now; its load may see freed memory, which is what the explorer asks about)
          t.mayBeFreed();
          const v: number = yield t.load(s.loc ? y : x);
          yield t.assume(v === s.v);
          break;
        }
      }
    }
  };
}

function toProgram(p: CasProg): Program {
  return defineProgram({
    name: 'cas-loops',
    setup(b) {
      const x = b.loc('x', p.init);
      const y = b.loc('y');
      p.threads.forEach((steps, i) => b.thread(`T${i}`, body(steps, x, y)));
    },
  });
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('tryget' as const), retries: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('put' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('store' as const), loc: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('xchg' as const), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('load' as const), loc: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cas' as const), exp: fc.integer({ min: 0, max: 2 }), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('ifis' as const), loc: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: 0, max: 2 }) }) },
);

const casProg: fc.Arbitrary<CasProg> = fc.record({
  init: fc.integer({ min: 0, max: 2 }),
  threads: fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
}).filter((p) => p.threads.some((th) => th.some((s) => s.k === 'tryget' || s.k === 'ifis')) && p.threads.flat().length <= 6);

function explore(p: Program, model: string, stall: boolean, ghosts = false) {
  const complete: string[] = [];
  const blocked: string[] = [];
  const finals = new Set<string>();
  new Explorer(instantiate(p), {
    model: getModel(model), keepGoing: true, stall, ghosts,
    onLeaf: (g, kind) => {
      const s = signature(g);
      if (kind === 'complete') { complete.push(s); finals.add(finalMemory(g)); } else blocked.push(s);
    },
  }).run();
  return { complete, blocked, finals };
}

function agree(p: CasProg, model: 'sc' | 'tso'): void {
  const prog = toProgram(p);
  const on = explore(prog, model, true, true);
  const stallOnly = explore(prog, model, true, false);
  const off = explore(prog, model, false);
  const want = bruteForce(prog, model);
  const label = JSON.stringify(p);
  assert.equal(new Set(on.complete).size, on.complete.length, `a complete graph was explored twice with stalling: ${label}`);
  assert.equal(new Set(on.blocked).size, on.blocked.length, `a blocked graph was explored twice with stalling: ${label}`);
  assert.deepEqual(new Set(on.complete), want.complete, `complete executions differ from brute force: ${label}`);
  assert.deepEqual(new Set(on.complete), new Set(off.complete), `complete executions differ from the search without stalling: ${label}`);
  assert.deepEqual(on.finals, want.finals, `final states differ from brute force: ${label}`);
  assert.deepEqual(on.finals, off.finals, `final states differ from the search without stalling: ${label}`);
  for (const b of on.blocked) assert.ok(want.blocked.has(b), `explored a blocked graph brute force does not have: ${b} in ${label}`);
  assert.deepEqual(new Set(stallOnly.complete), new Set(off.complete), `complete executions differ between stalling alone and no stalling: ${label}`);
  assert.equal(new Set(stallOnly.blocked).size, stallOnly.blocked.length, `a blocked graph was explored twice with stalling alone: ${label}`);
  assert.ok(on.blocked.length <= stallOnly.blocked.length, `taking out CAS reads explored more blocked executions (${on.blocked.length} > ${stallOnly.blocked.length}): ${label}`);
  assert.ok(stallOnly.blocked.length <= off.blocked.length, `stalling explored more blocked executions (${stallOnly.blocked.length} > ${off.blocked.length}): ${label}`);
}

const runs = (n: number): fc.Parameters<[CasProg]> => ({ numRuns: n, seed: 20261205, endOnFailure: true });

test('SC: random CAS-loop programs give the same complete executions and final states with and without stalling and taking out CAS reads, and as brute force', () => {
  fc.assert(fc.property(casProg, (p) => agree(p, 'sc')), runs(600));
});

test('SC, a second seed: 300 more random CAS-loop programs', () => {
  fc.assert(fc.property(casProg, (p) => agree(p, 'sc')), { numRuns: 300, seed: 31, endOnFailure: true });
});

test('TSO: the same on the store-buffer machine', () => {
  fc.assert(fc.property(casProg, (p) => agree(p, 'tso')), runs(300));
});

test('a load answered by assume (reuse only if already freed): the reader waits for the write it needs, no blocked twin', () => {
  // table-free-vs-gup-fast in small: T0 reuses only if it reads 2; T1 (the RCU callback, a later
  // thread) clears then frees (stores 1, 2). Without stalling, T0's read comes first and blocks.
  const p: CasProg = { init: 0, threads: [[{ k: 'ifis', loc: 0, v: 2 }], [{ k: 'store', loc: 0, v: 1 }, { k: 'store', loc: 0, v: 2 }]] };
  const on = explore(toProgram(p), 'sc', true);
  const off = explore(toProgram(p), 'sc', false);
  assert.deepEqual(new Set(on.complete), new Set(off.complete));
  assert.equal(on.complete.length, 1);
  assert.ok(on.blocked.length < off.blocked.length, `blocked: ${on.blocked.length} with stalling, ${off.blocked.length} without`);
});

test('taking out CAS reads a revisit makes fail (ExploreOptions.ghosts): the programs that found its rules', () => {
  // An ABA store: T2's store of 1 makes T0's CAS succeed without coming from the write (T1's
  // CAS, 1 -> 2) whose revisit took T0's read out; a read added again from T1's exchange, which
  // has that store in its prefix, came twice before ghostCompatible asked for it.
  agree({ init: 2, threads: [[{ k: 'xchg', v: 1 }, { k: 'tryget', retries: 0 }], [{ k: 'tryget', retries: 0 }, { k: 'xchg', v: 1 }], [{ k: 'store', loc: 0, v: 1 }]] }, 'sc');
  // A chain of revisits from the write that took the read out (T1's CAS, then T2's put, then
  // T1's put): graphs were lost when the read, added again, could not be revisited by T2's put.
  agree({ init: 1, threads: [[{ k: 'tryget', retries: 0 }], [{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'put' }]] }, 'sc');
  agree({ init: 1, threads: [[{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'tryget', retries: 0 }, { k: 'put' }]] }, 'sc');
  agree({ init: 2, threads: [[{ k: 'tryget', retries: 0 }], [{ k: 'tryget', retries: 0 }], [{ k: 'tryget', retries: 0 }]] }, 'sc');
  // Found by the random programs with a third seed (129 complete executions against brute
  // force's 130): the one where T0's CAS reads T2's first CAS write while T1's store comes after
  // T0's write in co. Without ghosts, T2's CAS revisits T0's blocked read, which deletes T1's
  // store and adds it again co-after T0's write; with ghosts, T1's store was added before the read
  // came back, and T2's last CAS write (from T1's store) could not revisit T1's put: deleting the
  // read added again failed maximal(), as T1's store, older and co-after its source, is a write it
  // may not read (readdedMaximal).
  agree({ init: 2, threads: [[{ k: 'tryget', retries: 0 }], [{ k: 'store', loc: 0, v: 1 }, { k: 'put' }], [{ k: 'put' }, { k: 'tryget', retries: 1 }, { k: 'tryget', retries: 0 }]] }, 'sc');
});

// Open: found by larger random programs (4 threads, seed 102). With ghosts on, 136 complete
// executions against brute force's 138 (128 before readdedMaximal); stalling alone finds all 138.
// T0's read, taken out by T3's CAS write, comes back from T2's CAS write (which makes it fail) and
// is taken out again, as a ghost at the read's new stamp: T1's store, older than that, then makes
// T2's exchange (from that CAS write) incompatible. Keeping the first ghost's position for the
// second ghost repairs this program, but made another (seed 101: init 0; T0, T1 try-get; T2 put,
// put, cas 0->0; T3 try-get, put) explore 3 complete graphs twice, so it is not in.
test('taking out CAS reads: the open counterexample (4 threads)', { todo: 'ghosts lose two complete executions here (exploration.md §3.2)' }, () => {
  agree({ init: 1, threads: [[{ k: 'tryget', retries: 0 }], [{ k: 'store', loc: 0, v: 0 }], [{ k: 'tryget', retries: 0 }, { k: 'xchg', v: 1 }, { k: 'tryget', retries: 0 }], [{ k: 'tryget', retries: 0 }]] }, 'sc');
});

test('refcount-like try-get/put (2 getters, a clearer): stalling keeps every complete execution and cuts blocked ones', () => {
  // peers/refcount.ts in small: getters try-get and put, the clearer puts the slot's reference.
  const p: CasProg = { init: 1, threads: [[{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'put' }]] };
  const on = explore(toProgram(p), 'sc', true);
  const off = explore(toProgram(p), 'sc', false);
  assert.deepEqual(new Set(on.complete), new Set(off.complete));
  assert.ok(on.blocked.length < off.blocked.length, `blocked: ${on.blocked.length} with stalling, ${off.blocked.length} without`);
});
