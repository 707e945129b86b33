// Freeing page-table pages (mm/mmu_gather.c tlb_remove_table & co, pte_free_defer;
// docs/design/protocols.md §3). A table is freed only after software walkers are done with it: after an RCU grace period
// (MMU_GATHER_RCU_TABLE_FREE; IRQs-off GUP-fast counts as a reader) or, in the old single-table
// fallback, after an IPI that IRQs-off walkers delay (but RCU-only walkers do not).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { call_rcu, smp_call_function, type Cpu, type Cpus } from '../rcu.ts';
import { PT_FREED, PT_REUSED, type PageTable } from '../include/linux/pgtable.ts';
import { check_table_empty } from './pgtable-generic.ts';

/** __tlb_remove_table() -> pagetable_dtor_free(): the table (and its split PTL) is gone. */
export function* __tlb_remove_table(t: Ctx, T: PageTable): ThreadGen<void> {
  yield* check_table_empty(t, T);
  yield t.store(T.life, PT_FREED);
}

/** How a single table is freed. */
export type TableFree = 'rcu' | 'rcu_preempt' | 'ipi' | 'immediate';

/**
 * tlb_remove_table_one() / pte_free_defer() / pte_free(): 'rcu' = call_rcu (current kernels),
 * 'rcu_preempt' = call_rcu() of a pre-v5.0 CONFIG_PREEMPT kernel, whose grace period does not
 * wait for IRQs-off regions (mmu_gather used call_rcu_sched() for that reason),
 * 'ipi' = tlb_remove_table_sync_one() then free (~v6.9 fallback), 'immediate' = free now.
 */
export function* free_table(t: Ctx, cpus: Cpus, self: Cpu, T: PageTable, how: TableFree): ThreadGen<void> {
  if (how === 'rcu' || how === 'rcu_preempt') {
    const flavour = how === 'rcu' ? 'consolidated' : 'rcu_preempt';
    yield* t.call(how === 'rcu' ? 'pte_free_defer' : 'call_rcu', call_rcu(t, cpus, self, () => t.call('__tlb_remove_table', __tlb_remove_table(t, T)), flavour));
  } else if (how === 'ipi') {
    yield* t.call('tlb_remove_table_sync_one', smp_call_function(t, cpus, self));
    yield* t.call('__tlb_remove_table', __tlb_remove_table(t, T));
  } else {
    yield* t.call('pte_free', __tlb_remove_table(t, T));
  }
}

/** struct mmu_gather as table freeing needs it: whether the batch allocation fails, and what happens then. */
export interface MmuGather {
  /** Whether allocating the batch page (GFP_NOWAIT) fails. */
  batchAllocFails: boolean;
  /**
   * What tlb_remove_table_one() does on that failure: 'rcu' (current kernels: call_rcu on the
   * table), 'ipi' (~v6.9: tlb_remove_table_sync_one() then free), 'immediate' (a free with no
   * synchronization at all: the unsafe variant).
   */
  fallback: TableFree;
}

/**
 * tlb_remove_table() of one table followed by tlb_finish_mmu(): with a batch, the table is freed
 * by the batch's RCU callback (tlb_table_flush -> call_rcu); without one, tlb_remove_table_one().
 */
export function* tlb_remove_table(t: Ctx, cpus: Cpus, self: Cpu, T: PageTable, tlb: MmuGather): ThreadGen<void> {
  if (!tlb.batchAllocFails) {
    yield* t.call('tlb_table_flush', free_table(t, cpus, self, T, 'rcu'));
    return;
  }
  // tlb_table_invalidate() has flushed the TLB already (hardware walkers); software walkers next.
  yield* t.call('tlb_remove_table_one', free_table(t, cpus, self, T, tlb.fallback));
}

/** The page allocator reusing a freed table page as a data page: its bytes now look like PTEs. */
export function* reuse_table_page(t: Ctx, T: PageTable, garbage: number): ThreadGen<void> {
  const life = yield t.load(T.life);
  yield t.assume(life === PT_FREED);
  yield t.store(T.life, PT_REUSED);
  yield t.store(T.entries[0], garbage);
}
