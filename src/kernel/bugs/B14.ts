// B14: mm/migrate_device.c: copy pte dirty bit to page (fd35ca3d12cc). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B14: Bug = {
  id: 'B14',
  commit: 'fd35ca3d12cc',
  subject: 'mm/migrate_device.c: copy pte dirty bit to page',
  fixes: '8c3328f1f36a',
  year: 2022,
  protocol: 'migration (migrate_vma_collect_pmd)',
  breaks: 'Lost dirty bit, then lost data (I10)',
  variants: [],
  notModelled: 'not modelled yet',
};
