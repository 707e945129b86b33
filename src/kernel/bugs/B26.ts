// B26: mm: Close races between THP migration and PMD numa clearing (3f926ab945b6). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
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
  notModelled: 'not modelled yet',
};
