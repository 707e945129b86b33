// B15: mm/migrate_device.c: flush TLB while holding PTL (60bae7370896). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B15: Bug = {
  id: 'B15',
  commit: '60bae7370896',
  subject: 'mm/migrate_device.c: flush TLB while holding PTL',
  fixes: '8c3328f1f36a',
  year: 2022,
  protocol: 'migration vs madvise(MADV_DONTNEED)',
  breaks: 'Stale TLB after return (I16)',
  variants: [],
  notModelled: 'not modelled yet',
};
