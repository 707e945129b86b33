// Bug-history scenarios of khugepaged: B19, collapse_pte_mapped_thp() retracting a table without
// the locks under which rmap walks run (8d3c106e19e8), and B1, an anon collapse whose old table
// (the deposit) is later freed with pte_free() while GUP-fast is still inside it (2ba99c5e0881).
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { alloc_pages } from '../../include/linux/gfp.ts';
import { newFolio } from '../../include/linux/page_ref.ts';
import { PTE_NONE, newPageZero, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_table } from '../../include/linux/pgtable.ts';
import { newAddressSpaceRmap } from '../../include/linux/fs.ts';
import { newVma } from '../../include/linux/mm_types.ts';
import { mmap_write_trylock, mmap_write_unlock, newMmapLock } from '../../include/linux/mmap_lock.ts';
import { newMm } from '../../mm/mm.ts';
import { collapse_huge_page, collapse_pte_mapped_thp_v6_1, newCollapseRange } from '../../mm/khugepaged.ts';
import { zap_huge_pmd } from '../../mm/huge_memory.ts';
import { gup_fast, put_page } from '../../mm/gup.ts';
import { unmap_mapping_range } from '../../mm/memory.ts';
import { rmap_walk_anon } from '../../mm/rmap.ts';
import { newAnonVma } from '../../include/linux/rmap.ts';
import { variants, type Scenario } from '../../scenario.ts';

// ---------------------------------------------------------------- B19: retract vs rmap walk
// Two walks may be inside the table: a file rmap walk (truncation, i_mmap_rwsem shared) on a
// shared mapping, and — on a MAP_PRIVATE mapping whose anon_vma a child shares after fork — an
// anon rmap walk of a page the child COWed (anon_vma lock shared). The fix excludes the first with
// i_mmap_rwsem and the second by skipping VMAs with an anon_vma.
type B19Knob = 'pre-fix' | 'fixed' | 'i-mmap-lock-only' | 'fixed-anon-vma';

