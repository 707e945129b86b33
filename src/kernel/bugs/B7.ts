// B7: mm/mremap: fix move_normal_pmd/retract_page_tables race (6fa1066fc5d0). mremap() decides to
// move a whole PTE table before it takes the rmap locks; khugepaged's retract_page_tables() (no
// mmap lock since 1d65b771bc08) clears that PMD in between, and move_normal_pmd() then installs
// pmd_pgtable() of a none PMD — page 0 — as the destination's page table.
import type { Bug } from './bug.ts';
import { mremapRetractScenario } from '../scenarios/bugs/mremap.ts';

export const B7: Bug = {
  id: 'B7',
  commit: '6fa1066fc5d0',
  subject: 'mm/mremap: fix move_normal_pmd/retract_page_tables race',
  fixes: '1d65b771bc08',
  year: 2024,
  protocol: 'retract_page_tables vs mremap; PMD recheck after lock',
  breaks: 'A PMD pointing at page 0 used as a page table (I1)',
  variants: [
    { role: 'pre-fix', scenario: mremapRetractScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: mremapRetractScenario, variant: 'fixed' },
  ],
};
