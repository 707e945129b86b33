// The reverse map (mm/rmap.c, mm/page_vma_mapped.c): attaching an anon_vma to a VMA before its
// first anonymous page is mapped there, and the anon rmap walk of a page; the anon rmap of
// swap-cache folios (add, remove, move) and try_to_unmap_one()'s swap-out branch. Khugepaged's page-table retraction reads vma->anon_vma to skip MAP_PRIVATE VMAs
// that were written to, and rechecks it under the PTL because anon_vma_prepare() can run
// concurrently (userfaultfd ioctls hold neither the mmap lock for write nor i_mmap_rwsem).
//
// Unmapping a folio for migration (mm/rmap.c try_to_migrate, try_to_migrate_one,
// folio_remove_rmap_pte; docs/design/protocols.md §7): under the PTL the PTE is cleared (with the
// TLB flush, or batched for later), a maybe-pinned exclusive anon page makes the unmap back off
// before anything else is decided (folio_try_share_anon_rmap_pte()), otherwise a migration entry
// that remembers write / AnonExclusive / dirty replaces the PTE and the mapping's reference goes.
// The model has one PTE per folio; the page_vma_mapped_walk() over the rmap is that one PTE.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import { kernelFunction } from '../kfn.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import {
  anon_vma_lock_read, anon_vma_lock_write, anon_vma_unlock_read, anon_vma_unlock_write, type AnonVma,
  folio_try_share_anon_rmap_pte, page_try_share_anon_rmap, EBUSY,
} from '../include/linux/rmap.ts';
import { PTE_NONE, pmd_is_table, pmd_table_id, pte_dirty, pte_pfn, pte_present, type PageTable } from '../include/linux/pgtable.ts';
import { table } from './mm.ts';
import type { Mm } from './mm.ts';
import { I18 } from '../invariants.ts';
import { migrationEntryFor, pte_swp_mkexclusive, swp_entry_to_pte } from '../include/linux/swapops.ts';
import { set_pte_at } from './pgtable-generic.ts';
import type { AnonIdentity, SwapFolio } from './swap_state.ts';
import { swap_duplicate, type SwapInfo } from './swapfile.ts';
import { lockPtl } from './pgtable-generic.ts';
import { folio_put, type Folio } from '../include/linux/page_ref.ts';
import { PageAnonExclusive, ClearPageAnonExclusive } from '../include/linux/page-flags.ts';
import { isAnon } from '../include/linux/mm.ts';

/**
 * __anon_vma_prepare() (anon_vma_prepare() when vma->anon_vma is NULL): under the anon_vma lock
 * and mm->page_table_lock, link the VMA to its anon_vma and set vma->anon_vma. The anon_vma
 * chain allocation and find_mergeable_anon_vma() are left out.
 */
export const anon_vma_prepare = kernelFunction({
  name: '__anon_vma_prepare', file: 'mm/rmap.c', version: 'v5.4–v6.18', note: 'allocation and merging not modelled',
}, function* (t: Ctx, vma: Vma, page_table_lock: Loc): ThreadGen<void> {
  if (yield t.load(vma.anon_vma)) return; // anon_vma_prepare(): already there
  if (vma.av) yield* anon_vma_lock_write(t, vma.av);
  yield t.lock(page_table_lock); // "page_table_lock to protect against threads"
  if (!(yield t.load(vma.anon_vma))) yield t.store(vma.anon_vma, 1);
  yield t.unlock(page_table_lock);
  if (vma.av) yield* anon_vma_unlock_write(t, vma.av);
});

/**
 * page_vma_mapped_walk() of v6.0 for a small page at the VMA's address (mm/page_vma_mapped.c):
 * READ_ONCE(*pmd); a present table is mapped with pte_offset_map() — no RCU, no recheck: the
 * caller's rmap lock is what keeps the table — and the PTE peeked at before pte_lockptr() and
 * spin_lock(). Returns whether the PTE maps `pfn` (the lock is dropped again here).
 */
export const page_vma_mapped_walk_v6_0 = kernelFunction({
  name: 'page_vma_mapped_walk', file: 'mm/page_vma_mapped.c', version: 'v5.x–v6.4', note: 'one PTE, not PVMW_SYNC',
}, function* (t: Ctx, vma: Vma, pfn: number): ThreadGen<boolean> {
  const mm = vma.mmAtPmd;
  const pmde = yield t.load(mm.pmd);
  if (!pmd_is_table(pmde)) return false;
  const T = table(mm, pmd_table_id(yield t.load(mm.pmd))); // map_pte(): pte_offset_map(pvmw->pmd)
  const pte = yield t.load(T.entries[0]);
  if (!pte_present(pte)) return false;
  const ptl = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_lockptr(vma->vm_mm, pvmw->pmd)
  yield* lockPtl(t, ptl);
  const found = pte_pfn(yield t.load(T.entries[0])) === pfn; // check_pte()
  yield t.unlock(ptl.ptl);
  return found;
});

