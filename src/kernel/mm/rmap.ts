// Unmapping a folio for migration (mm/rmap.c try_to_migrate, try_to_migrate_one,
// folio_remove_rmap_pte; docs/design/protocols.md §7): under the PTL the PTE is cleared (with the
// TLB flush, or batched for later), a maybe-pinned exclusive anon page makes the unmap back off
// before anything else is decided (folio_try_share_anon_rmap_pte()), otherwise a migration entry
// that remembers write / AnonExclusive / dirty replaces the PTE and the mapping's reference goes.
// The model has one PTE per folio; the page_vma_mapped_walk() over the rmap is that one PTE.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import { folio_put, type Folio } from '../include/linux/page_ref.ts';
import { PageAnonExclusive, ClearPageAnonExclusive } from '../include/linux/page-flags.ts';
import { folio_try_share_anon_rmap_pte, page_try_share_anon_rmap, EBUSY } from '../include/linux/rmap.ts';
import { isAnon } from '../include/linux/mm.ts';
import { migrationEntryFor } from '../include/linux/swapops.ts';
import { pte_dirty, pte_pfn, pte_present, type PageTable } from '../include/linux/pgtable.ts';
import { kernelFunction } from '../kfn.ts';

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
 * folio_remove_rmap_pte(): the mapping goes from the rmap (the model keeps no mapcount, so it is
 * a step with no effect of its own; the reference goes with the folio_put() after it).
 */
export const folio_remove_rmap_pte = kernelFunction({ name: 'folio_remove_rmap_pte', file: 'mm/rmap.c', version: 'v6.9–v6.18', note: 'page_remove_rmap() before v6.9; no mapcount in the model' },
  // eslint-disable-next-line require-yield
  function* (_t: Ctx, _f: Folio): ThreadGen<void> { /* mapcount not modeled */ });

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
