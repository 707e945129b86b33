// Folio migration (mm/migrate.c: migrate_pages, __migrate_folio, __folio_migrate_mapping,
// folio_migrate_flags, remove_migration_ptes; mm/rmap.c try_to_migrate, folio_remove_rmap_pte;
// mm/util.c folio_mc_copy; docs/design/protocols.md §7). One order-0 folio `src` mapped by one PTE (anon) or
// held in one page-cache slot (file), moved to `dst`.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { folio_get, folio_put, folio_ref_count, folio_ref_freeze, folio_ref_unfreeze, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_MIGRATION, _PAGE_PRESENT, _PAGE_RW, is_migration_entry, mk_pte, type PageTable } from '../include/linux/pgtable.ts';
import type { AddressSpace } from './filemap.ts';
import { xas_store } from '../lib/xarray.ts';
import { smp_wmb } from '../include/asm-generic/barrier.ts';
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

/** folio_remove_rmap_pte(): the mapping's reference goes (the model has no mapcount: a folio_put). */
const folio_remove_rmap_pte = kernelFunction({ name: 'folio_remove_rmap_pte', file: 'mm/rmap.c', version: MAINLINE, note: 'no mapcount: the put of the mapping\'s reference' },
  (t: Ctx, src: Folio): ThreadGen<void> => folio_put(t, src));

/** try_to_migrate() → try_to_migrate_one() for the one PTE: clear it, install a migration entry, drop the mapping's ref. */
export const try_to_migrate = kernelFunction({ name: 'try_to_migrate', file: 'mm/rmap.c', version: MAINLINE, note: 'try_to_migrate_one() on the one PTE' },
  function* (t: Ctx, T: PageTable, idx: number, src: Folio, flush?: () => ThreadGen<void>): ThreadGen<number> {
    yield t.lock(T.ptl);
    const pte = yield t.xchg(T.entries[idx], mk_pte(src.pfn, _PAGE_MIGRATION)); // ptep_clear_flush + set migration entry
    if (flush) yield* flush();
    yield t.unlock(T.ptl);
    yield* folio_remove_rmap_pte(t, src);
    return pte;
  });

/** remove_migration_ptes(): the migration entry becomes a PTE of `to` (dst on success, src on failure). */
export const remove_migration_ptes = kernelFunction(migrateC('remove_migration_ptes'),
  function* (t: Ctx, T: PageTable, idx: number, to: Folio): ThreadGen<void> {
    yield t.lock(T.ptl);
    yield t.store(T.entries[idx], mk_pte(to.pfn, _PAGE_PRESENT | _PAGE_RW));
    yield* folio_get(t, to);
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
}

/** __migrate_folio()'s early check of an anon folio: folio_ref_count(src) against the expected count. */
const earlyRefcountCheck = kernelFunction(migrateC('__migrate_folio'), function* (t: Ctx, src: Folio): ThreadGen<number> {
  return yield t.load(src._refcount);
});

/**
 * migrate_pages() of one anon folio mapped at T[idx]. src holds the isolation reference
 * (+1). Anon folios without a mapping need no freeze: after the unmap nothing can reach src
 * except speculative getters, so the plain comparison with the expected count is authoritative.
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
  yield* try_to_migrate(t, T, idx, src, knobs.flushAfterCopy ? undefined : knobs.flush);
  let ok = true;
  if (!knobs.noRefcountCheck && !knobs.checkBeforeUnmap) {
    const c = yield* earlyRefcountCheck(t, src);
    ok = c === expected;
  }
  if (ok) {
    yield t.store(ghost.copying, 1);
    yield* folio_mc_copy(t, dst, src);
    yield* folio_migrate_flags(t);
    if (knobs.flushAfterCopy && knobs.flush) yield* try_to_unmap_flush(t, knobs.flush);
    yield* remove_migration_ptes(t, T, idx, dst);
    yield* folio_put(t, dst); // the allocation reference; the mapping holds it now
    yield* migrate_folio_done(t, src); // the isolation reference: src is freed
    return true;
  }
  if (knobs.flushAfterCopy && knobs.flush) yield* try_to_unmap_flush(t, knobs.flush);
  yield* remove_migration_ptes(t, T, idx, src);
  yield* folio_put(t, dst);
  yield* migrate_folio_done(t, src);
  return false;
});

/** The unsafe variant of migrate_file_folio() (row U7.f of docs/design/variants.md). */
export interface FileKnobs {
  /** U7.f: a plain comparison instead of the freeze under the i_pages lock, and a plain set after. */
  checkWithoutFreeze?: boolean;
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
    const c = yield t.load(src._refcount); // early check, outside the lock ("before more work")
    if (c !== expected) return EAGAIN;
    yield* folio_mc_copy(t, dst, src);
    return yield* __folio_migrate_mapping(t, m, idx, src, dst, expected, knobs);
  });

/**
 * migrate_pages() of one unmapped page-cache folio at m.i_pages[idx]: early lockless check,
 * copy, then under xa_lock the authoritative freeze(expected), the slot switch, unfreeze.
 */
export const migrateFileFolio = kernelFunction(migrateC('migrate_pages', 'one order-0 folio'),
  function* (t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio, knobs: FileKnobs = {}): ThreadGen<boolean> {
    const expected = 2; // folio_expected_ref_count() = 1 (page cache) + 1 (isolation)
    const rc = yield* __migrate_folio(t, m, idx, src, dst, expected, knobs);
    yield* folio_put(t, dst); // dst's allocation reference (frees it on failure)
    yield* migrate_folio_done(t, src); // the isolation reference
    return rc === 0;
  });

export { PTE_NONE };

/** migration_entry_wait(): a fault on a migration entry waits until the entry is replaced. */
export const migration_entry_wait = kernelFunction({ ...migrateC('migration_entry_wait'), waits: 'wait' },
  function* (t: Ctx, T: PageTable, idx: number): ThreadGen<void> {
    yield t.await(T.entries[idx], (v) => !is_migration_entry(v));
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
