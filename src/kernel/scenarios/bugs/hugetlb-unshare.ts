// B18 (1013af4f585f, 2025): a hugetlb PMD table shared by two mms. Process A's GUP-fast reads A's
// PUD (the shared table S) with IRQs off; another thread of A unmaps the range, and
// huge_pmd_unshare() clears A's PUD and drops A's share of S; B, now S's only user, unmaps its
// hugetlb page and maps something else there (an anon THP). A's GUP-fast, still walking S, finds
// B's page in it and returns it for A's address. The fix: tlb_remove_table_sync_one() in
// huge_pmd_unshare() after pud_clear(), as khugepaged does before it frees a table.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { folio_put, newFolio } from '../../include/linux/page_ref.ts';
import { folio_alloc } from '../../include/linux/gfp.ts';
import { PMD_NONE, newPmdTable, pmd_leaf, pud_table } from '../../include/linux/pgtable.ts';
import { newMm } from '../../mm/mm.ts';
import { gup_fast, put_page } from '../../mm/gup.ts';
import { huge_pmd_unshare, huge_ptep_get_and_clear } from '../../mm/hugetlb.ts';
import { variants, type Scenario } from '../../scenario.ts';
import { I8 } from '../../invariants.ts';
import { i_mmap_lock_write, i_mmap_unlock_write, newAddressSpaceRmap } from '../../include/linux/fs.ts';

type Knob = 'pre-fix' | 'fixed';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const H = newFolio(b, 'H', 9, 3); // the hugetlbfs page: page cache + A's and B's mappings
    const X = newFolio(b, 'X', 17, 0); // the page B maps there afterwards (free for now)
    const S = newPmdTable(b, 1, [pmd_leaf(9)], 1); // A and B share S: one extra sharer
    const A = newMm(b, PMD_NONE, [], [H, X], { pud: pud_table(1), pmdTables: [S], name: 'A' });
    const F = newAddressSpaceRmap(b, 'F'); // the hugetlbfs file's mapping: its i_mmap_rwsem
    const syncOne = knob !== 'pre-fix';
    b.thread('CPU0', function* (t: Ctx) {
      // A thread of A: get_user_pages_fast() on the hugetlb address.
      const g = yield* gup_fast(t, cpus.cpu[0], A, 0, { write: false });
      if (g) {
        yield t.assert(g.folio === H, I8, () => `gup_fast in A returns page ${g.page} (${g.folio.name}), which A never mapped: it walked ${S.name} after huge_pmd_unshare() gave ${S.name} to B`);
        yield* put_page(t, A, g);
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      // Another thread of A: munmap() of the range -> __unmap_hugepage_range() -> huge_pmd_unshare().
      yield* i_mmap_lock_write(t, F); // (and the hugetlb VMA lock)
      yield* huge_pmd_unshare(t, cpus, cpus.cpu[1], A.pud!, S, { syncOne });
      yield* i_mmap_unlock_write(t, F);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // B, once S is its own: munmap() of its hugetlb range clears the entry in place, then an
      // anon THP fault in a new mapping there installs X.
      yield* i_mmap_lock_write(t, F);
      const shared = yield t.load(S.pt_share_count);
      if (shared !== 0) { yield* i_mmap_unlock_write(t, F); yield t.assume(false); return; } // B would unshare itself: nothing to see
      yield* huge_ptep_get_and_clear(t, S, 0);
      yield* folio_put(t, H); // B's mapping of H
      yield* i_mmap_unlock_write(t, F);
      yield t.assume(yield* folio_alloc(t, X));
      yield t.store(S.entries[0], pmd_leaf(17)); // do_huge_pmd_anonymous_page() -> set_pmd_at()
    });
  };
}

export const hugetlbUnshareScenario: Scenario = {
  name: 'gup-fast-vs-huge-pmd-unshare',
  description: 'GUP-fast walking a hugetlb PMD table that huge_pmd_unshare() hands to the other mm sharing it (B18, 1013af4f585f)',
  seed: '003', section: '§3',
  variants: variants<Knob>('gup-fast-vs-huge-pmd-unshare', make, [
    { name: 'pre-fix', ref: '§3', expected: 'I8', commit: '1013af4f585f', fixes: '39dde65c9940', kernels: 'v2.6.20–v6.15',
      description: 'huge_pmd_unshare(): pud_clear(), then drop the share; the other mm may reuse S at once while A\'s GUP-fast still walks it' },
    { name: 'fixed', ref: '§3', expected: 'ok', commit: '1013af4f585f', fixes: '39dde65c9940', kernels: 'v6.16–v6.18',
      description: 'huge_pmd_unshare(): pud_clear(), tlb_remove_table_sync_one() (waits for IRQs-off GUP-fast in A), then drop the share' },
  ]),
};
