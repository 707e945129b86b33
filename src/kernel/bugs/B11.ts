// B11: mm/tlb, x86/mm: Support invalidating TLB caches for RCU_TABLE_FREE (d86564a2f085, Peter
// Zijlstra, 2018; Jann Horn's report). x86 with HAVE_RCU_TABLE_FREE (v4.14+) freed page tables
// through tlb_remove_table(), which gave no TLB invalidation: when the batch page could not be
// allocated, tlb_remove_table_one() sent an IPI and freed the table at once, and the TLB and
// paging-structure caches were flushed only later, at tlb_finish_mmu(). A CPU whose
// paging-structure cache still linked the PMD to the table could walk it after it was freed. The
// fix adds tlb_table_invalidate() (tlb_flush_mmu_tlbonly()) before a table is freed, on both the
// batch and the single-table path. Same race as catalog row U3.d (table-free-vs-hardware-walker).
import type { Bug } from './bug.ts';
import { pagingStructureCacheScenario } from '../scenarios/paging-structure-cache.ts';

export const B11: Bug = {
  id: 'B11',
  commit: 'd86564a2f085',
  subject: 'mm/tlb, x86/mm: Support invalidating TLB caches for RCU_TABLE_FREE',
  fixes: null,
  year: 2018,
  protocol: 'tlb_remove_table / HAVE_RCU_TABLE_FREE; paging-structure caches',
  breaks: 'Hardware walk through a freed table (I16, I1)',
  variants: [
    { role: 'pre-fix', scenario: pagingStructureCacheScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: pagingStructureCacheScenario, variant: 'fixed' },
  ],
};
