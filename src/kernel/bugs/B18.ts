// B18: mm/hugetlb: fix huge_pmd_unshare() vs GUP-fast race (1013af4f585f). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B18: Bug = {
  id: 'B18',
  commit: '1013af4f585f',
  subject: 'mm/hugetlb: fix huge_pmd_unshare() vs GUP-fast race',
  fixes: '39dde65c9940',
  year: 2025,
  protocol: 'GUP-fast vs page-table sharing / freeing (hugetlb)',
  breaks: 'Walk through a table no longer owned by this mm (I1 generalised to "table identity")',
  variants: [],
  notModelled: 'not modelled yet',
};
