// B8: mm/gup: prevent gup_fast from racing with COW during fork (57efa1fe5957). fork() checked
// whether a page might be pinned and then write-protected it; a GUP-fast pin landing in between
// passed its PTE recheck, so the parent's next write copied away from the pinned page. The fix
// brackets fork's copy with mm->write_protect_seq, which FOLL_PIN GUP-fast reads before and after
// its walk. The race is row U1.e of the seed catalog, so the bug reuses gup-fast-pin-vs-fork with
// the kernel of that time (v5.10: mm->has_pinned and page_maybe_dma_pinned() in
// copy_present_page(), reuse at page_count() 1 in do_wp_page()).
import type { Bug } from './bug.ts';
import { gupForkScenario } from '../scenarios/gup-fast.ts';

export const B8: Bug = {
  id: 'B8',
  commit: '57efa1fe5957',
  subject: 'mm/gup: prevent gup_fast from racing with COW during fork',
  fixes: 'f3c64eda3e50',
  year: 2020,
  protocol: 'GUP-fast FOLL_PIN vs fork (write_protect_seq)',
  breaks: 'A pinned page loses exclusivity; the parent\'s next write copies away from it (I15)',
  variants: [
    { role: 'pre-fix', scenario: gupForkScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: gupForkScenario, variant: 'fixed' },
  ],
};
