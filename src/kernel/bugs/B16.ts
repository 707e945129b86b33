// B16: mm/sparsemem: fix race in accessing memory_section->usage (5ec8e8ea8b77). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B16: Bug = {
  id: 'B16',
  commit: '5ec8e8ea8b77',
  subject: 'mm/sparsemem: fix race in accessing memory_section->usage',
  fixes: 'f46edbd1b151',
  year: 2024,
  protocol: 'memory hot-remove vs pfn_valid walkers',
  breaks: 'Use-after-free of section metadata (I2-like)',
  variants: [],
  notModelled: 'not modelled yet',
};
