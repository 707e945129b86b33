// Freeing page-table pages (mm/mmu_gather.c tlb_remove_table & co, mm/pgtable-generic.c
// pte_free_defer, include/asm-generic/pgalloc.h pte_free; docs/design/protocols.md §3). A table is freed only
// after software walkers are done with it: after an RCU grace period (MMU_GATHER_RCU_TABLE_FREE;
// IRQs-off GUP-fast counts as a reader) or, in the old single-table fallback, after an IPI that
// IRQs-off walkers delay (but RCU-only walkers do not).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { broadcastInvalidate } from '../hw.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { call_rcu, type RcuFlavour } from '../kernel/rcu/tree.ts';
import { smp_call_function } from '../kernel/smp.ts';
import { folio_put, type Folio } from '../include/linux/page_ref.ts';
import { freeTablePage, type PageTable } from '../include/linux/pgtable.ts';
import { checkTableEmpty } from './pgtable-generic.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

const gather = (name: string, note?: string) => ({ name, file: 'mm/mmu_gather.c', version: MAINLINE, ...(note ? { note } : {}) });

/**
 * The table goes back to the allocator. The model checks that it is empty (I11), unless the
 * caller frees `staleEntries` whose rmap and references it has already dropped
 * (collapse_pte_mapped_thp() before v6.5 freed the table "without having cleared its ptes").
 * Freeing it again, or freeing what is no page table (a bogus pmd_pgtable()), is a double free
 * or a use-after-free the engine reports at the free (I1).
 */
function* tableFreed(t: Ctx, T: PageTable, opts: { staleEntries?: boolean } = {}): ThreadGen<void> {
  if (!opts.staleEntries) yield* checkTableEmpty(t, T);
  yield* freeTablePage(t, T);
}

/** __tlb_remove_table() -> pagetable_dtor_free(): the table is gone. */
export const __tlb_remove_table = kernelFunction(gather('__tlb_remove_table'), (t: Ctx, T: PageTable): ThreadGen<void> => tableFreed(t, T));

/** pte_free(): frees the table at once (no RCU: callers that know no walker can be inside). */
export const pte_free = kernelFunction({ name: 'pte_free', file: 'include/asm-generic/pgalloc.h', version: MAINLINE }, tableFreed);


/** pte_free_defer(): the table is freed from an RCU callback (khugepaged's retract/collapse). */
export const pte_free_defer = kernelFunction({ name: 'pte_free_defer', file: 'mm/pgtable-generic.c', version: MAINLINE },
  (t: Ctx, cpus: Cpus, self: Cpu, T: PageTable): ThreadGen<void> => call_rcu(t, cpus, self, () => __tlb_remove_table(t, T)));

/**
 * tlb_table_flush(): the batch's tables are freed from an RCU callback. `flavour` 'rcu_preempt'
 * is call_rcu() of a pre-v5.0 CONFIG_PREEMPT kernel, where mmu_gather used call_rcu_sched()
 * precisely because that grace period does not wait for IRQs-off walkers.
 */
export const tlb_table_flush = kernelFunction(gather('tlb_table_flush'),
  (t: Ctx, cpus: Cpus, self: Cpu, T: PageTable, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> =>
    call_rcu(t, cpus, self, () => __tlb_remove_table(t, T), flavour));

/** tlb_remove_table_sync_one(): an IPI to every other CPU, which IRQs-off walkers delay. */
export const tlb_remove_table_sync_one = kernelFunction(gather('tlb_remove_table_sync_one'),
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => smp_call_function(t, cpus, self));

/** How tlb_remove_table_one() frees a single table when the batch page could not be allocated. */
export type TableFree = 'rcu' | 'ipi' | 'immediate';

/**
 * tlb_remove_table_one(): 'rcu' = call_rcu on the table (current kernels), 'ipi' =
 * tlb_remove_table_sync_one() then free (~v6.9), 'immediate' = a free with no synchronization at
 * all (a hypothetical change: the unsafe variant).
 */
export const tlb_remove_table_one = kernelFunction(gather('tlb_remove_table_one', "'ipi' follows ~v6.9; 'immediate' is a hypothetical change"),
  function* (t: Ctx, cpus: Cpus, self: Cpu, T: PageTable, how: TableFree): ThreadGen<void> {
    if (how === 'rcu') yield* call_rcu(t, cpus, self, () => __tlb_remove_table(t, T));
    else if (how === 'ipi') {
      yield* tlb_remove_table_sync_one(t, cpus, self);
      yield* __tlb_remove_table(t, T);
    } else yield* __tlb_remove_table(t, T);
  });

/** struct mmu_gather as table freeing needs it: whether the batch allocation fails, and what happens then. */
export interface MmuGather {
  /** Whether allocating the batch page (GFP_NOWAIT) fails. */
  batchAllocFails: boolean;
  /** What tlb_remove_table_one() does on that failure (see TableFree). */
  fallback: TableFree;
}

/** An mmu_gather whose batch page allocation succeeds: tables go through tlb_table_flush(). */
export const RCU_BATCH: MmuGather = { batchAllocFails: false, fallback: 'rcu' };

/**
 * tlb_remove_table() of one table followed by tlb_finish_mmu(): with a batch, the table is freed
 * by the batch's RCU callback (tlb_table_flush -> call_rcu); without one, tlb_remove_table_one().
 */
export const tlb_remove_table = kernelFunction(gather('tlb_remove_table'),
  function* (t: Ctx, cpus: Cpus, self: Cpu, T: PageTable, tlb: MmuGather): ThreadGen<void> {
    if (!tlb.batchAllocFails) {
      yield* tlb_table_flush(t, cpus, self, T);
      return;
    }
    // tlb_table_invalidate() has flushed the TLB already (hardware walkers); software walkers next.
    yield* tlb_remove_table_one(t, cpus, self, T, tlb.fallback);
  });

/** tlb_finish_mmu(): after the TLB flush, the gathered pages' mapping references are dropped. */
export const tlb_finish_mmu = kernelFunction(gather('tlb_finish_mmu', 'only the batched put of one page is modeled'),
  (t: Ctx, f: Folio): ThreadGen<void> => folio_put(t, f));

/**
 * tlb_flush_mmu_tlbonly(): the TLB and paging-structure-cache invalidation of the gathered range,
 * as a broadcast invalidation that waits for the hardware walks in flight (hw.ts).
 */
export const tlb_flush_mmu_tlbonly = kernelFunction({ name: 'tlb_flush_mmu_tlbonly', file: 'include/asm-generic/tlb.h', version: MAINLINE, note: 'a broadcast invalidation (the model of the hardware side)' },
  (t: Ctx, targets: { cache: Loc; insn: Loc }[]): ThreadGen<void> => broadcastInvalidate(t, targets));
