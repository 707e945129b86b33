// B17: mm: userfaultfd: fix race of userfaultfd_move and swap cache (0ea148a79919). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B17: Bug = {
  id: 'B17',
  commit: '0ea148a79919',
  subject: 'mm: userfaultfd: fix race of userfaultfd_move and swap cache',
  fixes: 'adef440691ba',
  year: 2025,
  protocol: 'userfaultfd move; swap-cache lookup',
  breaks: 'ABA on the swap entry: the wrong folio gets moved; rss corruption, BUG_ON',
  variants: [],
  notModelled: 'not modelled yet',
};
