// B5: mm/gup: fix try_grab_compound_head() race with split_huge_page() (c24d37322548, 2021).
// GUP-fast looked up compound_head(page), then raised the head's refcount: a split in between left
// the reference on a page that no longer had anything to do with `page`. The fix rechecks the head
// after the grab. Same race as seed row U1.b (gup-fast-vs-split).
import type { Bug } from './bug.ts';
import { gupSplitScenario } from '../scenarios/gup-fast.ts';

export const B5: Bug = {
  id: 'B5',
  commit: 'c24d37322548',
  subject: 'mm/gup: fix try_grab_compound_head() race with split_huge_page()',
  fixes: '7aef4172c795',
  year: 2021,
  protocol: 'GUP-fast try_grab_folio (head lookup) vs THP split / free',
  breaks: 'Reference taken on the wrong folio; `page` returned without a reference: use-after-free of a data page (I6, I7)',
  variants: [
    { role: 'pre-fix', scenario: gupSplitScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: gupSplitScenario, variant: 'fixed' },
  ],
};
