// B17: mm: userfaultfd: fix race of userfaultfd_move and swap cache (0ea148a79919). UFFDIO_MOVE
// of a swap PTE looked its swap entry up in the swap cache without a lock and trusted a pte_same()
// of the source PTE: the entry can be freed and reused meanwhile (ABA), and the move re-homes a
// folio the entry no longer names, or moves the entry without the folio now cached for it.
import type { Bug } from './bug.ts';
import { uffdMoveSwapScenario } from '../scenarios/bugs/uffd-move.ts';

export const B17: Bug = {
  id: 'B17',
  commit: '0ea148a79919',
  subject: 'mm: userfaultfd: fix race of userfaultfd_move and swap cache',
  fixes: 'adef440691ba',
  year: 2025,
  protocol: 'userfaultfd move; swap-cache lookup',
  breaks: 'ABA on the swap entry: the wrong folio gets moved, or the entry without its folio (I18); rss corruption, BUG_ON',
  variants: [
    { role: 'pre-fix', scenario: uffdMoveSwapScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: uffdMoveSwapScenario, variant: 'fixed' },
    { role: 'pre-fix', scenario: uffdMoveSwapScenario, variant: 'pre-fix-null-lookup' },
    { role: 'fixed', scenario: uffdMoveSwapScenario, variant: 'fixed-null-lookup' },
    { role: 'step', scenario: uffdMoveSwapScenario, variant: 'has-cache-check-only' },
    { role: 'step', scenario: uffdMoveSwapScenario, variant: 'folio-recheck-only' },
  ],
};
