// B12: mm: mmu_gather: remove __tlb_reset_range() for force flush (7a30df49f63a). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B12: Bug = {
  id: 'B12',
  commit: '7a30df49f63a',
  subject: 'mm: mmu_gather: remove __tlb_reset_range() for force flush',
  fixes: 'dd2283f2605e',
  year: 2019,
  protocol: 'mmu_gather, munmap vs MADV_DONTNEED',
  breaks: 'Stale TLB / walk-cache entries after page tables are freed (I16); userspace hang on arm64',
  variants: [],
  notModelled: 'not modelled yet',
};
