// B10: mm: pmd_read_atomic: fix 32bit PAE pmd walk vs pmd_populate SMP race condition (26c191788f18). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B10: Bug = {
  id: 'B10',
  commit: '26c191788f18',
  subject: 'mm: pmd_read_atomic: fix 32bit PAE pmd walk vs pmd_populate SMP race condition',
  fixes: null,
  year: 2012,
  protocol: 'ptep_get_lockless / PAE (PMD level)',
  breaks: 'Torn PMD read used as a table pointer (I13, then I1)',
  variants: [],
  notModelled: 'not modelled yet',
};
