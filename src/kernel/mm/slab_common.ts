// kfree() and kfree_rcu() of one kmalloc'ed object (mm/slub.c kfree; include/linux/rcupdate.h
// kfree_rcu -> kvfree_call_rcu()). An object is a set of locations of the program
// (Builder.object); freeing it frees them all, so a later access is a use-after-free reported at
// the access. kfree_rcu() returns at once: the free happens after a grace period, in RCU's
// callback processing (kernel/rcu/tree.ts rcu_do_batch()), which the model runs as a thread of its
// own so that the caller's next steps (WRITE_ONCE(ms->usage, NULL) after kfree_rcu() …) are not
// delayed past the grace period, as they would be if the caller waited for it (call_rcu() in
// kernel/rcu/tree.ts runs the batch on the caller's thread).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { rcu_do_batch } from '../kernel/rcu/tree.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

/** kfree(): the object's memory goes back to the slab. */
export const kfree = kernelFunction({ name: 'kfree', file: 'mm/slub.c', version: MAINLINE }, function* (t: Ctx, locs: Loc[]): ThreadGen<void> {
  for (const l of locs) yield t.free(l);
});

/**
 * kfree_rcu(ptr, rhf): queue the free behind a grace period and return. The callback (a thread
 * of the model: RCU's callback processing for the queuing CPU `self`) waits for every reader that
 * was in a read-side section when the grace period started, then kfree()s the object.
 */
export const kfree_rcu = kernelFunction({ name: 'kfree_rcu', file: 'include/linux/rcupdate.h', version: MAINLINE, note: 'kvfree_call_rcu(): the free runs after a grace period, asynchronously' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, locs: Loc[]): ThreadGen<void> {
    yield t.spawn(function* (cb: Ctx) {
      yield* rcu_do_batch(cb, cpus, self, () => kfree(cb, locs));
    }, `rcu callback (CPU${self.id})`);
  });
