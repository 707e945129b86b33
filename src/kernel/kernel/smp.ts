// Cross-CPU function calls (kernel/smp.c smp_call_function, smp_call_function_many_cond). A CPU
// takes an IPI only with IRQs on (cpus.ts), so waiting for one is waiting for every target to have
// IRQs enabled; a handler with an effect runs there, between two of the target's instructions.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { CPU_IRQOFF, type Cpu, type Cpus } from '../cpus.ts';
import { I12 } from '../invariants.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { smp_mb } from '../include/asm-generic/barrier.ts';

/**
 * The handler an IPI runs on its target `c`. The model runs it from the sending thread, at a
 * point where `c` is between instructions with IRQs on (see hw.ts invalidateBetweenAccesses for
 * why that takes a wait before and after it). null: nothing to do on `c` (the IPI is only waited for).
 */
export type IpiHandler = (c: Cpu) => ThreadGen<void> | null;

/**
 * The IPI round trip of smp_call_function() and its relatives (on_each_cpu(), the x86 flush IPIs):
 * completes once every target has taken the IPI (and run `handler`, if there is one). A CPU
 * inside rcu_read_lock() with IRQs on takes it at once: an IPI is not a grace period.
 */
export function* ipiRoundTrip(t: Ctx, cpus: Cpus, self: Cpu, targets?: Cpu[], handler?: IpiHandler): ThreadGen<void> {
  const me = yield t.load(self.state);
  yield t.assert((me & CPU_IRQOFF) === 0, I12, () => `CPU${self.id} waits for an IPI with IRQs disabled`);
  yield smp_mb(t); // queuing the IPI (csd llist_add) and waiting for it order like smp_mb()
  for (const c of targets ?? cpus.others(self)) {
    yield t.await(c.state, (w) => (w & CPU_IRQOFF) === 0);
    const h = handler ? handler(c) : null;
    if (h) {
      yield smp_mb(t); // the handler runs on c after the instruction it interrupted
      yield* h;
      yield smp_mb(t); // ... and before c's next instruction, which the second wait lets start
      yield t.await(c.state, (w) => (w & CPU_IRQOFF) === 0);
    }
  }
  yield smp_mb(t);
}

/** smp_call_function(fn, info, wait=1) with an empty fn: every other CPU takes the IPI. */
export const smp_call_function = kernelFunction({ name: 'smp_call_function', file: 'kernel/smp.c', version: MAINLINE, waits: 'IPI' },
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => ipiRoundTrip(t, cpus, self));
