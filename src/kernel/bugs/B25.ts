// B25: mm, thp: close race between mremap() and split_huge_page() (dd18dbc2d42a). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B25: Bug = {
  id: 'B25',
  commit: 'dd18dbc2d42a',
  subject: 'mm, thp: close race between mremap() and split_huge_page()',
  fixes: '108d6642ad81',
  year: 2014,
  protocol: 'THP split (freeze) vs mremap move_huge_pmd',
  breaks: 'A PMD escapes the freeze, so the split is inconsistent (I5)',
  variants: [],
  notModelled: 'not modelled yet',
};
