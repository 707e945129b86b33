// B2: mm: gup: fix the fast GUP race against THP collapse (70cbc3cc78a9). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B2: Bug = {
  id: 'B2',
  commit: '70cbc3cc78a9',
  subject: 'mm: gup: fix the fast GUP race against THP collapse',
  fixes: '2667f50e8b81',
  year: 2022,
  protocol: 'GUP-fast PMD recheck vs THP collapse',
  breaks: 'GUP returns a page no longer mapped (I8); writes through the pin are lost (I10)',
  variants: [],
  notModelled: 'not modelled yet',
};
