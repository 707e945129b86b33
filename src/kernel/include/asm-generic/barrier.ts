// The kernel's memory barriers (include/asm-generic/barrier.h, include/linux/atomic.h; the fence
// primitives of tools/memory-model/linux-kernel.def), as operations a thread yields:
// `yield smp_mb__after_atomic(t)`. Each lowers to the LKMM fence the .def gives it, so the LKMM
// orders exactly as the kernel's model does; traces print the kernel's name. SC ignores them
// all; under TSO only the full barriers order anything (x86's other barriers compile to
// barrier() or are implied by its locked instructions).
import type { Ctx, Op } from '../../../engine/ops.ts';

/** smp_mb(): orders every access before it with every access after it. */
export const smp_mb = (t: Ctx): Op => t.fence('mb', 'smp_mb');
/** smp_rmb(): orders earlier loads with later loads. */
export const smp_rmb = (t: Ctx): Op => t.fence('rmb', 'smp_rmb');
/** smp_wmb(): orders earlier stores with later stores. */
export const smp_wmb = (t: Ctx): Op => t.fence('wmb', 'smp_wmb');
/** smp_mb__before_atomic(): a full barrier before the next (non-value-returning) atomic RMW. */
export const smp_mb__before_atomic = (t: Ctx): Op => t.fence('before-atomic', 'smp_mb__before_atomic');
/** smp_mb__after_atomic(): a full barrier after the preceding atomic RMW. */
export const smp_mb__after_atomic = (t: Ctx): Op => t.fence('after-atomic', 'smp_mb__after_atomic');
/** smp_mb__after_spinlock(): a full barrier after spin_lock(). */
export const smp_mb__after_spinlock = (t: Ctx): Op => t.fence('after-spinlock', 'smp_mb__after_spinlock');
/** smp_mb__after_unlock_lock(): an unlock followed by a lock act as a full barrier. */
export const smp_mb__after_unlock_lock = (t: Ctx): Op => t.fence('after-unlock-lock', 'smp_mb__after_unlock_lock');
/**
 * smp_acquire__after_ctrl_dep(): the kernel defines it as smp_rmb() (include/asm-generic/barrier.h):
 * with the control dependency before it, the load that decided the branch orders like an acquire.
 */
export const smp_acquire__after_ctrl_dep = (t: Ctx): Op => t.fence('rmb', 'smp_acquire__after_ctrl_dep');
/** barrier(): a compiler barrier only; no ordering between CPUs. */
export const barrier = (t: Ctx): Op => t.fence('barrier', 'barrier');

// The LKMM's RCU events (linux-kernel.def: rcu_read_lock() { __fence{rcu-lock}; }, …). They
// order nothing by themselves; linux-kernel.cat's rcu axiom relates them. Yielded only under a
// model that checks the grace-period guarantee (t.modelChecks): see include/linux/rcupdate.ts,
// cpus.ts (IRQs-off regions) and kernel/rcu/tree.ts.
/** F[rcu-lock]: a read-side section begins (`name` for traces: rcu_read_lock, or rcu_read_lock_sched for an IRQs-off region). */
export const rcu_lock_fence = (t: Ctx, name: string): Op => t.fence('rcu-lock', name);
/** F[rcu-unlock]: the read-side section `rcu_lock_fence` began ends. */
export const rcu_unlock_fence = (t: Ctx, name: string): Op => t.fence('rcu-unlock', name);
/** F[sync-rcu]: synchronize_rcu(), a strong fence and a grace period. */
export const sync_rcu_fence = (t: Ctx): Op => t.fence('sync-rcu', 'synchronize_rcu');
