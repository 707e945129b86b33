// B10: mm: pmd_read_atomic: fix 32bit PAE pmd walk vs pmd_populate SMP race condition
// (26c191788f18, 2012, CVE-2012-2373). mincore() read a PAE *pmd as two 32-bit loads (high word
// first) while a page fault populated it: the torn value was used as a PTE table pointer.
import type { Bug } from './bug.ts';
import { pmdReadAtomicScenario } from '../scenarios/bugs/pmd-read-atomic.ts';

export const B10: Bug = {
  id: 'B10',
  commit: '26c191788f18',
  subject: 'mm: pmd_read_atomic: fix 32bit PAE pmd walk vs pmd_populate SMP race condition',
  fixes: null,
  year: 2012,
  protocol: 'ptep_get_lockless / PAE (PMD level)',
  breaks: 'Torn PMD read used as a table pointer (I13, then I1)',
  variants: [
    { role: 'pre-fix', scenario: pmdReadAtomicScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: pmdReadAtomicScenario, variant: 'fixed' },
  ],
};
