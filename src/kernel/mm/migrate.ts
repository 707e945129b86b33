// Folio migration (mm/migrate.c: migrate_pages, __migrate_folio, __folio_migrate_mapping,
// folio_migrate_flags, remove_migration_ptes; mm/util.c folio_mc_copy; the unmap,
// try_to_migrate(), is in mm/rmap.ts; docs/design/protocols.md §7). One order-0 folio `src` mapped by one PTE (anon) or
// held in one page-cache slot (file), moved to `dst`.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { folio_get, folio_put, folio_ref_count, folio_ref_freeze, folio_ref_unfreeze, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, is_migration_entry, mk_pte, type PageTable } from '../include/linux/pgtable.ts';
import { is_migration_entry_dirty, is_readable_migration_entry, is_writable_migration_entry, migration_entry_to_pfn } from '../include/linux/swapops.ts';
import { SetPageAnonExclusive } from '../include/linux/page-flags.ts';
import { isAnon } from '../include/linux/mm.ts';
import { try_to_migrate, type MigrateUnmapOpts } from './rmap.ts';
import type { AddressSpace } from './filemap.ts';
import { xas_store } from '../lib/xarray.ts';
import { smp_acquire__after_ctrl_dep, smp_wmb } from '../include/asm-generic/barrier.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

const migrateC = (name: string, note?: string) => ({ name, file: 'mm/migrate.c', version: MAINLINE, ...(note ? { note } : {}) });

/** -EAGAIN: migration backed off (the refcount did not match). */
export const EAGAIN = -11;

/** Ghost marker of "the copy of src has started" (I10/I16). */
export interface Copying {
  copying: number;
}

/** folio_mc_copy(): the data moves from src to dst. */
export const folio_mc_copy = kernelFunction({ name: 'folio_mc_copy', file: 'mm/util.c', version: MAINLINE },
  function* (t: Ctx, dst: Folio, src: Folio): ThreadGen<void> {
    const d = yield t.load(src.data);
    yield t.store(dst.data, d);
  });

/** folio_migrate_copy(): the copy after the mapping switch, in the pre-v6.11 order (folio_copy()). */
export const folio_migrate_copy = kernelFunction({ name: 'folio_migrate_copy', file: 'mm/migrate.c', version: 'v5.0–v6.10' },
  function* (t: Ctx, dst: Folio, src: Folio): ThreadGen<void> {
    const d = yield t.load(src.data);
    yield t.store(dst.data, d);
  });

/**
 * remove_migration_ptes(src, to) for the one PTE: if T[idx] still holds a migration entry for
 * src, it becomes a PTE of `to` (dst on success, src when migration failed) as
 * remove_migration_pte() builds it: writable if the entry was, dirty if it kept the dirty bit, and
 * an anon `to` is AnonExclusive again unless the entry was a plain readable one (RMAP_EXCLUSIVE).
 * An entry zapped meanwhile (MADV_DONTNEED, munmap) is left alone.
 */
export const remove_migration_ptes = kernelFunction(migrateC('remove_migration_ptes', 'remove_migration_pte() for the one PTE'),
  function* (t: Ctx, T: PageTable, idx: number, src: Folio, to: Folio): ThreadGen<void> {
    yield t.lock(T.ptl); // page_vma_mapped_walk()
    const e = yield t.load(T.entries[idx]);
    if (is_migration_entry(e) && migration_entry_to_pfn(e) === src.pfn) {
      yield* folio_get(t, to);
      const pte = mk_pte(to.pfn, _PAGE_PRESENT | (is_writable_migration_entry(e) ? _PAGE_RW : 0) | (is_migration_entry_dirty(e) ? _PAGE_DIRTY : 0));
      if (isAnon(to) && !is_readable_migration_entry(e)) yield* SetPageAnonExclusive(t, to); // folio_add_anon_rmap_pte(RMAP_EXCLUSIVE)
      yield t.store(T.entries[idx], pte); // set_pte_at()
    }
    yield t.unlock(T.ptl);
  });

/**
 * folio_migrate_flags() -> folio_mark_uptodate(dst): smp_wmb() "before setting the PG_uptodate
 * bit", which also orders the copy's stores before the PTE remove_migration_ptes() installs.
 */
