// madvise(MADV_DONTNEED) (mm/madvise.c): the range is zapped (mm/memory.c zap_page_range_single())
// and, once the call returns, the next access sees a fresh zero page. That promise holds only if no
// CPU still has a TLB entry for the old page: the zap flushes the TLB for the PTEs it cleared, and
// relies on anyone who cleared a PTE before it (under the same PTL) to have flushed before
// dropping that PTL (B15: migrate_vma_collect_pmd() before 60bae7370896 did not).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { PageTable } from '../include/linux/pgtable.ts';
import { zap_page_range_single } from './memory.ts';
import type { Mm } from './mm.ts';
import { kernelFunction } from '../kfn.ts';

/**
 * madvise_dontneed_single_vma() of the one page at T[idx]: zap_page_range_single(). `flush` is the
 * TLB flush tlb_finish_mmu() issues when the zap cleared a present PTE.
 */
export const madvise_dontneed_single_vma = kernelFunction({ name: 'madvise_dontneed_single_vma', file: 'mm/madvise.c', version: 'v5.x–v6.18', note: 'one page; the mmap_lock (read) and VMA checks are the caller\'s' },
  (t: Ctx, mm: Mm, T: PageTable, idx: number, flush?: () => ThreadGen<void>): ThreadGen<void> => zap_page_range_single(t, mm, T, idx, flush));
