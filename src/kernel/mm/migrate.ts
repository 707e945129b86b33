// Folio migration (mm/migrate.c: migrate_folio_unmap, __migrate_folio, __folio_migrate_mapping,
// remove_migration_ptes; mm/rmap.c try_to_migrate_one; docs/design/protocols.md §7). One order-0 folio `src`
// mapped by one PTE (anon) or held in one page-cache slot (file), moved to `dst`.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { folio_get, folio_put, folio_ref_freeze, folio_ref_unfreeze, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_MIGRATION, _PAGE_PRESENT, _PAGE_RW, mk_pte, type PageTable } from '../include/linux/pgtable.ts';
import { xas_store, type AddressSpace } from './filemap.ts';

/** -EAGAIN: migration backed off (the refcount did not match). */
export const EAGAIN = -11;

/** Ghost marker of "the copy of src has started" (I10/I16). */
export interface Copying {
  copying: number;
}

/** folio_mc_copy(): the data moves from src to dst. */
export function* folio_copy(t: Ctx, dst: Folio, src: Folio): ThreadGen<void> {
  const d = yield t.load(src.data);
  yield t.store(dst.data, d);
}

/** try_to_migrate_one() for the one PTE: clear it, install a migration entry, drop the mapping's ref. */
export function* try_to_migrate_one(t: Ctx, T: PageTable, idx: number, src: Folio,
  flush?: () => ThreadGen<void>): ThreadGen<number> {
  yield t.lock(T.ptl);
  const pte = yield t.xchg(T.entries[idx], mk_pte(src.pfn, _PAGE_MIGRATION)); // ptep_clear_flush + set migration entry
  if (flush) yield* flush();
  yield t.unlock(T.ptl);
  yield* t.call('folio_remove_rmap_pte', folio_put(t, src));
  return pte;
}

/** remove_migration_ptes(): the migration entry becomes a PTE of `to` (dst on success, src on failure). */
export function* remove_migration_ptes(t: Ctx, T: PageTable, idx: number, to: Folio, gen: number): ThreadGen<void> {
  yield t.lock(T.ptl);
  yield t.store(T.entries[idx], mk_pte(to.pfn, _PAGE_PRESENT | _PAGE_RW, gen));
  yield* folio_get(t, to);
  yield t.unlock(T.ptl);
}

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

/**
 * migrate_pages() of one anon folio mapped at T[idx]. src holds the isolation reference
 * (+1). Anon folios without a mapping need no freeze: after the unmap nothing can reach src
 * except speculative getters, so the plain comparison with the expected count is authoritative.
 * Returns true if the mapping was switched to dst.
 */
export function* migrate_anon_folio(t: Ctx, T: PageTable, idx: number, src: Folio, dst: Folio,
  ghost: { copying: number }, knobs: AnonKnobs = {}): ThreadGen<boolean> {
  const expected = 1; // the isolation reference; the mapping's is gone after the unmap
  if (knobs.checkBeforeUnmap) {
    const c = yield* t.call('folio_ref_count', (function* (): ThreadGen<number> { return yield t.load(src._refcount); })());
    if (c !== expected + 1) return false; // (+1: the mapping, still there)
  }
  yield* t.call('try_to_migrate', try_to_migrate_one(t, T, idx, src, knobs.flushAfterCopy ? undefined : knobs.flush));
  let ok = true;
  if (!knobs.noRefcountCheck && !knobs.checkBeforeUnmap) {
    const c = yield* t.call('__migrate_folio', (function* (): ThreadGen<number> { return yield t.load(src._refcount); })());
    ok = c === expected;
  }
  if (ok) {
    yield t.store(ghost.copying, 1);
    yield* t.call('folio_mc_copy', folio_copy(t, dst, src));
    // folio_migrate_flags() -> folio_mark_uptodate(dst): smp_wmb() "before setting the PG_uptodate
    // bit", which also orders the copy's stores before the PTE remove_migration_ptes() installs.
    yield* t.call('folio_migrate_flags', (function* (): ThreadGen<void> { yield t.fence('wmb'); })());
    if (knobs.flushAfterCopy && knobs.flush) yield* t.call('try_to_unmap_flush', knobs.flush());
    yield* t.call('remove_migration_ptes', remove_migration_ptes(t, T, idx, dst, 1));
    yield* t.call('folio_put', folio_put(t, dst)); // the allocation reference; the mapping holds it now
    yield* t.call('folio_putback', folio_put(t, src)); // the isolation reference: src is freed
    return true;
  }
  if (knobs.flushAfterCopy && knobs.flush) yield* t.call('try_to_unmap_flush', knobs.flush());
  yield* t.call('remove_migration_ptes', remove_migration_ptes(t, T, idx, src, 2));
  yield* t.call('folio_put', folio_put(t, dst));
  yield* t.call('folio_putback', folio_put(t, src));
  return false;
}

/** The unsafe variant of migrate_file_folio() (row U7.f of docs/design/variants.md). */
export interface FileKnobs {
  /** U7.f: a plain comparison instead of the freeze under the i_pages lock, and a plain set after. */
  checkWithoutFreeze?: boolean;
}

/**
 * migrate_pages() of one unmapped page-cache folio at m.i_pages[idx]: early lockless check,
 * copy, then under xa_lock the authoritative freeze(expected), the slot switch, unfreeze.
 */
export function* migrate_file_folio(t: Ctx, m: AddressSpace, idx: number, src: Folio, dst: Folio,
  knobs: FileKnobs = {}): ThreadGen<boolean> {
  const expected = 2; // folio_expected_ref_count() = 1 (page cache) + 1 (isolation)
  const rc: number = yield* t.call('__migrate_folio', (function* (): ThreadGen<number> {
    const c = yield t.load(src._refcount); // early check, outside the lock ("before more work")
    if (c !== expected) return EAGAIN;
    yield* t.call('folio_mc_copy', folio_copy(t, dst, src));
    return yield* t.call('__folio_migrate_mapping', (function* (): ThreadGen<number> {
      yield t.lock(m.xa_lock); // xas_lock_irq
      if (knobs.checkWithoutFreeze) {
        const c2 = yield t.load(src._refcount);
        if (c2 !== expected) { yield t.unlock(m.xa_lock); return EAGAIN; }
        // Ghost: the comparison stands where the freeze would; from here migration believes it
        // owns src alone (I5 is about that window), until the plain set below ends it.
        yield t.store(src.frozen, t.tid + 1);
      } else if (!(yield* t.call('folio_ref_freeze', folio_ref_freeze(t, src, expected)))) {
        yield t.unlock(m.xa_lock);
        return EAGAIN;
      }
      yield t.fetchAdd(dst._refcount, 1); // folio_ref_add(dst, nr): the page cache's reference
      yield* xas_store(t, m, idx, dst.pfn);
      if (knobs.checkWithoutFreeze) {
        yield t.store(src.frozen, 0);
        yield t.store(src._refcount, expected - 1); // set, not unfreeze
      }
      else yield* t.call('folio_ref_unfreeze', folio_ref_unfreeze(t, src, expected - 1));
      yield t.unlock(m.xa_lock);
      return 0;
    })());
  })());
  yield* t.call('folio_put', folio_put(t, dst)); // dst's allocation reference (frees it on failure)
  yield* t.call('folio_putback', folio_put(t, src)); // the isolation reference
  return rc === 0;
}

export { PTE_NONE };