const folio_migrate_flags = kernelFunction(migrateC('folio_migrate_flags'), function* (t: Ctx): ThreadGen<void> {
  yield smp_wmb(t);
});

/** try_to_unmap_flush(): the deferred (batched) TLB flush of try_to_migrate(TTU_BATCH_FLUSH). */
const try_to_unmap_flush = kernelFunction({ name: 'try_to_unmap_flush', file: 'mm/rmap.c', version: MAINLINE },
  (t: Ctx, flush: () => ThreadGen<void>): ThreadGen<void> => flush());

/** migrate_folio_done() / putback: the isolation reference on src goes. */
const migrate_folio_done = kernelFunction(migrateC('migrate_folio_done'), (t: Ctx, src: Folio): ThreadGen<void> => folio_put(t, src));

/** The unsafe variants and the TLB flush of migrate_anon_folio() (rows U7 of docs/design/variants.md). */
export interface AnonKnobs {
  /** U7.a: no refcount check at all. */
  noRefcountCheck?: boolean;
  /** U7.b: the refcount check runs before unmapping. */
  checkBeforeUnmap?: boolean;
  /** A TLB flush to run after clearing the PTE (under the PTL), and whether to run it only after the copy (U7.c). */
  flush?: () => ThreadGen<void>;
  flushAfterCopy?: boolean;
  /** How try_to_migrate_one() treats an AnonExclusive page (mm/rmap.ts): an older kernel's or a changed one. */
  unmap?: Pick<MigrateUnmapOpts, 'noShareBarriers' | 'ignorePins'>;
  /**
   * The fix proposed for docs/weak-memory-findings.md §1 (in no kernel): smp_acquire__after_ctrl_dep()
   * after a successful early refcount check, so the copy's loads come after the check.
   */
  acquireAfterCtrlDep?: boolean;
}

/**
 * __migrate_folio()'s early check: folio_ref_count(src) (atomic_read(), a plain load) against
 * the expected count. The copy that follows depends on it only by control; `acquire` adds the
 * proposed smp_acquire__after_ctrl_dep() after a successful check.
 */
const earlyRefcountCheck = kernelFunction(migrateC('__migrate_folio'), function* (t: Ctx, src: Folio, expected: number, acquire: boolean): ThreadGen<boolean> {
  const c = yield t.load(src._refcount);
  if (c !== expected) return false;
  if (acquire) yield smp_acquire__after_ctrl_dep(t);
  return true;
});

/**
 * migrate_pages() of one anon folio mapped at T[idx]. src holds the isolation reference
 * (+1). migrate_folio_unmap(): try_to_migrate(); a folio still mapped afterwards (the unmap
 * backed off: maybe pinned) fails with -EAGAIN before anything is copied. Anon folios without a
 * mapping need no freeze: after the unmap nothing can reach src except speculative getters and
 * holders of references taken before, so the plain comparison with the expected count decides.
 * Returns true if the mapping was switched to dst.
 */
export const migrateAnonFolio = kernelFunction(migrateC('migrate_pages', 'one order-0 folio'),
  function* (t: Ctx, T: PageTable, idx: number, src: Folio, dst: Folio,
    ghost: { copying: number }, knobs: AnonKnobs = {}): ThreadGen<boolean> {
  const expected = 1; // the isolation reference; the mapping's is gone after the unmap
  if (knobs.checkBeforeUnmap) {
    const c = yield* folio_ref_count(t, src);
    if (c !== expected + 1) return false; // (+1: the mapping, still there)
  }
  const unmapped = yield* try_to_migrate(t, T, idx, src, { ...knobs.unmap, ...(knobs.flush && !knobs.flushAfterCopy ? { flush: knobs.flush } : {}) });
  let ok = unmapped;
  if (ok && !knobs.noRefcountCheck && !knobs.checkBeforeUnmap) ok = yield* earlyRefcountCheck(t, src, expected, !!knobs.acquireAfterCtrlDep);
  if (ok) {
    yield t.store(ghost.copying, 1);
    yield* folio_mc_copy(t, dst, src);
    yield* folio_migrate_flags(t);
    if (knobs.flushAfterCopy && knobs.flush) yield* try_to_unmap_flush(t, knobs.flush);
    yield* remove_migration_ptes(t, T, idx, src, dst);
    yield* folio_put(t, dst); // the allocation reference; the mapping holds it now
    yield* migrate_folio_done(t, src); // the isolation reference: src is freed
    return true;
  }
  if (knobs.flushAfterCopy && knobs.flush) yield* try_to_unmap_flush(t, knobs.flush);
  if (unmapped) yield* remove_migration_ptes(t, T, idx, src, src);
  yield* folio_put(t, dst);
  yield* migrate_folio_done(t, src);
  return false;
});

