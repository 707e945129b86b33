// B1: mm/khugepaged: fix GUP-fast interaction by sending IPI (2ba99c5e0881). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B1: Bug = {
  id: 'B1',
  commit: '2ba99c5e0881',
  subject: 'mm/khugepaged: fix GUP-fast interaction by sending IPI',
  fixes: 'ba76149f47d8',
  year: 2022,
  protocol: 'GUP-fast vs collapse; tlb_remove_table / RCU table free',
  breaks: 'Use-after-free of a page table (I1)',
  variants: [],
  notModelled: 'not modelled yet',
};
