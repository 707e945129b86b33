// B11: mm/tlb, x86/mm: Support invalidating TLB caches for RCU_TABLE_FREE (d86564a2f085). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B11: Bug = {
  id: 'B11',
  commit: 'd86564a2f085',
  subject: 'mm/tlb, x86/mm: Support invalidating TLB caches for RCU_TABLE_FREE',
  fixes: null,
  year: 2018,
  protocol: 'tlb_remove_table / HAVE_RCU_TABLE_FREE; paging-structure caches',
  breaks: 'Hardware walk through a freed table (I16, I1)',
  variants: [],
  notModelled: 'not modelled yet',
};
