// Object lifetimes: an access that reaches freed memory is a violation reported at that access
// (reads stop the thread there; stores are found once co is final), a double free is one, and an
// access through a pointer written before the memory was reallocated is a stale-pointer one.
// Each expectation below is counted by hand from the program's interleavings, and the violating
// counts come from exploration with --all-violations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, replay } from '../../src/engine/index.ts';
import { defineProgram, type Builder } from '../../src/engine/program.ts';
import { FREED, type Ctx } from '../../src/engine/ops.ts';

function prog(name: string, setup: (b: Builder) => void) {
  return defineProgram({ name, setup });
}

test('a read of freed memory is reported at the read, naming the free site, and the reader stops', () => {
  const p = prog('read-after-free', (b) => {
    const x = b.loc('T.x', 7);
    b.object('table', 'T', { x }, { invariant: 'I1' });
    b.thread('CPU0', function* (t: Ctx) {
      yield* t.call('walker', (function* () {
        yield t.load(x);
        yield t.store(x, 1); // not reached when the load faults
      })());
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* t.call('outer', t.call('pte_free', (function* () { yield t.free(x); })()));
    });
  });
  const r = check(p, { allViolations: true });
  assert.equal(r.verdict, 'violation');
  // The load reads init (then CPU0's store lands before or after the free) or the free.
  const uaf = r.violations!.find((c) => c.key === 'I1')!;
  assert.ok(uaf, 'classed under the object\'s invariant');
  assert.equal(r.violation!.property, 'use-after-free');
  assert.equal(r.violation!.invariant, 'I1');
  assert.match(r.violation!.message, /^use-after-free: CPU0 walker (reads|writes) T\.x; T was freed by CPU1 in outer \(pte_free\)/);
  // Every violating execution's printed schedule replays to the same violation.
  for (const c of r.violations!) {
    const rp = replay(p, c.first.schedule);
    assert.equal(rp.divergence, null);
    assert.equal(rp.violation?.message, c.first.message);
  }
});

test('counts: a load racing a free violates in exactly the executions where it reads the free', () => {
  const p = prog('count', (b) => {
    const x = b.loc('x');
    b.object('obj', 'O', { x });
    b.thread('A', function* (t: Ctx) { yield t.load(x); });
    b.thread('B', function* (t: Ctx) { yield t.free(x); });
  });
  const r = check(p, { allViolations: true });
  // Two executions (the load before or after the free); one reads the free.
  assert.equal(r.executions + r.blocked, 2);
  assert.equal(r.violations!.reduce((s, c) => s + c.count, 0), 1);
  assert.equal(r.violation!.invariant, null);
  assert.match(r.violation!.message, /^use-after-free: A reads x; O was freed by B$/);
  assert.match(r.violation!.trace, /BUG: use-after-free: A reads x/);
});

test('a store after a free and a double free are found once coherence is final, drawn ending at the store', () => {
  const p = prog('write-after-free', (b) => {
    const x = b.loc('x');
    b.object('obj', 'O', { x }, { invariant: 'UAF' });
    b.thread('A', function* (t: Ctx) { yield t.store(x, 1); yield t.store(x, 2); });
    b.thread('B', function* (t: Ctx) { yield t.free(x); });
  });
  const r = check(p, { allViolations: true });
  // co orders the free among A's two stores: before both, between them, after both. The first
  // two are use-after-free (a store right after the free).
  assert.equal(r.executions, 3);
  assert.equal(r.violations!.find((c) => c.key === 'UAF')!.count, 2);
  assert.match(r.violation!.message, /^use-after-free: A writes x; O was freed by B$/);
  assert.match(r.violation!.trace, /BUG: UAF: use-after-free: A writes x/);
  const d = check(prog('double-free', (b) => {
    const x = b.loc('x');
    b.object('obj', 'O', { x });
    b.thread('A', function* (t: Ctx) { yield t.free(x); });
    b.thread('B', function* (t: Ctx) { yield t.free(x); });
  }), { allViolations: true });
  assert.equal(d.executions, 2);
  assert.equal(d.violations!.reduce((s, c) => s + c.count, 0), 2);
  assert.match(d.violation!.message, /^double free: [AB] frees x; O was freed by [AB]$/);
});

test('mayBeFreed(): the allocator may read freed memory (it reads FREED), and reallocation is a new generation', () => {
  const p = prog('realloc', (b) => {
    const x = b.loc('x', 1);
    b.object('obj', 'O', { x });
    b.thread('freer', function* (t: Ctx) { yield t.free(x); });
    b.thread('allocator', function* (t: Ctx) {
      t.mayBeFreed();
      const v = yield t.await(x, (v) => v === FREED);
      yield t.assert(v === FREED, 'the allocator reads the freed pattern');
      yield t.alloc(x, 5);
    });
  });
  const r = check(p, { allViolations: true });
  assert.equal(r.verdict, 'ok', r.violation?.message);
});

test('a stale pointer: an access whose address came from a pointer written before the reallocation', () => {
  // ptr names object O (generation 0). The reader loads ptr, then O.x through it (addr dependency).
  // The owner frees O and reallocates it (generation 1), then publishes a fresh pointer.
  const p = prog('stale', (b) => {
    const ptr = b.loc('ptr', 1);
    const x = b.loc('O.x', 10);
    b.object('obj', 'O', { x }, { invariant: 'I1' });
    b.thread('reader', function* (t: Ctx) {
      const q = yield t.load(ptr);
      if (q === 0) return;
      t.depends('addr', ptr);
      yield t.load(x);
    });
    b.thread('owner', function* (t: Ctx) {
      yield t.store(ptr, 0);
      yield t.free(x);
      yield t.alloc(x, 20);
      yield t.store(ptr, 1);
    });
  });
  const r = check(p, { allViolations: true });
  const msgs = r.violations!.map((c) => c.first.message);
  assert.equal(r.violations!.length, 1);
  assert.equal(r.violations![0].key, 'I1');
  // Reading the old pointer: O.x read from init (fine), from the free (freed) or from the
  // reallocation (stale). Reading the new pointer: O.x from the reallocation (fine).
  assert.equal(r.violations![0].count, 2, msgs.join('\n'));
  const stale = check(prog('stale-only', (b) => {
    const ptr = b.loc('ptr', 1);
    const x = b.loc('O.x', 10);
    const flag = b.loc('realloc_done');
    b.object('obj', 'O', { x }, { invariant: 'I1' });
    b.thread('reader', function* (t: Ctx) {
      yield t.load(ptr);
      const done = yield t.load(flag);
      yield t.assume(done === 1);
      t.depends('addr', ptr);
      yield t.load(x);
    });
    b.thread('owner', function* (t: Ctx) {
      yield t.free(x);
      yield t.alloc(x, 20);
      yield t.store(flag, 1);
    });
  }), { allViolations: true });
  assert.equal(stale.violations!.length, 1);
  assert.match(stale.violations![0].first.message,
    /^use-after-free: reader reads O\.x; O was freed by owner and reallocated by owner; the pointer reader used was read from ptr before that$/);
});
