// B19: mm/khugepaged: take the right locks for page table retraction (8d3c106e19e8). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B19: Bug = {
  id: 'B19',
  commit: '8d3c106e19e8',
  subject: 'mm/khugepaged: take the right locks for page table retraction',
  fixes: '27e1f8273113',
  year: 2022,
  protocol: 'retract_page_tables / collapse_pte_mapped_thp vs rmap walkers',
  breaks: 'Use-after-free of a page table by an rmap walker (I1)',
  variants: [],
  notModelled: 'not modelled yet',
};
