// B26: mm: Close races between THP migration and PMD numa clearing (3f926ab945b6, Mel Gorman, 2013,
// v3.12). Not modelled, and not for lack of objects: the code before the fix is not available to
// check against. Read: the commit message (task A unlocks the page and goes to clear_pmdnuma, task
// B locks it and migrates, A's set_pmd_at() then writes over the PMD B is migrating; "while I have
// no direct evidence, I suspect something like the race above happened") and the mm/migrate.c half
// of the diff (stable copies). Not found: the mm/huge_memory.c half and the do_huge_pmd_numa_page()
// it changed (the v3.12-rc code after the series' ff9042b11a71 and b8916634b77b). In the v3.12-era
// code that could be reconstructed, task A holds the page-table lock from its pmd_same() check
// through set_pmd_at(), and task B's migrate_misplaced_transhuge_page() rechecks pmd_same() under
// that lock before installing the new PMD, which catches A's pmd_mknonnuma() — so the drawn
// interleaving would have to be invented, not taken from the code.
import type { Bug } from './bug.ts';

export const B26: Bug = {
  id: 'B26',
  commit: '3f926ab945b6',
  subject: 'mm: Close races between THP migration and PMD numa clearing',
  fixes: null,
  year: 2013,
  protocol: 'THP migration vs NUMA-hinting fault',
  breaks: 'Lost or stale PMD during THP migration (I10 / I11)',
  variants: [],
  notModelled: 'the pre-fix do_huge_pmd_numa_page() (v3.12-rc, mm/huge_memory.c half of the diff) could not be read; in the code that could be reconstructed, A holds the PTL from pmd_same() to set_pmd_at() and B rechecks pmd_same() under it, so the commit\'s diagram (which its author calls unconfirmed) does not follow from code we can check',
};
