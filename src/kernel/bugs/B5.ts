// B5: mm/gup: fix try_grab_compound_head() race with split_huge_page() (c24d37322548). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B5: Bug = {
  id: 'B5',
  commit: 'c24d37322548',
  subject: 'mm/gup: fix try_grab_compound_head() race with split_huge_page()',
  fixes: '7aef4172c795',
  year: 2021,
  protocol: 'GUP-fast try_grab_folio (head lookup) vs THP split / free',
  breaks: 'Reference taken on the wrong folio; `page` returned without a reference: use-after-free of a data page (I6, I7)',
  variants: [],
  notModelled: 'not modelled yet',
};
