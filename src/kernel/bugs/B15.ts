// B15: mm/migrate_device.c: flush TLB while holding PTL (60bae7370896). A neighbour of seed row U7.c,
// not the same race (U7.c is migration's copy racing its own deferred flush), so it has a scenario
// of its own, migrate-vma-vs-madvise-dontneed, with the madvise(MADV_DONTNEED) zap path of
// mm/madvise.ts.
import type { Bug } from './bug.ts';
import { migrateVmaDontneedScenario } from '../scenarios/bugs/migrate-device.ts';

export const B15: Bug = {
  id: 'B15',
  commit: '60bae7370896',
  subject: 'mm/migrate_device.c: flush TLB while holding PTL',
  fixes: '8c3328f1f36a',
  year: 2022,
  protocol: 'device migration (migrate_vma_collect_pmd) vs madvise(MADV_DONTNEED)',
  breaks: 'A stale TLB entry outlives the MADV_DONTNEED that zapped the page (I16)',
  variants: [
    { role: 'pre-fix', scenario: migrateVmaDontneedScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: migrateVmaDontneedScenario, variant: 'fixed' },
  ],
};
