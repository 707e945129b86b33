// struct mmu_gather and the inline half of the TLB-shootdown batching (include/asm-generic/tlb.h;
// docs/design/protocols.md §3): the range and level fields a teardown accumulates (start/end,
// freed_tables, cleared_ptes/pmds, fullmm) and that tlb_flush() turns into an invalidation, the
// table batch tlb_remove_table() fills, and the pages freed after the flush. The gather lives on
// the caller's stack: its fields are thread-local (plain JS state, no shared locations); only
// mm->tlb_flush_pending (include/linux/mm_types.ts) is shared. The out-of-line half
// (tlb_gather_mmu, tlb_finish_mmu, tlb_remove_table …) is in mm/mmu_gather.ts.
//
// Kernel versions differ in the pieces the bug-history variants turn on; a gather carries the
// code it runs (MmuGatherCode), so one scenario can run the v4.18, v5.1 or today's mmu_gather.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import type { Cpu, Cpus } from '../../cpus.ts';
import type { Mmu } from '../../hw.ts';
import type { Folio } from '../linux/page_ref.ts';
import type { PageTable } from '../linux/pgtable.ts';
import type { Mm } from '../../mm/mm.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';

const tlbH = (name: string, version = MAINLINE, note?: string) => ({ name, file: 'include/asm-generic/tlb.h', version, ...(note ? { note } : {}) });

/** How tlb_remove_table_one() frees a single table when the batch page could not be allocated. */
export type TableFree = 'rcu' | 'ipi' | 'immediate';

/**
 * The mmu_gather code of one kernel version, in the pieces the model distinguishes:
 * - `tableInvalidate`: tlb_remove_table() invalidates the TLB and paging-structure caches before
 *   a table is freed (tlb_table_invalidate(), d86564a2f085, v4.19);
 * - `nestedFlush`: what tlb_finish_mmu() does when another thread of the mm batches too
 *   (mm_tlb_flush_nested()): 'reset-range' (v4.20–v5.1: __tlb_reset_range() then the caller's
 *   range; the level bits are lost) or 'fullmm' (7a30df49f63a, v5.2: fullmm and freed_tables);
 * - `tlbonlyCheck`: tlb_flush_mmu_tlbonly() skips the flush when `end` is 0 (before v5.6) or when
 *   no level bit is set (v5.6+, "asm-generic/tlb: avoid potential double flush");
 * - `removeTableOne`: tlb_remove_table_one() after a failed batch allocation: 'ipi' (an IPI, then
 *   the free: up to ~v6.9), 'rcu' (call_rcu on the table: PT_RECLAIM era) or 'immediate' (a
 *   hypothetical change).
 */
export interface MmuGatherCode {
  tableInvalidate: boolean;
  nestedFlush: 'reset-range' | 'fullmm';
  tlbonlyCheck: 'end' | 'bits';
  removeTableOne: TableFree;
}

/** x86 v4.14–v4.18: RCU table freeing without tlb_table_invalidate() (before d86564a2f085). */
export const MMU_GATHER_V4_18: MmuGatherCode = { tableInvalidate: false, nestedFlush: 'reset-range', tlbonlyCheck: 'end', removeTableOne: 'ipi' };
/** v4.19: d86564a2f085's tlb_table_invalidate(). */
export const MMU_GATHER_V4_19: MmuGatherCode = { ...MMU_GATHER_V4_18, tableInvalidate: true };
/** v4.20–v5.1: the level bits exist, and a nested flush resets them (before 7a30df49f63a). */
export const MMU_GATHER_V5_1: MmuGatherCode = { ...MMU_GATHER_V4_19 };
/** v5.2–v5.5: 7a30df49f63a's fullmm flush on nesting. */
export const MMU_GATHER_V5_2: MmuGatherCode = { ...MMU_GATHER_V5_1, nestedFlush: 'fullmm' };
/** Today's code (the ~v6.9 IPI fallback for a failed batch allocation). */
export const MMU_GATHER_MAINLINE: MmuGatherCode = { tableInvalidate: true, nestedFlush: 'fullmm', tlbonlyCheck: 'bits', removeTableOne: 'ipi' };

/**
 * The architecture's tlb_flush(): how the gathered range is invalidated. null: the scenario
 * models no TLB (the flush has no observable effect on it).
 */
