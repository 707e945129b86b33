// rcu_read_lock() / rcu_read_unlock() (include/linux/rcupdate.h): a read-side section is one
// level of nesting in the CPU's word (cpus.ts), which synchronize_rcu() (kernel/rcu/tree.ts)
// snapshots and waits on. Under a model that checks the grace-period guarantee itself (the LKMM:
// t.modelChecks('rcu-lock')), the section is also the LKMM's F[rcu-lock] … F[rcu-unlock], and
// the nesting update is relaxed, as the kernel's is (preempt_count or
// current->rcu_read_lock_nesting, a plain update and barrier()): rcu_read_lock() orders nothing.
// Elsewhere (SC, TSO) the update is fully ordered, because synchronize_rcu()'s handshake then is
// the grace period and orders through it.
import { Mode, type Ctx, type ThreadGen } from '../../../engine/ops.ts';
import { cpuLeave, type Cpu } from '../../cpus.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { rcu_lock_fence, rcu_unlock_fence } from '../asm-generic/barrier.ts';

const src = (name: string) => ({ name, file: 'include/linux/rcupdate.h', version: MAINLINE });

/** rcu_read_lock(): enters (or nests) a read-side critical section on `cpu`. */
export const rcu_read_lock = kernelFunction(src('rcu_read_lock'), function* (t: Ctx, cpu: Cpu): ThreadGen<void> {
  if (!t.modelChecks('rcu-lock')) {
    yield t.rmw(cpu.state, (v) => v + 1);
    return;
  }
  yield t.rmw(cpu.state, (v) => v + 1, Mode.Relaxed);
  yield rcu_lock_fence(t, 'rcu_read_lock');
});

/** rcu_read_unlock(): leaves it; leaving the outermost one ends the reader a grace period waits for. */
export const rcu_read_unlock = kernelFunction(src('rcu_read_unlock'), function* (t: Ctx, cpu: Cpu): ThreadGen<void> {
  if (!t.modelChecks('rcu-unlock')) {
    yield t.rmw(cpu.state, cpuLeave);
    return;
  }
  yield rcu_unlock_fence(t, 'rcu_read_unlock');
  yield t.rmw(cpu.state, cpuLeave, Mode.Relaxed);
});
