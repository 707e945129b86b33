// B14: mm/migrate_device.c: copy pte dirty bit to page (fd35ca3d12cc). migrate_vma_collect_pmd()
// replaced a dirty PTE with a migration entry without moving the dirty bit to the folio; when the
// device migration failed the PTE came back clean and reclaim dropped the page without writing it
// to swap. The race is row U7.e of the seed catalog, so the bug reuses migrate-vma-dirty-bit:
// drop-dirty-bit is the code before the fix (v5.19–v6.0), fixed the code right after it.
import type { Bug } from './bug.ts';
import { migrateDirtyScenario } from '../scenarios/migrate.ts';

export const B14: Bug = {
  id: 'B14',
  commit: 'fd35ca3d12cc',
  subject: 'mm/migrate_device.c: copy pte dirty bit to page',
  fixes: '8c3328f1f36a',
  year: 2022,
  protocol: 'device migration (migrate_vma_collect_pmd) vs the MMU\'s dirty bit and reclaim',
  breaks: 'Lost dirty bit, then a lost write when reclaim drops the page as clean (I10)',
  variants: [
    { role: 'pre-fix', scenario: migrateDirtyScenario, variant: 'drop-dirty-bit' },
    { role: 'fixed', scenario: migrateDirtyScenario, variant: 'fixed' },
  ],
};