function makeB19(knob: B19Knob | undefined) {
  return (b: Builder) => {
    const anonWalk = knob === 'i-mmap-lock-only' || knob === 'fixed-anon-vma';
    const F = newAddressSpaceRmap(b, 'F');
    // The file's huge folio (pfn 9) in the page cache, still mapped by a PTE at the VMA's range:
    // refcount 2 = page cache + that mapping.
    const HP = newFolio(b, 'HP', 9, 2);
    const T1 = newPageTable(b, 1, [mk_pte(9, _PAGE_PRESENT)]);
    const mm = { ...newMm(b, pmd_table(1), [newPageZero(b), T1], [HP]), mmap_lock: newMmapLock(b, 'mm') };
    const av = anonWalk ? newAnonVma(b, 'anon_vma') : undefined;
    const vma = newVma(b, 'vma', { mm, file: F, shared: !anonWalk, av, anonVmaSet: anonWalk });
    b.thread('CPU0', function* (t: Ctx) {
      if (av) {
        // reclaim's folio_referenced() of a page (pfn 5) a forked child COWed from this range: the
        // anon rmap walk visits the parent's VMA too (the child's own VMA is not modelled).
        yield* rmap_walk_anon(t, av, 5);
      } else {
        // truncate(2) / fallocate(PUNCH_HOLE): truncate_pagecache() -> unmap_mapping_range(),
        // under i_mmap_rwsem shared only (no mmap lock, no folio lock yet).
        yield* unmap_mapping_range(t, F, 0);
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      // khugepaged_collapse_pte_mapped_thps(): mmap_write_trylock(), then collapse_pte_mapped_thp().
      if (!(yield* mmap_write_trylock(t, mm))) return;
      const locks = knob !== 'pre-fix';
      yield* collapse_pte_mapped_thp_v6_1(t, vma, HP, { locks, anonVma: locks && knob !== 'i-mmap-lock-only' });
      yield* mmap_write_unlock(t, mm);
    });
  };
}

export const retractRmapScenario: Scenario = {
  name: 'collapse-pte-mapped-thp-vs-rmap-walk',
  description: 'khugepaged retracting a file THP\'s PTE table (collapse_pte_mapped_thp) while an rmap walk is inside it: truncation through the file\'s i_mmap, or an anon walk through the VMA\'s anon_vma (B19)',
  seed: '001', section: '§4',
  variants: variants<B19Knob>('collapse-pte-mapped-thp-vs-rmap-walk', makeB19, [
    { name: 'pre-fix', ref: '§4', expected: 'I1', commit: '8d3c106e19e8', fixes: '27e1f8273113', kernels: 'v5.4–v6.0',
      description: 'collapse_pte_mapped_thp() retracts and pte_free()s the table under the mmap lock and the PMD lock only: unmap_mapping_range(), under i_mmap_rwsem shared, is still inside it' },
    { name: 'fixed', ref: '§4', expected: 'ok', commit: '8d3c106e19e8', fixes: '27e1f8273113', kernels: 'v6.1–v6.4',
      description: 'i_mmap_rwsem taken for write across the check and the retraction: no file rmap walk can be inside the table' },
    { name: 'i-mmap-lock-only', ref: '§4', expected: 'I1', commit: '8d3c106e19e8', fixes: '27e1f8273113', kernels: 'half of 8d3c106e19e8 (no kernel shipped it)',
      description: 'the fix\'s locking without its anon_vma check, on a MAP_PRIVATE mapping whose anon_vma a child shares: an anon rmap walk (anon_vma lock shared) is still inside the table' },
    { name: 'fixed-anon-vma', ref: '§4', expected: 'ok', commit: '8d3c106e19e8', fixes: '27e1f8273113', kernels: 'v6.1–v6.4',
      description: 'the whole fix on that mapping: a VMA with an anon_vma is skipped (SCAN_VMA_CHECK), so the table stays' },
  ]),
};

// ---------------------------------------------------------------- B1: the deposited table freed under GUP-fast
type B1Knob = 'pre-fix' | 'fixed';

function makeB1(knob: B1Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const range = newCollapseRange(b);
    const { mm } = range;
    const Q = newFolio(b, 'Q', 7, 1); // whatever page the reused table's bytes happen to name
    mm.folios.push(Q);
    b.thread('CPU0', function* (t: Ctx) {
      const g = yield* gup_fast(t, cpus.cpu[0], mm, 0, { write: true });
      if (g) yield* put_page(t, mm, g);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // khugepaged (the TLB flush is a broadcast: no IPI of its own) ...
      const cpu = cpus.cpu[1];
      const collapsed = yield* collapse_huge_page(t, cpus, cpu, range, 0, knob === 'fixed' ? 'v6.1' : 'v6.0');
      // ... then, on the same CPU, the process munmap()s the range: zap_huge_pmd() frees the
      // deposited table at once. (If the collapse backed off, the range is still mapped by the
      // table, which munmap frees through mmu_gather's RCU table freeing: not modelled.)
      if (collapsed) yield* zap_huge_pmd(t, mm, range.pmd);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // The page allocator hands the freed table page to a new owner, who fills it.
      yield* alloc_pages(t, range.T, mk_pte(7, _PAGE_PRESENT | _PAGE_RW));
    });
  };
}

export const collapseTableFreeScenario: Scenario = {
  name: 'gup-fast-vs-collapse-table-free',
  description: 'GUP-fast inside a PTE table that anon THP collapse deposits and munmap then frees with pte_free() (B1)',
  seed: '003', section: '§3',
  variants: variants<B1Knob>('gup-fast-vs-collapse-table-free', makeB1, [
    { name: 'pre-fix', ref: '§3', expected: 'I1', commit: '2ba99c5e0881', fixes: 'ba76149f47d8', kernels: 'v6.0 (the race since v2.6.38)',
      description: 'collapse_huge_page() without tlb_remove_table_sync_one(): GUP-fast read the PMD before the clear; its PMD recheck comes too late, the deposited table is zapped, freed and reused under it' },
    { name: 'fixed', ref: '§3', expected: 'ok', commit: '2ba99c5e0881', fixes: 'ba76149f47d8', kernels: 'v6.1–v6.4',
      description: 'tlb_remove_table_sync_one() after pmdp_collapse_flush(): the IPI waits for the IRQs-off walker, so no walker is inside the table when it becomes the deposit' },
  ]),
};
