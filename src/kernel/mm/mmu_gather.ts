// The out-of-line half of mmu_gather (mm/mmu_gather.c; mm/memory.c before v4.20) and the other
// ways a page table is freed (mm/pgtable-generic.c pte_free_defer, include/asm-generic/pgalloc.h
// pte_free; docs/design/protocols.md §3). The order is the kernel's: unhook (the caller clears the
// entry), invalidate the TLB and the paging-structure caches (tlb_flush_mmu_tlbonly(), or
// tlb_table_invalidate() for tables), free. Tables are freed only after software walkers are done
// with them too: after an RCU grace period (MMU_GATHER_RCU_TABLE_FREE; IRQs-off GUP-fast counts as
// a reader) or, in the single-table fallback, after an IPI that IRQs-off walkers delay (but
// RCU-only walkers do not). struct mmu_gather itself is include/asm-generic/tlb.ts.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import type { Mmu } from '../hw.ts';
import { call_rcu, type RcuFlavour } from '../kernel/rcu/tree.ts';
import { smp_call_function } from '../kernel/smp.ts';
import { folio_put } from '../include/linux/page_ref.ts';
import { freeTablePage, type PageTable } from '../include/linux/pgtable.ts';
import { dec_tlb_flush_pending, inc_tlb_flush_pending, mm_tlb_flush_nested } from '../include/linux/mm_types.ts';
import {
  MMU_GATHER_MAINLINE, TASK_SIZE, __tlb_adjust_range, __tlb_reset_range, tlb_flush_mmu_tlbonly,
  type ArchTlbFlush, type MmuGather, type MmuGatherCode, type TableFree,
} from '../include/asm-generic/tlb.ts';
import { checkTableEmpty } from './pgtable-generic.ts';
import type { Mm } from './mm.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

export type { TableFree } from '../include/asm-generic/tlb.ts';

const gather = (name: string, version = MAINLINE, note?: string) => ({ name, file: 'mm/mmu_gather.c', version, ...(note ? { note } : {}) });

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
  (t: Ctx, cpus: Cpus, self: Cpu, T: PageTable): ThreadGen<void> => call_rcu(t, cpus, self, (cb) => __tlb_remove_table(cb, T)));

/** tlb_remove_table_sync_one(): an IPI to every other CPU, which IRQs-off walkers delay. */
export const tlb_remove_table_sync_one = kernelFunction({ ...gather('tlb_remove_table_sync_one'), waits: 'IPI' },
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => smp_call_function(t, cpus, self));

// ---------------------------------------------------------------- the gather

/** What tlb_gather_mmu() needs: the mm and, for tables and flushes, the CPUs, MMUs and code. */
export interface GatherSpec {
  mm: Mm;
  cpus?: Cpus;
  cpu?: Cpu;
  /** The MMUs the flush invalidates, and the architecture's tlb_flush() (none: no TLB modeled). */
  mmus?: Mmu[];
  archFlush?: ArchTlbFlush;
  /** The kernel's mmu_gather code (default: today's). */
  code?: MmuGatherCode;
  /** Model input: the batch page allocation fails. */
  batchAllocFails?: boolean;
  /** The RCU flavour tables are freed with ('rcu_preempt': a hypothetical change to a pre-v5.0 kernel). */
  tableRcu?: RcuFlavour;
}

/** The gather's CPUs, which freeing tables needs (RCU, IPIs). */
function gatherCpus(tlb: MmuGather): { cpus: Cpus; cpu: Cpu } {
  if (!tlb.cpus || !tlb.cpu) throw new Error('an mmu_gather that frees page tables needs the CPUs (tlb_gather_mmu({ cpus, cpu }))');
  return { cpus: tlb.cpus, cpu: tlb.cpu };
}

const rcuFlavour = new WeakMap<MmuGather, RcuFlavour>();

/**
 * tlb_gather_mmu(): an empty gather on the caller's stack; inc_tlb_flush_pending(mm) (when the
 * scenario models mm->tlb_flush_pending).
 */
