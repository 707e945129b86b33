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
import { synchronize_rcu, type RcuFlavour } from '../../src/kernel/kernel/rcu/tree.ts';
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
