// B2: mm: gup: fix the fast GUP race against THP collapse (70cbc3cc78a9, 2022). GUP-fast, already
// in the PTE table, pinned a page after khugepaged had cleared the PMD and checked the page for
// pins; its PTE recheck still passed (the detached table is unchanged), so it returned a page the
// collapse then copied away. The fix rechecks the PMD too. The same race as seed row U1.c = U8.a
// (gup-fast-vs-collapse): pre-fix is its no-pmd-recheck variant, fixed the v6.0 code (the PMD
// recheck, before 2ba99c5e0881 added khugepaged's IPI: B1).
import type { Bug } from './bug.ts';
import { gupCollapseScenario } from '../scenarios/gup-fast.ts';

export const B2: Bug = {
  id: 'B2',
  commit: '70cbc3cc78a9',
  subject: 'mm: gup: fix the fast GUP race against THP collapse',
  fixes: '2667f50e8b81',
  year: 2022,
  protocol: 'GUP-fast PMD recheck vs THP collapse',
  breaks: 'GUP returns a page no longer mapped (I8); writes through the pin are lost (I10)',
  variants: [
    { role: 'pre-fix', scenario: gupCollapseScenario, variant: 'no-pmd-recheck' },
    { role: 'fixed', scenario: gupCollapseScenario, variant: 'collapse-without-ipi' },
  ],
};