/**
 * rmap_walk_anon() of an anonymous page (e.g. folio_referenced() or try_to_unmap() of a page a
 * child COWed): anon_vma lock shared, then every VMA linked to the anon_vma — including MAP_PRIVATE
 * file VMAs of the parent, whose page tables it walks at the page's address.
 */
export const rmap_walk_anon = kernelFunction({ name: 'rmap_walk_anon', file: 'mm/rmap.c', version: 'v5.x–v6.4', note: 'the walk only (no rmap_one action)' },
  function* (t: Ctx, av: AnonVma, pfn: number): ThreadGen<void> {
    yield* anon_vma_lock_read(t, av);
    for (const vma of av.vmas) yield* page_vma_mapped_walk_v6_0(t, vma, pfn);
    yield* anon_vma_unlock_read(t, av);
  });

/**
 * folio_remove_rmap_pte(): the mapping goes from the rmap: the page's mapcount drops
 * (atomic_add_negative(-1, &page->_mapcount), a value-returning atomic: fully ordered), where the
 * scenario models it; the reference goes with the folio_put() after it.
 */
export const folio_remove_rmap_pte = kernelFunction({ name: 'folio_remove_rmap_pte', file: 'mm/rmap.c', version: 'v6.8–v6.18', note: 'page_remove_rmap() before v6.8; one PTE of an order-0 folio; the mapcount only where a scenario models it' },
  function* (t: Ctx, f: Folio): ThreadGen<void> {
    if (f._mapcount !== undefined) yield t.fetchAdd(f._mapcount, -1);
  });

const V = 'v5.19–v6.18';

/** How try_to_migrate_one() unmaps: the kernel's variants and the changes the catalog makes. */
export interface MigrateUnmapOpts {
  /**
   * The TLB flush of ptep_clear_flush(), run under the PTL right after the clear. Without it the
   * PTE is cleared with ptep_get_and_clear() and the flush is batched (TTU_BATCH_FLUSH:
   * set_tlb_ubc_flush_pending(), flushed later by try_to_unmap_flush()).
   */
  flush?: () => ThreadGen<void>;
  /** folio_mark_dirty() target: PG_dirty, set when the cleared PTE was dirty. */
  pgDirty?: Loc;
  /** page_try_share_anon_rmap() of v5.19–v6.0, before 088b8aa537c2: no barriers. */
  noShareBarriers?: boolean;
  /**
   * A change a patch could make (point 4 of the fidelity review): PageAnonExclusive cleared
   * without folio_try_share_anon_rmap_pte()'s "maybe pinned?" check, leaving a pinned page to
   * __migrate_folio()'s later refcount check.
   */
  ignorePins?: boolean;
}

/**
 * try_to_migrate_one() of `folio` mapped at T[idx]: returns false if it backed off (the PTE is
 * restored: a maybe-pinned AnonExclusive page), true otherwise (a migration entry replaced the
 * PTE, or the PTE did not map the folio).
 */
export const try_to_migrate_one = kernelFunction({ name: 'try_to_migrate_one', file: 'mm/rmap.c', version: V, note: 'one PTE of an order-0 folio; not hugetlb, not device-private' },
  function* (t: Ctx, T: PageTable, idx: number, folio: Folio, opts: MigrateUnmapOpts = {}): ThreadGen<boolean> {
    yield t.lock(T.ptl); // page_vma_mapped_walk()
    const cur = yield t.load(T.entries[idx]);
    if (!pte_present(cur) || pte_pfn(cur) !== folio.pfn) { yield t.unlock(T.ptl); return true; }
    const anonExclusive = isAnon(folio) && (yield* PageAnonExclusive(t, folio));
    // Nuke the page table entry: ptep_get_and_clear() (a relaxed xchg: the generic and the arm64
    // code order nothing by it), followed by the flush for ptep_clear_flush(); with the flush
    // deferred, set_tlb_ubc_flush_pending() leaves it to the caller.
    const pteval = yield t.xchg(T.entries[idx], 0, Mode.Relaxed);
    if (opts.flush) yield* opts.flush();
    if (pte_dirty(pteval) && opts.pgDirty !== undefined) yield t.store(opts.pgDirty, 1); // folio_mark_dirty()
    if (anonExclusive && isAnon(folio)) {
      // "See folio_try_share_anon_rmap_pte(): clear PTE first."
      let rc = 0;
      if (opts.ignorePins) yield* ClearPageAnonExclusive(t, folio);
      else if (opts.noShareBarriers) rc = yield* page_try_share_anon_rmap(t, folio, { noBarriers: true });
      else rc = yield* folio_try_share_anon_rmap_pte(t, folio);
      if (rc === EBUSY) {
        yield t.store(T.entries[idx], pteval); // set_pte_at(mm, address, pvmw.pte, pteval)
        yield t.unlock(T.ptl);
        return false;
      }
    }
    yield t.store(T.entries[idx], migrationEntryFor(folio.pfn, pteval, anonExclusive, true)); // set_pte_at(swp_pte)
    yield* folio_remove_rmap_pte(t, folio);
    yield* folio_put(t, folio);
    yield t.unlock(T.ptl); // page_vma_mapped_walk_done()
    return true;
  });

