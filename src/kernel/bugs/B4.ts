// B4: mm/hugetlb_vmemmap: fix race with speculative PFN walkers (bd225530a4c7). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B4: Bug = {
  id: 'B4',
  commit: 'bd225530a4c7',
  subject: 'mm/hugetlb_vmemmap: fix race with speculative PFN walkers',
  fixes: null,
  year: 2024,
  protocol: 'HVO vs speculative refcount walkers',
  breaks: 'Write to read-only struct-page memory (I2)',
  variants: [],
  notModelled: 'not modelled yet',
};
