// B18: mm/hugetlb: fix huge_pmd_unshare() vs GUP-fast race (1013af4f585f, 2025). A hugetlb PMD
// table shared by two mms: huge_pmd_unshare() handed it to the other mm while this mm's GUP-fast
// still walked it, and GUP-fast returned the other mm's page.
import type { Bug } from './bug.ts';
import { hugetlbUnshareScenario } from '../scenarios/bugs/hugetlb-unshare.ts';

export const B18: Bug = {
  id: 'B18',
  commit: '1013af4f585f',
  subject: 'mm/hugetlb: fix huge_pmd_unshare() vs GUP-fast race',
  fixes: '39dde65c9940',
  year: 2025,
  protocol: 'GUP-fast vs page-table sharing / freeing (hugetlb)',
  breaks: 'Walk through a table no longer owned by this mm: GUP returns a page this mm never mapped (I8)',
  variants: [
    { role: 'pre-fix', scenario: hugetlbUnshareScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: hugetlbUnshareScenario, variant: 'fixed' },
  ],
};
