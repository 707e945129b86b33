// RCU grace periods (kernel/rcu/tree.c synchronize_rcu, call_rcu, rcu_do_batch; docs/design/protocols.md §M.2).
// A grace period snapshots each other CPU's word (cpus.ts; every CPU's, for call_rcu() callbacks)
// and waits, for every CPU that was in a read-side section (or had IRQs off) when it started,
// until that CPU's generation moves.
// call_rcu() returns at once: its callback runs later, after a grace period, in RCU's callback
// processing (rcu_do_batch() from softirq or an rcuo kthread), which the model runs as a thread of
// its own, so the caller's next steps are not delayed past the grace period.
// Under a model that checks the grace-period guarantee itself (the LKMM: t.modelChecks('sync-rcu'))
// a grace period is instead the LKMM's F[sync-rcu] (docs/memory-models.md, "RCU under the LKMM"),
// synchronize_rcu()'s on the caller, call_rcu()'s on the callback thread before the callback. The
// pre-v5.0 rcu_preempt flavour has no LKMM counterpart (one flavour there, as in the kernel since
// v5.0): it keeps the handshake and the I14 check under every model.
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
 * A grace period, started by CPU `self` (synchronize_rcu()) or by RCU's callback processing for
 * callbacks queued on `self` (rcu_do_batch(): `fromCaller` false). It ends once every CPU that
 * was in a read-side section (or had IRQs off) when it started has left that section. Readers that
 * begin later are not waited for. synchronize_rcu() does not wait for its own CPU, which may not be
 * a reader (I12); callback processing is no reader and waits for every CPU, the queuing one too
 * (call_rcu() may be called inside a read-side section, whose end the callback then waits for).
 *
 * I14 is checked here: a CPU that was in a read-side section of any kind when the grace period
 * started must have left it when it ends. The consolidated flavour waits for all of them, so
 * the check can only fail with a flavour that skips some (`rcu_preempt` and IRQs-off walkers).
 */
function* gracePeriod(t: Ctx, cpus: Cpus, self: Cpu, flavour: RcuFlavour, fromCaller: boolean): ThreadGen<void> {
  if (fromCaller) {
    const me = yield t.load(self.state);
    yield t.assert((me & CPU_NEST) === 0, I12, () => `CPU${self.id} calls synchronize_rcu() inside an RCU read-side section or with IRQs off`);
  }
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
  for (const c of fromCaller ? cpus.others(self) : cpus.cpu) {
    const v = yield t.load(c.state);
    if ((v & CPU_NEST) === 0) continue;
    const g = v >> 5;
    if (flavour === 'consolidated' || cpuRcuDepth(v) > 0) yield t.await(c.state, (w) => w >> 5 !== g);
    else (unwaited ??= []).push({ cpu: c, gen: g, irqsOff: (v & CPU_IRQOFF) !== 0 });
  }
  yield smp_mb(t);
  for (const u of unwaited ?? []) {
    const w = yield* ghostLoad(t, u.cpu.state);
    yield t.assert(w >> 5 !== u.gen, I14, () => `the grace period ${fromCaller ? `CPU${self.id} waited for` : `of the callbacks queued by CPU${self.id}`} (${flavour}) ended while CPU${u.cpu.id} is still in the ${u.irqsOff ? 'IRQs-off region' : 'read-side section'} it was in when the grace period started`);
  }
}

/** synchronize_rcu(): waits for a grace period (see gracePeriod above). */
export const synchronize_rcu = kernelFunction({ ...src('synchronize_rcu'), waits: 'grace period' },
  (t: Ctx, cpus: Cpus, self: Cpu, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> => gracePeriod(t, cpus, self, flavour, true));

/** An RCU callback (struct rcu_head's func): runs on the callback-processing thread `t`. */
export type RcuCallback = (t: Ctx) => ThreadGen<void>;

/**
 * rcu_do_batch(): the callbacks queued on CPU `self` before a grace period run after it. `t` is
 * RCU's callback processing (softirq or the rcuo kthread), never the thread that queued them.
 */
export const rcu_do_batch = kernelFunction({ ...src('rcu_do_batch'), waits: 'grace period' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, cb: RcuCallback, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> {
    yield* gracePeriod(t, cpus, self, flavour, false);
    yield* cb(t);
  });

/**
 * call_rcu(head, func): queue `cb` on CPU `self` and return at once. The callback runs after a
 * grace period, from rcu_do_batch() on a thread of the model of its own (RCU's callback
 * processing for `self`); it may run while the caller has gone on, or after the caller is done.
 * `flavour` 'rcu_preempt' is call_rcu() of a pre-v5.0 CONFIG_PREEMPT kernel (not call_rcu_sched()).
 */
export const call_rcu = kernelFunction({ ...src('call_rcu'), note: `the callback runs asynchronously, after a grace period, in rcu_do_batch(); ${src('call_rcu').note}` },
  function* (t: Ctx, cpus: Cpus, self: Cpu, cb: RcuCallback, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> {
    yield t.spawn(function* (rcu: Ctx) {
      yield* rcu_do_batch(rcu, cpus, self, cb, flavour);
    }, `rcu callback (CPU${self.id})`);
  });
