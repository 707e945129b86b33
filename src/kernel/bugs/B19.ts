// B19: mm/khugepaged: take the right locks for page table retraction (8d3c106e19e8). Page-table
// walks may start under the mmap lock, the anon_vma lock or i_mmap_rwsem, each held shared;
// removing a non-terminal entry needs all of them exclusive. collapse_pte_mapped_thp() held only
// the mmap lock, so a file rmap walk (truncation's unmap_mapping_range()) could use the table it
// freed.
import type { Bug } from './bug.ts';
import { retractRmapScenario } from '../scenarios/bugs/khugepaged.ts';

export const B19: Bug = {
  id: 'B19',
  commit: '8d3c106e19e8',
  subject: 'mm/khugepaged: take the right locks for page table retraction',
  fixes: '27e1f8273113',
  year: 2022,
  protocol: 'retract_page_tables / collapse_pte_mapped_thp vs rmap walkers',
  breaks: 'Use-after-free of a page table by an rmap walker (I1)',
  variants: [
    { role: 'pre-fix', scenario: retractRmapScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: retractRmapScenario, variant: 'fixed' },
    { role: 'step', scenario: retractRmapScenario, variant: 'i-mmap-lock-only' },
    { role: 'fixed', scenario: retractRmapScenario, variant: 'fixed-anon-vma' },
  ],
};
