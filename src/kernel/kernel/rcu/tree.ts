// RCU grace periods (kernel/rcu/tree.c synchronize_rcu, call_rcu, rcu_do_batch; docs/design/protocols.md §M.2).
// A grace period snapshots each other CPU's word (cpus.ts) and waits, for every CPU that was in
// a read-side section (or had IRQs off) when it started, until that CPU's generation moves.
// Under a model that checks the grace-period guarantee itself (the LKMM: t.modelChecks('sync-rcu'))
// it is instead the LKMM's F[sync-rcu] (docs/memory-models.md, "RCU under the LKMM"). The pre-v5.0
// rcu_preempt flavour has no LKMM counterpart (one flavour there, as in the kernel since v5.0):
// it keeps the handshake and the I14 check under every model.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import { CPU_IRQOFF, CPU_NEST, cpuRcuDepth, type Cpu, type Cpus } from '../../cpus.ts';
import { ghostLoad } from '../../ghost.ts';
import { I12, I14 } from '../../invariants.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { smp_mb, sync_rcu_fence } from '../../include/asm-generic/barrier.ts';

/**
 * Which read-side sections a grace period waits for. Since v5.0 (the flavour consolidation) one
 * synchronize_rcu() waits for rcu_read_lock() readers and for IRQs-off (and preempt-off) regions
 * alike. Before, under CONFIG_PREEMPT, synchronize_rcu() / call_rcu() were the rcu_preempt flavour
 * and waited only for rcu_read_lock() readers; IRQs-off regions needed synchronize_sched() /
 * call_rcu_sched(), which is why mmu_gather's table freeing used call_rcu_sched().
 */
export type RcuFlavour = 'consolidated' | 'rcu_preempt';

const src = (name: string) => ({
  name, file: 'kernel/rcu/tree.c', version: MAINLINE,
  note: "flavour 'rcu_preempt' is the pre-v5.0 CONFIG_PREEMPT grace period, which does not wait for IRQs-off regions",
});

/**
 * A grace period from CPU `self`: returns once every CPU that was in a read-side section (or had
 * IRQs off) when it started has left that section. Readers that begin later are not waited for.
 *
 * I14 is checked here: a CPU that was in a read-side section of any kind when the grace period
 * started must have left it when it ends. The consolidated flavour waits for all of them, so
 * the check can only fail with a flavour that skips some (`rcu_preempt` and IRQs-off walkers).
 */
function* gracePeriod(t: Ctx, cpus: Cpus, self: Cpu, flavour: RcuFlavour): ThreadGen<void> {
  const me = yield t.load(self.state);
  yield t.assert((me & CPU_NEST) === 0, I12, () => `CPU${self.id} calls synchronize_rcu() inside an RCU read-side section or with IRQs off`);
  if (flavour === 'consolidated' && t.modelChecks('sync-rcu')) {
    // The LKMM's synchronize_rcu(): one F[sync-rcu], a strong fence whose grace-period guarantee
    // linux-kernel.cat checks on each execution against every F[rcu-lock] … F[rcu-unlock]
    // section. No handshake: its reads of the readers' words would sit inside the grace period,
    // which this one event does not have, and its waits would only repeat the cat's verdict.
    yield sync_rcu_fence(t);
    return;
  }
  yield smp_mb(t); // synchronize_rcu() has full-barrier semantics at both ends
  let unwaited: { cpu: Cpu; gen: number; irqsOff: boolean }[] | null = null;
  for (const c of cpus.others(self)) {
    const v = yield t.load(c.state);
    if ((v & CPU_NEST) === 0) continue;
    const g = v >> 5;
    if (flavour === 'consolidated' || cpuRcuDepth(v) > 0) yield t.await(c.state, (w) => w >> 5 !== g);
    else (unwaited ??= []).push({ cpu: c, gen: g, irqsOff: (v & CPU_IRQOFF) !== 0 });
  }
  yield smp_mb(t);
  for (const u of unwaited ?? []) {
    const w = yield* ghostLoad(t, u.cpu.state);
    yield t.assert(w >> 5 !== u.gen, I14, () => `the grace period CPU${self.id} waited for (${flavour}) ended while CPU${u.cpu.id} is still in the ${u.irqsOff ? 'IRQs-off region' : 'read-side section'} it was in when the grace period started`);
  }
}

/** synchronize_rcu(): waits for a grace period (see gracePeriod above). */
export const synchronize_rcu = kernelFunction({ ...src('synchronize_rcu'), waits: 'grace period' },
  (t: Ctx, cpus: Cpus, self: Cpu, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> => gracePeriod(t, cpus, self, flavour));

/**
 * rcu_do_batch(): the callbacks queued before a grace period run after it. Modeled on the queuing
 * CPU: it waits for the grace period, then runs the callback itself (RCU's softirq on that CPU).
 */
export const rcu_do_batch = kernelFunction({ ...src('rcu_do_batch'), waits: 'grace period' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, cb: () => ThreadGen<void>, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> {
    yield* gracePeriod(t, cpus, self, flavour);
    yield* cb();
  });

/** call_rcu(head, cb): the callback runs after a grace period, from rcu_do_batch(). */
export const call_rcu = kernelFunction({ ...src('call_rcu'), waits: 'grace period' },
  (t: Ctx, cpus: Cpus, self: Cpu, cb: () => ThreadGen<void>, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> =>
    rcu_do_batch(t, cpus, self, cb, flavour));