/** The variants of migrateFileFolio(): row U7.f of docs/design/variants.md, an older kernel's order, a proposed fix. */
export interface FileKnobs {
  /** U7.f: a plain comparison instead of the freeze under the i_pages lock, and a plain set after. */
  checkWithoutFreeze?: boolean;
  /**
   * The order of kernels before v6.11 (migrate_folio_extra()): folio_migrate_mapping() (the
   * freeze under the i_pages lock) first, folio_migrate_copy() after; no early check.
   */
  freezeThenCopy?: boolean;
  /** The fix proposed for docs/weak-memory-findings.md §1: smp_acquire__after_ctrl_dep() after the early check. */
  acquireAfterCtrlDep?: boolean;
}

/** The mapping switch of a page-cache folio: under xa_lock, freeze(expected), switch the slot, unfreeze. */
function* migrateMapping(t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, expected: number, knobs: FileKnobs): ThreadGen<number> {
  yield t.lock(m.xa_lock); // xas_lock_irq
  if (knobs.checkWithoutFreeze) {
    const c2 = yield t.load(src._refcount);
    if (c2 !== expected) { yield t.unlock(m.xa_lock); return EAGAIN; }
    // Ghost: the comparison stands where the freeze would; from here migration believes it
    // owns src alone (I5 is about that window), until the plain set below ends it.
    yield t.store(src.frozen, t.tid + 1);
  } else if (!(yield* folio_ref_freeze(t, src, expected))) {
    yield t.unlock(m.xa_lock);
    return EAGAIN;
  }
  yield t.fetchAdd(dst._refcount, 1); // folio_ref_add(dst, nr): the page cache's reference
  yield* xas_store(t, m, idx, dst.pfn);
  if (knobs.checkWithoutFreeze) {
    yield t.store(src.frozen, 0);
    yield t.store(src._refcount, expected - 1); // set, not unfreeze
  }
  else yield* folio_ref_unfreeze(t, src, expected - 1);
  yield t.unlock(m.xa_lock);
  return 0;
}

/** __folio_migrate_mapping(): the mapping switch (v6.11+: after the copy). */
const __folio_migrate_mapping = kernelFunction(migrateC('__folio_migrate_mapping'),
  (t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, expected: number, knobs: FileKnobs): ThreadGen<number> =>
    migrateMapping(t, m, idx, src, dst, expected, knobs));

/** folio_migrate_mapping(): the mapping switch before the copy (the pre-v6.11 order); 0 or -EAGAIN. */
export const folio_migrate_mapping = kernelFunction({ name: 'folio_migrate_mapping', file: 'mm/migrate.c', version: 'v5.0–v6.10' },
  (t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, expected: number): ThreadGen<number> =>
    migrateMapping(t, m, idx, src, dst, expected, {}));

/** __migrate_folio() of a page-cache folio: early lockless check, copy, then __folio_migrate_mapping(). */
const __migrate_folio = kernelFunction(migrateC('__migrate_folio'),
  function* (t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, expected: number, knobs: FileKnobs): ThreadGen<number> {
    // The early check, outside the lock ("check whether src does not have extra refs before we
    // do more work"): the copy follows it only by a control dependency.
    if (!(yield* earlyRefcountCheck(t, src, expected, !!knobs.acquireAfterCtrlDep))) return EAGAIN;
    yield* folio_mc_copy(t, dst, src);
    return yield* __folio_migrate_mapping(t, m, idx, src, dst, expected, knobs);
  });

