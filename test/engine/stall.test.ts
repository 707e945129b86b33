// Stalling failed compare-and-swaps (Explorer.stalls, docs/design/exploration.md §3.2): a thread
// whose cmpxchg the co-latest write makes fail, and which answers that failure with a failing
// assume (a CAS loop whose failed iterations are cut), is run only once a write makes the CAS
// succeed or nothing else can run; so is a thread whose load that may see freed memory the body
// answers with a failing assume ("go on only if it holds v", the allocator's look). It may only change how many blocked executions
// are explored: on random programs of CAS loops (try-get: load, give up on 0, CAS c -> c + 1,
// assume it worked; puts; stores; exchanges; load-and-assume; a second location), the complete executions and the final
// states are those of brute force and of the search without stalling, none twice; every blocked
// execution explored is one brute force has; and never more blocked ones than without. Taking out
// a CAS read that a backward revisit makes fail (ghosts, §3.2, on by default) is
// checked the same way: with it, the same complete executions as brute force, none twice, and never
// more blocked ones than stalling alone; the programs that found its rules are kept below.
// scripts/ghost-fuzz.ts runs the same check on thousands of larger programs (4 threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { agree, explore, toProgram, casProg, type CasProg } from './cas-programs.ts';

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

// Found by larger random programs (4 threads, seed 102: 136 complete executions against brute
// force's 138 with the rule first tried), reduced to the smallest program that loses one (66 of
// 67: T0's CAS reads T2's exchange and succeeds, T1's store last). T3's CAS write (2) makes T0's
// CAS (expects 1) fail: T0's read is taken out (a ghost standing at stamp 1). T1's store of 0 comes
// next, then T0's read is added again reading T3's write (it fails and blocks), and T2's CAS write
// (3, from T3's write) revisits it: that makes it fail again. Taken out a second time as a ghost
// at its new stamp, after T1's store, T1's store stood co-after T2's write, older than the ghost
// and not porf-after T2's write: so T2's exchange (1, from T2's CAS write) was not a write the new
// ghost may read, and the graphs where T0's CAS reads it and succeeds were lost. Without ghosts the
// read never moves from stamp 1, and those revisits delete T1's store each time. A ghost at the
// first one's position instead (stamp 1) repaired this program but made the second explore 3
// complete graphs twice (seed 101): T1's store, kept before T2's write, could then be revisited,
// deleting the ghost's write and with it the ghost, and the read came back free. Now the second
// ghost stands at the first one's position and the events added while the read was out (T1's
// store) move after the revisiting write (Graph.moveAfter), as they come after the read standing
// there; a read is taken out again only when that read could be revisited there (Explorer.outAgain:
// the third program, seed 102 of the 4-thread programs, explored a blocked graph twice when the
// read came back from a write newer than that position and not in the revisiting write's prefix).
test('taking out CAS reads: a read added again that a revisit makes fail is taken out again at the first position (4 threads)', () => {
  agree({ init: 1, threads: [[{ k: 'tryget', retries: 0 }], [{ k: 'store', loc: 0, v: 0 }], [{ k: 'tryget', retries: 0 }, { k: 'xchg', v: 1 }], [{ k: 'tryget', retries: 0 }]] }, 'sc');
  agree({ init: 0, threads: [[{ k: 'tryget', retries: 0 }], [{ k: 'tryget', retries: 0 }], [{ k: 'put' }, { k: 'put' }, { k: 'cas', exp: 0, v: 0 }], [{ k: 'tryget', retries: 0 }, { k: 'put' }]] }, 'sc');
  agree({ init: 1, threads: [[{ k: 'tryget', retries: 1 }, { k: 'tryget', retries: 0 }, { k: 'load', loc: 0 }], [{ k: 'tryget', retries: 1 }, { k: 'store', loc: 0, v: 1 }], [{ k: 'tryget', retries: 0 }, { k: 'tryget', retries: 0 }]] }, 'sc');
});

test('refcount-like try-get/put (2 getters, a clearer): stalling keeps every complete execution and cuts blocked ones', () => {
  // peers/refcount.ts in small: getters try-get and put, the clearer puts the slot's reference.
  const p: CasProg = { init: 1, threads: [[{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'tryget', retries: 0 }, { k: 'put' }], [{ k: 'put' }]] };
  const on = explore(toProgram(p), 'sc', true);
  const off = explore(toProgram(p), 'sc', false);
  assert.deepEqual(new Set(on.complete), new Set(off.complete));
  assert.ok(on.blocked.length < off.blocked.length, `blocked: ${on.blocked.length} with stalling, ${off.blocked.length} without`);
});