export const tlb_gather_mmu = kernelFunction(gather('tlb_gather_mmu'),
  function* (t: Ctx, spec: GatherSpec): ThreadGen<MmuGather> {
    const tlb: MmuGather = {
      mm: spec.mm, cpus: spec.cpus ?? null, cpu: spec.cpu ?? null, mmus: spec.mmus ?? [], archFlush: spec.archFlush ?? null,
      code: spec.code ?? MMU_GATHER_MAINLINE, fullmm: false, need_flush_all: false,
      freed_tables: false, cleared_ptes: false, cleared_pmds: false, start: TASK_SIZE, end: 0,
      batch: null, pages: [], batchAllocFails: spec.batchAllocFails ?? false,
    };
    if (spec.tableRcu) rcuFlavour.set(tlb, spec.tableRcu);
    if (tlb.mm.tlb_flush_pending !== undefined) yield* inc_tlb_flush_pending(t, tlb.mm);
    return tlb;
  });

/** tlb_remove_table_one() as `how` says (see TableFree): the single-table path of a failed batch allocation. */
export const tlb_remove_table_one = kernelFunction(gather('tlb_remove_table_one', MAINLINE, "'ipi' is the code up to ~v6.9; 'immediate' is a hypothetical change"),
  function* (t: Ctx, tlb: MmuGather, T: PageTable): ThreadGen<void> {
    const { cpus, cpu } = gatherCpus(tlb);
    const how = tlb.code.removeTableOne;
    if (how === 'rcu') yield* call_rcu(t, cpus, cpu, (cb) => __tlb_remove_table(cb, T));
    else if (how === 'ipi') {
      yield* tlb_remove_table_sync_one(t, cpus, cpu);
      yield* __tlb_remove_table(t, T);
    } else yield* __tlb_remove_table(t, T);
  });

/**
 * tlb_table_invalidate() (d86564a2f085, v4.19): "Invalidate page-table caches used by hardware
 * walkers. Then we still need to RCU-sched wait while freeing the pages because software walkers
 * can still be in-flight." Absent before (MmuGatherCode.tableInvalidate).
 */
export const tlb_table_invalidate = kernelFunction(gather('tlb_table_invalidate', 'v4.19–v6.18'),
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    if (tlb.code.tableInvalidate) yield* tlb_flush_mmu_tlbonly(t, tlb);
  });

/**
 * tlb_table_flush(): the batch's tables are invalidated (tlb_table_invalidate()) and freed from
 * an RCU callback (tlb_remove_table_free() -> call_rcu()).
 */
export const tlb_table_flush = kernelFunction(gather('tlb_table_flush'),
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    const batch = tlb.batch;
    if (!batch) return;
    const { cpus, cpu } = gatherCpus(tlb);
    yield* tlb_table_invalidate(t, tlb);
    tlb.batch = null;
    yield* call_rcu(t, cpus, cpu, function* (cb) {
      for (const T of batch) yield* __tlb_remove_table(cb, T);
    }, rcuFlavour.get(tlb) ?? 'consolidated');
  });

/**
 * tlb_remove_table(): queue the table in the batch; if the batch page cannot be allocated,
 * invalidate (v4.19+) and free this one table at once (tlb_remove_table_one()).
 */
export const tlb_remove_table = kernelFunction(gather('tlb_remove_table', MAINLINE, 'in mm/memory.c before v4.20; tlb_table_invalidate() since v4.19'),
  function* (t: Ctx, tlb: MmuGather, T: PageTable): ThreadGen<void> {
    if (tlb.batch === null) {
      if (tlb.batchAllocFails) {
        yield* tlb_table_invalidate(t, tlb);
        yield* tlb_remove_table_one(t, tlb, T);
        return;
      }
      tlb.batch = [];
    }
    tlb.batch.push(T); // far from MAX_TABLE_BATCH
  });

/**
 * pte_free_tlb(): the range covers the table's address; since v4.20 the level bits say a table
 * was freed (freed_tables, cleared_pmds); then __pte_free_tlb() -> tlb_remove_table().
 */
