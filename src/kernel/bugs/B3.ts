// B3: mm: fix race between __split_huge_pmd_locked() and GUP-fast (3a5a8d343e1c). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B3: Bug = {
  id: 'B3',
  commit: '3a5a8d343e1c',
  subject: 'mm: fix race between __split_huge_pmd_locked() and GUP-fast',
  fixes: '84c3fc4e9c56',
  year: 2024,
  protocol: 'THP split vs lockless walkers (pmdp_invalidate)',
  breaks: 'Lockless walker treats a non-present entry as present: bogus page / refcount on a wrong folio (I8, I3); corrupted migration entry',
  variants: [],
  notModelled: 'not modelled yet',
};
