// rcu_read_lock() / rcu_read_unlock() (include/linux/rcupdate.h): a read-side section is one
// level of nesting in the CPU's word (cpus.ts), which synchronize_rcu() (kernel/rcu/tree.ts)
// snapshots and waits on.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import { cpuLeave, type Cpu } from '../../cpus.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';

const src = (name: string) => ({ name, file: 'include/linux/rcupdate.h', version: MAINLINE });

/** rcu_read_lock(): enters (or nests) a read-side critical section on `cpu`. */
export const rcu_read_lock = kernelFunction(src('rcu_read_lock'), function* (t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, (v) => v + 1);
});

/** rcu_read_unlock(): leaves it; leaving the outermost one ends the reader a grace period waits for. */
export const rcu_read_unlock = kernelFunction(src('rcu_read_unlock'), function* (t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, cpuLeave);
});
