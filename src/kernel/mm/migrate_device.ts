// Device migration's collect and finalize steps (mm/migrate_device.c migrate_vma_collect_pmd,
// migrate_vma_finalize; docs/design/protocols.md §7.5) for one PTE T[idx] -> p. Two fixes of 2022
// live here: fd35ca3d12cc moved the dirty bit of the cleared PTE to the folio (B14), 60bae7370896
// flushed the TLB before the PTL is dropped (B15).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { folio_get, folio_put, type Folio } from '../include/linux/page_ref.ts';
import { PageAnonExclusive } from '../include/linux/page-flags.ts';
import { folio_try_share_anon_rmap_pte, EBUSY } from '../include/linux/rmap.ts';
import { isAnon } from '../include/linux/mm.ts';
import { migrationEntryFor } from '../include/linux/swapops.ts';
import { pte_dirty, pte_pfn, pte_present, type PageTable } from '../include/linux/pgtable.ts';
import { flush_tlb_range } from '../arch/x86/mm/tlb.ts';
import { remove_migration_ptes } from './migrate.ts';
import { folio_remove_rmap_pte } from './rmap.ts';
import { kernelFunction } from '../kfn.ts';

/** The kernels migrate_vma_collect_pmd() can stand for (the fixes of 2022 it lacks). */
export interface CollectOpts {
  /** Before fd35ca3d12cc (v5.19–v6.0): the cleared PTE's dirty bit is not moved to the folio. */
  dropDirtyBit?: boolean;
  /** Before 2e3468778dbe (v6.1): the migration entry keeps no dirty bit. */
  noDirtyInEntry?: boolean;
  /** Before 60bae7370896 (v4.14–v6.0): flush_tlb_range() only after the PTL is dropped. */
  flushAfterUnlock?: boolean;
  /** The TLBs flush_tlb_range() empties (those the scenario models). */
  tlbs?: { cpu: Cpu; tlb: Loc }[];
}

/**
 * migrate_vma_collect_pmd() of the one PTE T[idx] -> p, with the folio locked (folio_trylock()
 * succeeded; the folio lock is not modeled). It takes a reference of its own. Under the PTL: an
 * AnonExclusive page is cleared with ptep_clear_flush() and shared with
 * folio_try_share_anon_rmap_pte() (a maybe-pinned page is restored and skipped); any other page
 * with ptep_get_and_clear(). The dirty bit goes to the folio (fd35ca3d12cc), a migration entry
 * replaces the PTE, and the TLB of the range is flushed (under the PTL since 60bae7370896).
 * Returns whether the page was collected.
 */
export const migrate_vma_collect_pmd = kernelFunction({ name: 'migrate_vma_collect_pmd', file: 'mm/migrate_device.c', version: 'v5.19–v6.18', note: 'one PTE; CollectOpts for the kernels before fd35ca3d12cc, 2e3468778dbe, 60bae7370896' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, T: PageTable, idx: number, p: Folio, pgDirty: Loc, opts: CollectOpts = {}): ThreadGen<boolean> {
    yield t.lock(T.ptl); // pte_offset_map_lock()
    const first = yield t.load(T.entries[idx]); // pte = ptep_get(ptep)
    if (!pte_present(first) || pte_pfn(first) !== p.pfn) { yield t.unlock(T.ptl); return false; }
    yield* folio_get(t, p); // "By getting a reference on the folio we pin it"
    const anonExclusive = isAnon(p) && (yield* PageAnonExclusive(t, p));
    let pte: number;
    if (anonExclusive && isAnon(p)) {
      pte = yield t.xchg(T.entries[idx], 0, Mode.Relaxed); // ptep_clear_flush(): ptep_get_and_clear() ...
      yield* flush_tlb_range(t, cpus, cpu, opts.tlbs); // ... and flush_tlb_page()
      if ((yield* folio_try_share_anon_rmap_pte(t, p)) === EBUSY) {
        // set_pte_at(): restored, the page is not collected; before fd35ca3d12cc with the value
        // read before the clear (the clear's result was dropped).
        yield t.store(T.entries[idx], opts.dropDirtyBit ? first : pte);
        yield* folio_put(t, p);
        yield t.unlock(T.ptl);
        return false;
      }
    } else {
      pte = yield t.xchg(T.entries[idx], 0, Mode.Relaxed); // ptep_get_and_clear()
    }
    // Before fd35ca3d12cc the value the clear returned was dropped and the dirty bit with it.
    if (opts.dropDirtyBit) pte = first;
    else if (pte_dirty(pte)) yield t.store(pgDirty, 1); // folio_mark_dirty()
    const keepDirty = !opts.dropDirtyBit && !opts.noDirtyInEntry;
    yield t.store(T.entries[idx], migrationEntryFor(p.pfn, first, anonExclusive, keepDirty)); // set_pte_at(swp_pte)
    yield* folio_remove_rmap_pte(t, p); // "This is like regular unmap": the mapping's reference goes
    yield* folio_put(t, p);
    if (!opts.flushAfterUnlock) yield* flush_tlb_range(t, cpus, cpu, opts.tlbs); // "if (unmapped) flush_tlb_range()"
    yield t.unlock(T.ptl); // pte_unmap_unlock()
    if (opts.flushAfterUnlock) yield* flush_tlb_range(t, cpus, cpu, opts.tlbs);
    return true;
  });

/**
 * migrate_vma_finalize() of a page whose device migration failed: remove_migration_ptes(src,
 * src) (the migration entry, if still there, becomes a PTE of p again), then the reference the
 * collect took goes.
 */
export const migrate_vma_finalize = kernelFunction({ name: 'migrate_vma_finalize', file: 'mm/migrate_device.c', version: 'v5.19–v6.18', note: 'a failed migration of the one page; the folio lock is not modeled' },
  function* (t: Ctx, T: PageTable, idx: number, p: Folio): ThreadGen<void> {
    yield* remove_migration_ptes(t, T, idx, p, p);
    yield* folio_put(t, p);
  });
