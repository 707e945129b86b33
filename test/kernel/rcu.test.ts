// The RCU / IRQ / IPI model (src/kernel/cpus.ts, kernel/rcu/tree.ts, kernel/smp.ts): grace periods wait for the readers that were
// active when they started, and only for those; an IPI waits for IRQs-off CPUs, not RCU readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { defineProgram } from '../../src/engine/program.ts';
import type { Ctx } from '../../src/engine/ops.ts';
import { Cpus } from '../../src/kernel/cpus.ts';
import { local_irq_disable, local_irq_enable } from '../../src/kernel/include/linux/irqflags.ts';
import { rcu_read_lock, rcu_read_unlock } from '../../src/kernel/include/linux/rcupdate.ts';
import { call_rcu, synchronize_rcu, type RcuFlavour } from '../../src/kernel/kernel/rcu/tree.ts';
import { smp_call_function } from '../../src/kernel/kernel/smp.ts';

function outcomes(reader: 'rcu' | 'irqoff', updater: 'sync' | 'ipi'): Set<string> {
  const seen = new Set<string>();
  const p = defineProgram({
    name: `rcu-${reader}-${updater}`,
    setup(b) {
      const cpus = new Cpus(b, 2);
      const x = b.loc('x', 0);
      b.thread('CPU0', function* (t: Ctx) {
        yield t.store(x, 1);
        if (updater === 'sync') yield* synchronize_rcu(t, cpus, cpus.cpu[0]);
        else yield* smp_call_function(t, cpus, cpus.cpu[0]);
        yield t.store(x, 2);
      });
      b.thread('CPU1', function* (t: Ctx) {
        const c = cpus.cpu[1];
        if (reader === 'rcu') yield* rcu_read_lock(t, c); else yield* local_irq_disable(t, c);
        const a = yield t.load(x);
        const bb = yield t.load(x);
        if (reader === 'rcu') yield* rcu_read_unlock(t, c); else yield* local_irq_enable(t, c);
        return `${a}${bb}`;
      });
      b.final((s) => { seen.add(s.result(1) as string); });
    },
  });
  const r = check(p);
  assert.equal(r.verdict, 'ok', r.violation?.message);
  return seen;
}

test('synchronize_rcu waits for a reader that was active when it started', () => {
  const o = outcomes('rcu', 'sync');
  assert.ok(!o.has('02'), 'a reader that saw the old value cannot see the value stored after the grace period');
});

test('synchronize_rcu does not wait for readers that start later', () => {
  const o = outcomes('rcu', 'sync');
  assert.ok(o.has('12'), 'a reader that began after the grace period started may overlap its end');
  assert.deepEqual([...o].sort(), ['00', '01', '11', '12', '22']);
});

test('IRQs-off regions are RCU readers', () => {
  assert.ok(!outcomes('irqoff', 'sync').has('02'));
});

test('an IPI waits for an IRQs-off CPU but not for an RCU reader with IRQs on', () => {
  assert.ok(!outcomes('irqoff', 'ipi').has('02'));
  assert.ok(outcomes('rcu', 'ipi').has('02'));
});

function graceVsReader(reader: 'rcu' | 'irqoff', flavour: RcuFlavour) {
  return check(defineProgram({
    name: `i14-${reader}-${flavour}`,
    setup(b) {
      const cpus = new Cpus(b, 2);
      const x = b.loc('x', 0);
      b.thread('CPU0', function* (t: Ctx) {
        yield t.store(x, 1);
        yield* synchronize_rcu(t, cpus, cpus.cpu[0], flavour);
      });
      b.thread('CPU1', function* (t: Ctx) {
        const c = cpus.cpu[1];
        if (reader === 'rcu') yield* rcu_read_lock(t, c); else yield* local_irq_disable(t, c);
        yield t.load(x);
        if (reader === 'rcu') yield* rcu_read_unlock(t, c); else yield* local_irq_enable(t, c);
      });
    },
  }));
}

