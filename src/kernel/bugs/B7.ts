// B7: mm/mremap: fix move_normal_pmd/retract_page_tables race (6fa1066fc5d0). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B7: Bug = {
  id: 'B7',
  commit: '6fa1066fc5d0',
  subject: 'mm/mremap: fix move_normal_pmd/retract_page_tables race',
  fixes: '1d65b771bc08',
  year: 2024,
  protocol: 'retract_page_tables vs mremap; PMD recheck after lock',
  breaks: 'Bogus PMD pointing at a freed or arbitrary table (I1, I11); on x86 pfn 0 gets used as a page table; likely privilege escalation',
  variants: [],
  notModelled: 'not modelled yet',
};
