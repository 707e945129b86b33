// B25: mm, thp: close race between mremap() and split_huge_page() (dd18dbc2d42a). The v3.x split
// marks every huge PMD of the page "splitting" in one anon_vma rmap walk and relies on the walk
// order (source VMA before destination) to see a PMD that mremap moves; after a VMA merge the
// destination can sort first, and move_huge_pmd() moved the PMD without the anon_vma lock.
import type { Bug } from './bug.ts';
import { mremapSplitScenario } from '../scenarios/bugs/mremap.ts';

export const B25: Bug = {
  id: 'B25',
  commit: 'dd18dbc2d42a',
  subject: 'mm, thp: close race between mremap() and split_huge_page()',
  fixes: '108d6642ad81',
  year: 2014,
  protocol: 'THP split (freeze) vs mremap move_huge_pmd',
  breaks: 'A huge PMD escapes the split\'s freeze: BUG in __split_huge_page (I5)',
  variants: [
    { role: 'pre-fix', scenario: mremapSplitScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: mremapSplitScenario, variant: 'fixed' },
  ],
};
