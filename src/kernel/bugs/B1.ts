// B1: mm/khugepaged: fix GUP-fast interaction by sending IPI (2ba99c5e0881). GUP-fast rechecks the
// PMD after its grab (70cbc3cc78a9) but still needs the table it walks to stay allocated: anon
// collapse turns the old table into the huge PMD's deposit, which zap_deposited_table() frees with
// a plain pte_free(), so khugepaged must wait for IRQs-off walkers (an IPI) after clearing the PMD.
// The same commit added the IPI before the direct pte_free() of the file path
// (collapse_and_free_pmd(), catalog row table-free-vs-gup-fast / immediate-pte-free, U3.a).
import type { Bug } from './bug.ts';
import { collapseTableFreeScenario } from '../scenarios/bugs/khugepaged.ts';

export const B1: Bug = {
  id: 'B1',
  commit: '2ba99c5e0881',
  subject: 'mm/khugepaged: fix GUP-fast interaction by sending IPI',
  fixes: 'ba76149f47d8',
  year: 2022,
  protocol: 'GUP-fast vs collapse; tlb_remove_table / RCU table free',
  breaks: 'Use-after-free of a page table (I1)',
  variants: [
    { role: 'pre-fix', scenario: collapseTableFreeScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: collapseTableFreeScenario, variant: 'fixed' },
  ],
};