export type ArchTlbFlush = ((t: Ctx, tlb: MmuGather) => ThreadGen<void>) | null;

/** struct mmu_gather, with what the model needs to run its code. */
export interface MmuGather {
  mm: Mm;
  /** The CPUs (RCU grace periods and IPIs) and the CPU the gather runs on (null: a gather of pages only). */
  cpus: Cpus | null;
  cpu: Cpu | null;
  /** The CPUs' MMUs a flush invalidates (those the scenario models). */
  mmus: Mmu[];
  /** The architecture's tlb_flush() (arch/x86, arch/arm64), or null when no TLB is modeled. */
  archFlush: ArchTlbFlush;
  code: MmuGatherCode;
  fullmm: boolean;
  need_flush_all: boolean;
  freed_tables: boolean;
  cleared_ptes: boolean;
  cleared_pmds: boolean;
  /** The range to invalidate, in pages of the model's one PMD range (0 …). */
  start: number;
  end: number;
  /** struct mmu_table_batch: the tables queued for freeing, or null before one is allocated. */
  batch: PageTable[] | null;
  /** The pages gathered by tlb_remove_page(), freed after the flush. */
  pages: Folio[];
  /** Model input: the GFP_NOWAIT allocation of a table batch page fails (memory pressure). */
  batchAllocFails: boolean;
}

/** TASK_SIZE in the model's page numbers: the start of an empty range (__tlb_reset_range()). */
export const TASK_SIZE = 512;
/** ~0 in the model's page numbers: start and end of a full-mm range. */
export const RANGE_ALL = 0x7fffffff;

/** __tlb_adjust_range(): widen the range to [address, address + size). */
export const __tlb_adjust_range = kernelFunction(tlbH('__tlb_adjust_range'),
  // eslint-disable-next-line require-yield
  function* (_t: Ctx, tlb: MmuGather, address: number, size: number): ThreadGen<void> {
    tlb.start = Math.min(tlb.start, address);
    tlb.end = Math.max(tlb.end, address + size);
  });

/** __tlb_reset_range(): an empty range (all of it for fullmm), and no level bits. */
export const __tlb_reset_range = kernelFunction(tlbH('__tlb_reset_range', MAINLINE, 'the level bits since v4.20'),
  // eslint-disable-next-line require-yield
  function* (_t: Ctx, tlb: MmuGather): ThreadGen<void> {
    if (tlb.fullmm) tlb.start = tlb.end = RANGE_ALL;
    else { tlb.start = TASK_SIZE; tlb.end = 0; }
    tlb.freed_tables = false;
    tlb.cleared_ptes = false;
    tlb.cleared_pmds = false;
  });

/**
 * tlb_flush_mmu_tlbonly(): the architecture's tlb_flush() of the gathered range, then the range
 * is reset. It returns early when nothing was gathered: `end` == 0 before v5.6, no level bit
 * set since ("Anything calling __tlb_adjust_range() also sets at least one of these bits").
 */
export const tlb_flush_mmu_tlbonly = kernelFunction(tlbH('tlb_flush_mmu_tlbonly', MAINLINE, "tlbonlyCheck 'end': the check before v5.6"),
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    if (tlb.code.tlbonlyCheck === 'end' ? !tlb.end : !(tlb.freed_tables || tlb.cleared_ptes || tlb.cleared_pmds)) return;
    if (tlb.archFlush) yield* tlb.archFlush(t, tlb);
    yield* __tlb_reset_range(t, tlb);
  });

/** tlb_remove_tlb_entry(): a PTE of `address` was cleared; the flush must cover it. */
export const tlb_remove_tlb_entry = kernelFunction(tlbH('tlb_remove_tlb_entry'),
  function* (t: Ctx, tlb: MmuGather, address: number): ThreadGen<void> {
    yield* __tlb_adjust_range(t, tlb, address, 1);
    tlb.cleared_ptes = true;
  });

/** tlb_remove_page(): the page is freed after the flush (tlb_batch_pages_flush()). */
export const tlb_remove_page = kernelFunction(tlbH('tlb_remove_page'),
  // eslint-disable-next-line require-yield
  function* (_t: Ctx, tlb: MmuGather, f: Folio): ThreadGen<void> {
    tlb.pages.push(f);
  });
