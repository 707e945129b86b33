// B3: mm: fix race between __split_huge_pmd_locked() and GUP-fast (3a5a8d343e1c, 2024). Not
// modelled, for the reason below (from reading the arm64 and x86 code; no scenario was built).
// In full: pmdp_invalidate() of a migration-entry PMD makes arm64's pmd_present() true
// (PMD_PRESENT_INVALID), but GUP-fast, the walker the commit names ("appears to be"), then reaches
// gup_fast_pmd_leaf(), whose pmd_access_permitted() requires PTE_VALID (arm64
// pte_access_permitted_no_overlay()), which pmd_mkinvalid() has cleared: it backs off before taking
// any reference. On x86 the entry stays non-present (GUP-fast bails at !pmd_present()), and the
// corrupted swap offset lives only under the PMD lock until pmd_populate() replaces it, while
// __split_huge_pmd_locked() builds the PTEs from the old value pmdp_invalidate() returned. The
// other lockless PMD readers (__pte_offset_map(), follow_pmd_mask(), page_vma_mapped_walk()) treat
// it as a huge PMD and recheck under the PMD lock, or (hmm_vma_walk_pmd()) retry on the mmu
// notifier the split raises.
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
  notModelled: 'read against the code (no scenario built), the pre-fix code gives no lockless walker a wrong value ' +
    'to act on: arm64 pmd_present() is true on the invalidated migration PMD, but GUP-fast then fails ' +
    'pmd_access_permitted() (it needs PTE_VALID, which pmd_mkinvalid() cleared); on x86 the entry stays non-present ' +
    'and its corrupted offset is overwritten under the PMD lock. The commit: found by review, no reproducer',
};