export const pte_free_tlb = kernelFunction({ name: 'pte_free_tlb', file: 'include/asm-generic/tlb.h', version: MAINLINE, note: 'the level bits since v4.20' },
  function* (t: Ctx, tlb: MmuGather, T: PageTable, address: number): ThreadGen<void> {
    yield* __tlb_adjust_range(t, tlb, address, 1);
    tlb.freed_tables = true;
    tlb.cleared_pmds = true;
    yield* tlb_remove_table(t, tlb, T);
  });

/** tlb_batch_pages_flush(): the gathered pages' references are dropped (free_pages_and_swap_cache()). */
export const tlb_batch_pages_flush = kernelFunction(gather('tlb_batch_pages_flush'),
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    const pages = tlb.pages;
    tlb.pages = [];
    for (const f of pages) yield* folio_put(t, f);
  });

/** tlb_flush_mmu(): invalidate (tlb_flush_mmu_tlbonly()), then free: tables (tlb_table_flush()) and pages. */
export const tlb_flush_mmu = kernelFunction(gather('tlb_flush_mmu', MAINLINE, 'with tlb_flush_mmu_free()'),
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    yield* tlb_flush_mmu_tlbonly(t, tlb);
    yield* tlb_table_flush(t, tlb);
    yield* tlb_batch_pages_flush(t, tlb);
  });

/**
 * tlb_finish_mmu() since 7a30df49f63a (v5.2): when another thread batches changes to the same
 * mm under the mmap lock held for read (mm_tlb_flush_nested()), flush everything — fullmm, and
 * freed_tables kept set — "some syscalls, e.g. munmap(), may free page tables, this needs force
 * flush everything in the given range"; then tlb_flush_mmu() and dec_tlb_flush_pending().
 */
const tlb_finish_mmu_v5_2 = kernelFunction(gather('tlb_finish_mmu', 'v5.2–v6.18', 'with arch_tlb_finish_mmu() (until v5.3)'),
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    if (tlb.mm.tlb_flush_pending !== undefined && (yield* mm_tlb_flush_nested(t, tlb.mm))) {
      tlb.fullmm = true;
      yield* __tlb_reset_range(t, tlb);
      tlb.freed_tables = true;
    }
    yield* tlb_flush_mmu(t, tlb);
    if (tlb.mm.tlb_flush_pending !== undefined) yield* dec_tlb_flush_pending(t, tlb.mm);
  });

/**
 * tlb_finish_mmu(tlb, start, end) before 7a30df49f63a (v4.13–v5.1: arch_tlb_finish_mmu(force)):
 * on a nested flush, __tlb_reset_range() and the caller's range again: the range is right, but
 * the level bits (freed_tables, cleared_*) are lost, so an architecture that invalidates by level
 * (arm64) flushes the leaf entries only.
 */
const tlb_finish_mmu_v5_1 = kernelFunction(gather('tlb_finish_mmu', 'v4.13–v5.1 (before 7a30df49f63a)', 'with arch_tlb_finish_mmu(force)'),
  function* (t: Ctx, tlb: MmuGather, start: number, end: number): ThreadGen<void> {
    if (tlb.mm.tlb_flush_pending !== undefined && (yield* mm_tlb_flush_nested(t, tlb.mm))) {
      yield* __tlb_reset_range(t, tlb);
      yield* __tlb_adjust_range(t, tlb, start, end - start);
    }
    yield* tlb_flush_mmu(t, tlb);
    if (tlb.mm.tlb_flush_pending !== undefined) yield* dec_tlb_flush_pending(t, tlb.mm);
  });

/**
 * tlb_finish_mmu() as the gather's kernel has it (MmuGatherCode.nestedFlush). `range`: the
 * start and end the caller passed (the pre-v5.2 signature; v5.2 still took them).
 */
export function tlb_finish_mmu(t: Ctx, tlb: MmuGather, range: [number, number] = [0, 1]): ThreadGen<void> {
  return tlb.code.nestedFlush === 'reset-range' ? tlb_finish_mmu_v5_1(t, tlb, range[0], range[1]) : tlb_finish_mmu_v5_2(t, tlb);
}