/**
 * migrate_folio_extra() of kernels before v6.11: folio_migrate_mapping() (freeze, switch the
 * slot, unfreeze, under the i_pages lock), then folio_migrate_copy(). A successful freeze is a
 * fully ordered cmpxchg, so the copy reads the page after every reference it counted was dropped.
 */
const migrate_folio_extra = kernelFunction({ name: 'migrate_folio_extra', file: 'mm/migrate.c', version: 'v5.19–v6.10', note: 'migrate_page_move_mapping() + migrate_page_copy() before the folio conversion' },
  function* (t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, expected: number): ThreadGen<number> {
    const rc = yield* folio_migrate_mapping(t, m, idx, src, dst, expected);
    if (rc === 0) yield* folio_migrate_copy(t, dst, src);
    return rc;
  });

/**
 * migrate_pages() of one unmapped page-cache folio at m.i_pages[idx]: early lockless check,
 * copy, then under xa_lock the authoritative freeze(expected), the slot switch, unfreeze.
 */
export const migrateFileFolio = kernelFunction(migrateC('migrate_pages', 'one order-0 folio'),
  function* (t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, knobs: FileKnobs = {}): ThreadGen<boolean> {
    const expected = 2; // folio_expected_ref_count() = 1 (page cache) + 1 (isolation)
    const rc = knobs.freezeThenCopy
      ? yield* migrate_folio_extra(t, m, idx, src, dst, expected)
      : yield* __migrate_folio(t, m, idx, src, dst, expected, knobs);
    yield* folio_put(t, dst); // dst's allocation reference (frees it on failure)
    yield* migrate_folio_done(t, src); // the isolation reference
    return rc === 0;
  });

export { PTE_NONE };

/**
 * The fault path a user access takes when its PTE did not allow it: handle_pte_fault() acts only
 * on what it finds under the PTL (do_anonymous_page() and do_swap_page() recheck there), and
 * migration_entry_wait() (pte_offset_map_lock(), is_migration_entry(), then
 * migration_entry_wait_on_locked()) waits until a migration entry is replaced.
 */
export const migration_entry_wait = kernelFunction({ ...migrateC('migration_entry_wait'), waits: 'wait' },
  function* (t: Ctx, T: PageTable, idx: number): ThreadGen<void> {
    yield t.lock(T.ptl);
    const e = yield t.load(T.entries[idx]);
    yield t.unlock(T.ptl);
    if (is_migration_entry(e)) yield t.await(T.entries[idx], (v) => !is_migration_entry(v));
  });

/** One buffer head of the folio: b_count, b_page, and the mapping's private_lock. */
export interface BufferHead {
  privateLock: Loc;
  bhCount: Loc;
  bhPage: Loc;
}

/**
 * __buffer_migrate_folio(check_refs) of a page-cache folio with one buffer (ebdf4de5642f):
 * private_lock held from the "no buffer in use" check across the move; then, in the pre-v6.11
 * order, folio_migrate_mapping() (freeze under xa_lock, switch the slot, unfreeze),
 * folio_set_bh(), folio_migrate_copy(). The successful freeze is a fully ordered cmpxchg, so the
 * copy's loads come after the b_count check. `dropPrivateLock`: the lock dropped after the check.
 */
export const __buffer_migrate_folio = kernelFunction({ name: '__buffer_migrate_folio', file: 'mm/migrate.c', version: 'v5.0–v6.10', note: 'dropPrivateLock: before ebdf4de5642f' },
  function* (t: Ctx, m: AddressSpace, src: Folio, dst: Folio, bh: BufferHead, dropPrivateLock: boolean): ThreadGen<void> {
    yield t.lock(bh.privateLock);
    const c = yield t.load(bh.bhCount);
    if (c !== 0) { yield t.unlock(bh.privateLock); return; }
    if (dropPrivateLock) yield t.unlock(bh.privateLock);
    const rc = yield* folio_migrate_mapping(t, m, 0, src, dst, 2);
    if (rc === 0) {
      yield t.store(bh.bhPage, dst.pfn); // folio_set_bh(bh, dst)
      yield* folio_migrate_copy(t, dst, src);
    }
    if (!dropPrivateLock) yield t.unlock(bh.privateLock);
  });
