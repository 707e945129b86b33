// B12: mm: mmu_gather: remove __tlb_reset_range() for force flush (7a30df49f63a, Yang Shi and Jan
// Stancek, 2019), fixing dd2283f2605e ("mm: mmap: zap pages with read mmap_sem in munmap"). Once
// munmap() frees page tables under the read-held mmap lock, a concurrent MADV_DONTNEED makes its
// tlb_finish_mmu() "nested"; the forced flush rebuilt the range with __tlb_reset_range(), which
// also cleared freed_tables, and arm64 then invalidated leaf entries only: a stale walk-cache
// entry survived the free of the table (userspace hangs on arm64). The fix flushes fullmm with
// freed_tables kept.
import type { Bug } from './bug.ts';
import { nestedFlushScenario } from '../scenarios/bugs/mmu-gather.ts';

export const B12: Bug = {
  id: 'B12',
  commit: '7a30df49f63a',
  subject: 'mm: mmu_gather: remove __tlb_reset_range() for force flush',
  fixes: 'dd2283f2605e',
  year: 2019,
  protocol: 'mmu_gather, munmap vs MADV_DONTNEED',
  breaks: 'Stale TLB / walk-cache entries after page tables are freed (I16); userspace hang on arm64',
  variants: [
    { role: 'pre-fix', scenario: nestedFlushScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: nestedFlushScenario, variant: 'fixed' },
  ],
};
