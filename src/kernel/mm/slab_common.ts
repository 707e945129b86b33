// kfree() and kfree_rcu() of one kmalloc'ed object (mm/slub.c kfree; include/linux/rcupdate.h
// kfree_rcu -> kvfree_call_rcu()). An object is a set of locations of the program
// (Builder.object); freeing it frees them all, so a later access is a use-after-free reported at
// the access. kfree_rcu() returns at once: the free happens after a grace period, in RCU's
// callback processing (kernel/rcu/tree.ts call_rcu() -> rcu_do_batch(), a thread of the model of
// its own), so the caller's next steps (WRITE_ONCE(ms->usage, NULL) after kfree_rcu() …) are not
// delayed past the grace period.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { call_rcu } from '../kernel/rcu/tree.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

/** kfree(): the object's memory goes back to the slab. */
export const kfree = kernelFunction({ name: 'kfree', file: 'mm/slub.c', version: MAINLINE }, function* (t: Ctx, locs: Loc[]): ThreadGen<void> {
  for (const l of locs) yield t.free(l);
});

/**
 * kfree_rcu(ptr, rhf): queue the free behind a grace period and return (call_rcu() with a
 * callback that kfree()s the object; kvfree_call_rcu() batches such frees, which changes when
 * they run but not that each waits for the readers that were in a read-side section when its
 * grace period started).
 */
export const kfree_rcu = kernelFunction({ name: 'kfree_rcu', file: 'include/linux/rcupdate.h', version: MAINLINE, note: 'kvfree_call_rcu(): the free runs after a grace period, asynchronously' },
  (t: Ctx, cpus: Cpus, self: Cpu, locs: Loc[]): ThreadGen<void> => call_rcu(t, cpus, self, (cb) => kfree(cb, locs)));
