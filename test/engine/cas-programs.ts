// Random programs of CAS loops for the stalling and ghost tests (test/engine/stall.test.ts) and
// for scripts/ghost-fuzz.ts, which runs many more of them: try-get (load, give up on 0, CAS
// c -> c + 1, assume it worked), puts, stores, exchanges, loads, load-and-assume, a second
// location. agree() explores a program with ghosts, with stalling alone and with neither, and
// compares them with brute force.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Explorer } from '../../src/engine/explore.ts';
import { defineProgram, instantiate, type Program } from '../../src/engine/program.ts';
import { getModel } from '../../src/engine/models/index.ts';
import type { Ctx, ThreadGen } from '../../src/engine/ops.ts';
import { bruteForce } from './oracle.ts';
import { finalMemory, signature } from './signature.ts';

export type Step =
  | { k: 'tryget'; retries: number }
  | { k: 'put' }
  | { k: 'store'; loc: number; v: number }
  | { k: 'xchg'; v: number }
  | { k: 'load'; loc: number }
  | { k: 'cas'; exp: number; v: number }
  | { k: 'ifis'; loc: number; v: number };

export interface CasProg { init: number; threads: Step[][] }

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

export function toProgram(p: CasProg): Program {
  return defineProgram({
    name: 'cas-loops',
    setup(b) {
      const x = b.loc('x', p.init);
      const y = b.loc('y');
      p.threads.forEach((steps, i) => b.thread(`T${i}`, body(steps, x, y)));
    },
  });
}

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('tryget' as const), retries: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('put' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('store' as const), loc: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('xchg' as const), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('load' as const), loc: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cas' as const), exp: fc.integer({ min: 0, max: 2 }), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('ifis' as const), loc: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: 0, max: 2 }) }) },
);

/** Programs of 2 to `threads` threads of 1 to 3 steps, `steps` steps in all, one of them a try-get or a load-and-assume. */
export function casPrograms(threads: number, steps: number): fc.Arbitrary<CasProg> {
  return fc.record({
    init: fc.integer({ min: 0, max: 2 }),
    threads: fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: threads }),
  }).filter((p) => p.threads.some((th) => th.some((s) => s.k === 'tryget' || s.k === 'ifis')) && p.threads.flat().length <= steps);
}

export const casProg: fc.Arbitrary<CasProg> = casPrograms(3, 6);

export function explore(p: Program, model: string, stall: boolean, ghosts = false) {
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

/**
 * Checks p (see the header); false, unchecked, when the search without stalling has more than
 * maxLeaves leaves (brute force, which explores states, would take minutes on some of those).
 */
export function agree(p: CasProg, model: 'sc' | 'tso', maxLeaves = Infinity): boolean {
  const prog = toProgram(p);
  const off = explore(prog, model, false);
  if (off.complete.length + off.blocked.length > maxLeaves) return false;
  const on = explore(prog, model, true, true);
  const stallOnly = explore(prog, model, true, false);
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
  return true;
}