/** try_to_migrate(): rmap_walk() over the folio's mappings, here the one PTE; true if it is unmapped. */
export const try_to_migrate = kernelFunction({ name: 'try_to_migrate', file: 'mm/rmap.c', version: V, note: 'the rmap walk reaches the one PTE' },
  (t: Ctx, T: PageTable, idx: number, folio: Folio, opts: MigrateUnmapOpts = {}): ThreadGen<boolean> => try_to_migrate_one(t, T, idx, folio, opts));

// ---------------------------------------------------------------- anon rmap of swap-cache folios

/**
 * __folio_add_anon_rmap() of one PTE (folio_add_anon_rmap_pte(), v6.8–v6.15): the mapcount goes
 * up; a folio that is not anon yet (a new swap-in) gets the VMA's identity (__folio_set_anon()),
 * and an anon one is checked against it (__page_check_anon_rmap(): VM_BUG_ON_PAGE(page_pgoff !=
 * linear_page_index(vma, address)) under CONFIG_DEBUG_VM) — the BUG that c50f8e6053b0 reports,
 * an I18 violation here.
 */
export const folio_add_anon_rmap_pte = kernelFunction({
  name: 'folio_add_anon_rmap_pte', file: 'mm/rmap.c', version: 'v6.8–v6.15', note: 'an order-0 folio; __folio_add_anon_rmap() inlined',
}, function* (t: Ctx, folio: SwapFolio, vma: AnonIdentity): ThreadGen<void> {
  yield t.fetchAdd(folio._mapcount, 1); // atomic_inc_and_test(&page->_mapcount): value-returning, fully ordered
  if (!(yield t.load(folio.mapping))) { // !folio_test_anon(folio)
    yield t.store(folio.mapping, vma.anon_vma, Mode.Once); // __folio_set_anon(): WRITE_ONCE(folio->mapping, anon_vma)
    yield t.store(folio.index, vma.index); // folio->index = linear_page_index(vma, address)
    return;
  }
  const mapping = yield t.load(folio.mapping);
  const index = yield t.load(folio.index);
  yield t.assert(mapping === vma.anon_vma && index === vma.index, I18,
    () => `CPU${t.tid} maps ${folio.name} at ${vma.what}, but ${folio.name}'s anon identity is anon_vma#${mapping} index ${index} (__page_check_anon_rmap(): kernel BUG at mm/rmap.c)`);
});

/**
 * folio_move_anon_rmap(): a locked, exclusive anon folio moves to `vma`'s anon_vma
 * (WRITE_ONCE(folio->mapping, anon_vma)). UFFDIO_MOVE then sets folio->index itself.
 */
export const folio_move_anon_rmap = kernelFunction({ name: 'folio_move_anon_rmap', file: 'mm/rmap.c', version: 'v6.8–v6.18' },
  function* (t: Ctx, folio: SwapFolio, vma: AnonIdentity): ThreadGen<void> {
    yield t.store(folio.mapping, vma.anon_vma, Mode.Once);
  });

/**
 * try_to_unmap_one() of an order-0 anon folio in the swap cache, mapped by T[idx] of `mm` (the
 * rmap walk, page_vma_mapped_walk(), is that one PTE under its PTL): the PTE is cleared
 * (ptep_clear_flush(); no TLB is modelled), the entry gets one more user (swap_duplicate()), and
 * the PTE becomes the swap entry, exclusive — the model's anon folios are mapped once and never
 * pinned, so PageAnonExclusive holds and folio_try_share_anon_rmap_pte() succeeds (not modelled).
 * Returns false if the entry could not be duplicated (the PTE is restored).
 */
export const try_to_unmap_one_swap = kernelFunction({
  name: 'try_to_unmap_one', file: 'mm/rmap.c', version: 'v6.8–v6.15', note: 'the anon swap-out branch, one PTE; TLB flush, mmu notifiers, pins not modelled',
}, function* (t: Ctx, si: SwapInfo, mm: Mm, T: PageTable, idx: number, folio: SwapFolio): ThreadGen<boolean> {
  yield t.lock(T.ptl); // page_vma_mapped_walk()
  const pteval = yield t.load(T.entries[idx]);
  if (!pte_present(pteval) || pte_pfn(pteval) !== folio.pfn) { // not mapped here (any more)
    yield t.unlock(T.ptl);
    return true;
  }
  yield t.xchg(T.entries[idx], PTE_NONE); // ptep_clear_flush()
  const entry = yield t.load(folio.swap); // page_swap_entry(subpage)
  if ((yield* swap_duplicate(t, si, entry)) !== 0) {
    yield* set_pte_at(t, mm, T, idx, pteval);
    yield t.unlock(T.ptl);
    return false;
  }
  yield* set_pte_at(t, mm, T, idx, pte_swp_mkexclusive(swp_entry_to_pte(entry)));
  yield* folio_remove_rmap_pte(t, folio);
  yield t.unlock(T.ptl);
  yield* folio_put(t, folio); // the mapping's reference
  return true;
});