test('I14: a grace period that does not wait for an IRQs-off reader is reported (pre-v5.0 rcu_preempt flavour)', () => {
  const bad = graceVsReader('irqoff', 'rcu_preempt');
  assert.equal(bad.verdict, 'violation');
  assert.equal(bad.violation!.invariant, 'I14');
  assert.match(bad.violation!.message, /CPU1 is still in the IRQs-off region/);
  assert.equal(graceVsReader('rcu', 'rcu_preempt').verdict, 'ok', 'rcu_preempt waits for rcu_read_lock() readers');
  assert.equal(graceVsReader('irqoff', 'consolidated').verdict, 'ok');
  assert.equal(graceVsReader('rcu', 'consolidated').verdict, 'ok');
});

// call_rcu() returns at once; its callback runs after a grace period, on RCU's callback thread.
// CPU1's reader does not end until it sees CPU0's store after call_rcu(): with a call_rcu() that
// waited for the grace period on the caller's thread, an execution where the reader began first
// would deadlock (the grace period waits for the reader, the reader for the store after it).
// Under the LKMM the callback thread's grace period is an F[sync-rcu] and the cat's rcu axiom,
// not the handshake, keeps the callback out of those readers.
for (const model of ['sc', 'lkmm'] as const)
test(`call_rcu() returns before the grace period ends; the callback runs after the readers it waits for (${model})`, () => {
  const seen = new Set<string>();
  const r = check(defineProgram({
    name: 'call-rcu-returns-at-once',
    setup(b) {
      const cpus = new Cpus(b, 2);
      const flag = b.loc('flag', 0);
      const done = b.loc('cb_done', 0);
      const inReader = b.loc('in_reader', 0);
      b.thread('CPU0', function* (t: Ctx) {
        const before = yield t.load(inReader); // 1: CPU1's reader began before the call
        yield* call_rcu(t, cpus, cpus.cpu[0], function* (cb: Ctx) { yield cb.store(done, 1); });
        yield t.store(flag, 1);
        return before;
      });
      b.thread('CPU1', function* (t: Ctx) {
        const c = cpus.cpu[1];
        yield* rcu_read_lock(t, c);
        yield t.store(inReader, 1);
        yield t.await(flag, (v) => v === 1);
        const d = yield t.load(done);
        yield* rcu_read_unlock(t, c);
        return d;
      });
      b.final((s) => { seen.add(`reader began before the call: ${s.result(0)}, it saw the callback's store: ${s.result(1)}`); });
    },
  }), { model });
  assert.equal(r.verdict, 'ok', r.violation?.message);
  assert.equal(r.blocked, 0, 'no execution deadlocks: the caller does not wait for the reader');
  assert.ok(seen.has('reader began before the call: 1, it saw the callback\'s store: 0'), 'the caller went on while a reader that began before the call held the grace period open');
  assert.ok(!seen.has('reader began before the call: 1, it saw the callback\'s store: 1'), 'the callback never runs inside a reader that began before it was queued');
});

// call_rcu() may be called inside a read-side section (unlike synchronize_rcu(), I12): the
// callback's grace period then waits for the caller's own section too.
for (const model of ['sc', 'lkmm'] as const)
test(`call_rcu() inside the caller's read-side section: the callback waits for that section to end (${model})`, () => {
  const seen = new Set<number>();
  const r = check(defineProgram({
    name: 'call-rcu-in-reader',
    setup(b) {
      const cpus = new Cpus(b, 1);
      const done = b.loc('cb_done', 0);
      b.thread('CPU0', function* (t: Ctx) {
        const c = cpus.cpu[0];
        yield* rcu_read_lock(t, c);
        yield* call_rcu(t, cpus, c, function* (cb: Ctx) { yield cb.store(done, 1); });
        const d = yield t.load(done);
        yield* rcu_read_unlock(t, c);
        return d;
      });
      b.final((s) => { seen.add(s.result(0) as number); });
    },
  }), { model });
  assert.equal(r.verdict, 'ok', r.violation?.message);
  assert.deepEqual([...seen], [0]);
});

