// khugepaged (mm/khugepaged.c; docs/design/protocols.md §3.6, §4.4(a)(b), §8.3): collapsing the small pages of
// one PTE table into a huge page, and detaching PTE tables of file THPs.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder, FinalState } from '../../engine/program.ts';
import { folio_get, folio_put, newFolio, type Folio } from '../include/linux/page_ref.ts';
import {
  PMD_NONE, PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_is_table, pmd_leaf, pmd_table, pmd_table_id,
  pmd_trans_huge, pte_pfn, pte_present, type PageTable, type Pmd,
  pmdp_get_lockless_sync,
} from '../include/linux/pgtable.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import { i_mmap_lock_read, i_mmap_lock_write, i_mmap_unlock_read, i_mmap_unlock_write, type AddressSpaceRmap } from '../include/linux/fs.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { smp_wmb } from '../include/asm-generic/barrier.ts';
import { pmd_populate, set_pmd_at } from '../arch/x86/include/asm/pgtable.ts';
import { newDepositList, pgtable_trans_huge_deposit, type DepositPmd } from './huge_memory.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { newMm, table, type Mm } from './mm.ts';
import { pte_free, pte_free_defer, tlb_remove_table_sync_one } from './mmu_gather.ts';
import { pte_offset_map_lock_v6_0 } from './memory.ts';
import { lockPtl, pmdp_collapse_flush, pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap } from './pgtable-generic.ts';

const khugepaged = (name: string, version: string, note?: string) => ({ name, file: 'mm/khugepaged.c', version, ...(note ? { note } : {}) });

// The folio-lock lookups and reference drops collapse_pte_mapped_thp() makes (the lock itself is
// not modelled: no scenario's other actor takes the folio lock).
/** filemap_lock_folio() (include/linux/pagemap.h): a reference, and the folio locked. */
const filemap_lock_folio = kernelFunction({ name: 'filemap_lock_folio', file: 'include/linux/pagemap.h', version: MAINLINE, note: 'the reference; PG_locked not modelled' },
  (t: Ctx, f: Folio): ThreadGen<void> => folio_get(t, f));
/** find_lock_page() (include/linux/pagemap.h, before folios): filemap_lock_folio()'s predecessor. */
const find_lock_page = kernelFunction({ name: 'find_lock_page', file: 'include/linux/pagemap.h', version: 'v2.6.x–v6.4', note: 'the reference; PG_locked not modelled' },
  (t: Ctx, f: Folio): ThreadGen<void> => folio_get(t, f));
/** folio_ref_sub() (include/linux/page_ref.h): drops `nr` references the caller knows are not the last. */
const folio_ref_sub = kernelFunction({ name: 'folio_ref_sub', file: 'include/linux/page_ref.h', version: MAINLINE },
  function* (t: Ctx, f: Folio, nr: number): ThreadGen<void> { yield t.fetchSub(f._refcount, nr); });
/** page_ref_sub(): folio_ref_sub()'s struct-page predecessor. */
const page_ref_sub = kernelFunction({ name: 'page_ref_sub', file: 'include/linux/page_ref.h', version: 'v4.6–v6.4' },
  function* (t: Ctx, f: Folio, nr: number): ThreadGen<void> { yield t.fetchSub(f._refcount, nr); });

/** An anon range collapse_huge_page() can work on. */
export interface CollapseRange {
  /** The small page mapped at the address (refcount 1: the mapping). */
  P: Folio;
  /** The huge folio khugepaged has allocated for the range (pfn 9). */
  HP: Folio;
  /** The PTE table mapping P at T0[0], writable. */
  T: PageTable;
  mm: Mm;
  /** The PMD entry with its PMD page's deposit list (where T goes when the huge PMD is installed). */
  pmd: DepositPmd;
}

/** The objects of a collapse: P mapped writable at T0[0], the huge folio HP, and the mm. */
export function newCollapseRange(b: Builder): CollapseRange {
  const P = newFolio(b, 'P', 1, 1);
  const HP = newFolio(b, 'HP', 9, 1);
  const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]);
  const mm = newMm(b, pmd_table(0), [T], [P, HP]);
  return { P, HP, T, mm, pmd: { pmd: mm.pmd, pml: mm.pml, huge_pte: newDepositList(b, 'pmd_page') } };
}

/** What a user reads at the address in a final state: HP once the huge PMD is installed, else P. */
export function dataAtAddress(s: FinalState, r: CollapseRange): number {
  return s.value(r.mm.pmd) === pmd_leaf(r.HP.pfn) ? s.value(r.HP.data) : s.value(r.P.data);
}

/**
 * The collapse_huge_page() of a kernel era: 'v6.0' before 2ba99c5e0881 (no IPI after the PMD is
 * cleared), 'v6.1' with it (v6.1–v6.4), 'v6.5' today's (the old table mapped from the cleared
 * PMD's value under RCU: pte_offset_map_lock(mm, &_pmd), Hugh Dickins' 2023 series).
 */
export type CollapseVersion = 'v6.0' | 'v6.1' | 'v6.5';

/** Where a scenario adds to collapse_huge_page() (a TLB flush and what the arch does with it). */
export interface CollapseHooks {
  /** The arch's pmdp_collapse_flush() after the clear: its TLB flush and any serialization it adds. */
  afterClear?: () => ThreadGen<void>;
}

/** __collapse_huge_page_isolate(): under the old table's PTL, a page with an extra reference (a pin) aborts. */
const __collapse_huge_page_isolate = kernelFunction(khugepaged('__collapse_huge_page_isolate', MAINLINE, 'one PTE; folio lock and LRU isolation as one reference'),
  function* (t: Ctx, T: PageTable, P: Folio): ThreadGen<boolean> {
    yield t.lock(T.ptl);
    const c = yield t.load(P._refcount); // is_refcount_suitable(): mapcount only, no pin
    if (c !== 1) { yield t.unlock(T.ptl); return false; }
    yield t.fetchAdd(P._refcount, 1); // folio_isolate_lru()
    yield t.unlock(T.ptl);
    return true;
  });

/** release_pte_folio(): putback of the isolated folio, dropping the isolation's reference. */
const release_pte_folio = kernelFunction(khugepaged('release_pte_folio', MAINLINE), (t: Ctx, P: Folio): ThreadGen<void> => folio_put(t, P));

/** free_page_and_swap_cache() (mm/swap_state.c): the old mapping's reference. */
const free_page_and_swap_cache = kernelFunction({ name: 'free_page_and_swap_cache', file: 'mm/swap_state.c', version: MAINLINE, note: 'no swap cache' },
  (t: Ctx, P: Folio): ThreadGen<void> => folio_put(t, P));

/**
 * __collapse_huge_page_copy(): copy, then __collapse_huge_page_copy_succeeded(): release the
 * isolation, clear the old PTE under the PTL, drop the old mapping's reference.
 */
const __collapse_huge_page_copy = kernelFunction(khugepaged('__collapse_huge_page_copy', MAINLINE, 'one PTE, with __collapse_huge_page_copy_succeeded()'),
  function* (t: Ctx, T: PageTable, idx: number, P: Folio, HP: Folio): ThreadGen<void> {
    yield t.store(HP.data, yield t.load(P.data)); // copy_mc_user_highpage()
    yield* release_pte_folio(t, P);
    yield t.lock(T.ptl);
    yield t.store(T.entries[idx], PTE_NONE); // ptep_clear()
    yield t.unlock(T.ptl);
    yield* free_page_and_swap_cache(t, P);
  });

/** __folio_mark_uptodate() (include/linux/page-flags.h): smp_wmb(), so the copy is visible before the PMD. */
const __folio_mark_uptodate = kernelFunction({ name: '__folio_mark_uptodate', file: 'include/linux/page-flags.h', version: MAINLINE, note: 'the barrier only' },
  // eslint-disable-next-line require-yield
  function* (t: Ctx, _f: Folio): ThreadGen<void> { yield smp_wmb(t); });

/**
 * collapse_huge_page() (mm/khugepaged.c) for an anon range mapped by T[idx] -> P, from the point
 * where the caller holds the mmap lock for write and the anon_vma lock for write (faults and rmap
 * walkers excluded; lockless walkers are not):
 * - pmdp_collapse_flush() under the PMD lock: clear the PMD (GUP-fast rechecks it and backs off);
 * - tlb_remove_table_sync_one() (since 2ba99c5e0881): an IPI that waits for every IRQs-off
 *   GUP-fast walker still inside the old table, because the table becomes the huge PMD's deposit
 *   and may later be freed by zap_deposited_table() with a plain pte_free(), no RCU;
 * - __collapse_huge_page_isolate() under the old table's PTL: a page with an extra reference
 *   (a pin) aborts the collapse and the PMD is put back;
 * - __collapse_huge_page_copy(): copy, release the isolation, clear the old PTE, drop its reference;
 * - __folio_mark_uptodate() (smp_wmb()), then under the PMD lock deposit the old table and
 *   set_pmd_at() the huge PMD.
 * Returns false if it backed off.
 */
export const collapse_huge_page = kernelFunction(khugepaged('collapse_huge_page', 'v6.0–v6.18',
  'one PTE; mmu_notifier, LRU isolation, rmap and counters not modelled; the locks the caller holds are not modelled'),
function* (t: Ctx, cpus: Cpus, cpu: Cpu, r: CollapseRange, idx: number, version: CollapseVersion, hooks: CollapseHooks = {}): ThreadGen<boolean> {
  const { mm, T, P, HP } = r;
  // v6.0–v6.4: pte = pte_offset_map(pmd, address); pte_ptl = pte_lockptr(mm, pmd), before the clear.
  if (version !== 'v6.5') yield t.load(mm.pmd);
  yield t.lock(mm.pml); // pmd_ptl = pmd_lock(mm, pmd): "probably unnecessary"
  const pmd = yield* pmdp_collapse_flush(t, mm, { returnsOld: true, afterClear: hooks.afterClear });
  yield t.unlock(mm.pml);
  if (version !== 'v6.0') yield* tlb_remove_table_sync_one(t, cpus, cpu);
  // v6.5+: pte_offset_map_lock(mm, &_pmd, …): the table of the local copy, under RCU until pte_unmap().
  if (version === 'v6.5') yield* rcu_read_lock(t, cpu);
  if (!(yield* __collapse_huge_page_isolate(t, T, P))) {
    if (version === 'v6.5') yield* pte_unmap(t, cpu);
    yield t.lock(mm.pml);
    yield* pmd_populate(t, mm, pmd);
    yield t.unlock(mm.pml);
    return false;
  }
  yield* __collapse_huge_page_copy(t, T, idx, P, HP);
  if (version === 'v6.5') yield* pte_unmap(t, cpu);
  yield* __folio_mark_uptodate(t, HP);
  yield t.lock(mm.pml);
  yield* pgtable_trans_huge_deposit(t, r.pmd, T);
  yield* set_pmd_at(t, mm, pmd_leaf(HP.pfn));
  yield t.unlock(mm.pml);
  return true;
});

/** The changes to collapse_pte_mapped_thp() a scenario can turn on (variants). */
export interface CollapsePteMappedKnobs {
  /** Step 4 without its pmd_same() recheck (as v6.6–v6.12 had it, before PT reclaim existed). */
  noStep4PmdSame?: boolean;
  /** How the retracted table is freed (default pte_free_defer(): RCU). */
  freeTable?: (T: PageTable) => ThreadGen<void>;
}

/**
 * collapse_pte_mapped_thp() (try_collapse_pte_mapped_thp() since v6.18) of v6.14+, with the mmap
 * lock held for read, for the file's huge folio `folio` whose pages the VMA's table maps by PTEs.
 * The kernel's argument, step by step:
 * - filemap_lock_folio(): the folio lock stops further PTEs of the folio being faulted in;
 * - step 1, under pte_offset_map_lock(): every present PTE maps the folio's matching page;
 * - (a uffd-armed MAP_PRIVATE VMA takes the PMD lock now: UFFDIO_COPY ignores the folio lock);
 * - step 2, pte_offset_map_rw_nolock() and the PTL: recheck pmd_same() (the table may have been
 *   reclaimed and replaced since step 1), then re-validate and clear each PTE;
 * - step 3, folio_ref_sub() of the cleared mappings;
 * - step 4, PMD lock with the PTL nested: recheck pmd_same() again (MADV_DONTNEED's PT reclaim can
 *   have freed the emptied table in between), pmdp_collapse_flush(), pmdp_get_lockless_sync();
 * - pte_free_defer(). Returns whether the table was retracted.
 */
export const collapse_pte_mapped_thp = kernelFunction({
  name: 'collapse_pte_mapped_thp', file: 'mm/khugepaged.c', version: 'v6.14–v6.18',
  note: 'one PTE; mmu_notifier, rmap, counters and step 5 (install_pmd) not modelled',
}, function* (t: Ctx, cpus: Cpus, cpu: Cpu, vma: Vma, folio: Folio, knobs: CollapsePteMappedKnobs = {}): ThreadGen<boolean> {
  const mm = vma.mmAtPmd;
  const matches = (v: number) => pte_present(v) && pte_pfn(v) === folio.pfn;
  yield* filemap_lock_folio(t, folio);
  let retracted = false;
  if (pmd_is_table(yield t.load(mm.pmd))) { // find_pmd_or_thp_or_none(); none: step 5 only
    let ok = false;
    const m1 = yield* pte_offset_map_lock(t, cpu, mm);
    if (m1) { // step 1: check all mapped PTEs are to the right huge page
      ok = true;
      for (const e of m1.T.entries) { const v = yield t.load(e); if (v !== PTE_NONE && !matches(v)) ok = false; }
      yield t.unlock(m1.T.ptl);
      yield* pte_unmap(t, cpu);
    }
    const pml = vma.uffdArmed && !vma.shared;
    if (ok && pml) yield t.lock(mm.pml);
    const m = ok ? yield* pte_offset_map_rw_nolock(t, cpu, mm) : null;
    let nr = 0;
    let pmlHeld = pml && ok;
    if (m) {
      yield t.lock(m.T.ptl);
      let abort = (yield t.load(mm.pmd)) !== m.pmdval; // pmd_same(pgt_pmd, pmdp_get_lockless(pmd))
      for (let i = 0; !abort && i < m.T.entries.length; i++) { // step 2: clear page table and adjust rmap
        const v = yield t.load(m.T.entries[i]);
        if (v === PTE_NONE) continue;
        if (!matches(v)) { abort = true; break; }
        yield t.store(m.T.entries[i], PTE_NONE); // clear_ptes(); folio_remove_rmap_ptes()
        nr++;
      }
      if (!abort) {
        if (!pml) yield t.unlock(m.T.ptl);
        if (nr) yield* folio_ref_sub(t, folio, nr); // step 3
        if (!pml) { // step 4: remove empty page table
          yield t.lock(mm.pml);
          pmlHeld = true;
          yield t.lock(m.T.ptl); // spin_lock_nested(ptl)
          if (!knobs.noStep4PmdSame && (yield t.load(mm.pmd)) !== m.pmdval) abort = true; // "flush_tlb_mm(); goto unlock"
          nr = 0;
        }
        if (!abort) {
          const pgt = yield* pmdp_collapse_flush(t, mm, { returnsOld: true });
          yield* pmdp_get_lockless_sync(t, cpus, cpu, mm.pae);
          yield t.unlock(m.T.ptl);
          yield* pte_unmap(t, cpu);
          yield t.unlock(mm.pml);
          const T = table(vma.mm, pmd_table_id(pgt));
          yield* (knobs.freeTable ? knobs.freeTable(T) : pte_free_defer(t, cpus, cpu, T));
          retracted = true;
        }
      }
      if (!retracted) { // abort: / unlock:
        if (nr) yield* folio_ref_sub(t, folio, nr);
        yield t.unlock(m.T.ptl);
        yield* pte_unmap(t, cpu);
      }
    }
    if (!retracted && pmlHeld) yield t.unlock(mm.pml);
  }
  yield* folio_put(t, folio); // drop_folio: folio_unlock(); folio_put()
  return retracted;
});

// ---------------------------------------------------------------- file THP: retract_page_tables()

/** The retract_page_tables() of a kernel era (both without the mmap lock, since 1d65b771bc08). */
export type RetractVersion = 'v6.6' | 'v6.13';

/** The changes to retract_page_tables() a scenario can turn on (variants). */
export interface RetractKnobs {
  /** U4.c: clear the PMD holding only the PMD lock, not PTL(T). */
  noPtl?: boolean;
  /** Trust the unlocked anon_vma / uffd-wp check: no recheck under the PTL. */
  noRetractableRecheck?: boolean;
}

/** file_backed_vma_is_retractable() (v6.18; the anon_vma and userfaultfd_wp() tests of v6.6). */
function* file_backed_vma_is_retractable(t: Ctx, vma: Vma): ThreadGen<boolean> {
  if (yield t.load(vma.anon_vma)) return false; // READ_ONCE(vma->anon_vma): MAP_PRIVATE, written to
  if (vma.uffdWp) return false; // userfaultfd_wp(vma): PTE markers may be installed
  return true;
}

/** check_pmd_state(): the PMD still points to a PTE table (not none, not huge). */
export const check_pmd_state = kernelFunction({ name: 'check_pmd_state', file: 'mm/khugepaged.c', version: 'v6.13–v6.18' },
  function* (t: Ctx, pmd: Pmd): ThreadGen<boolean> {
    const v = yield t.load(pmd.pmd); // pmdp_get_lockless()
    return pmd_is_table(v) && !pmd_trans_huge(v);
  });

/**
 * retract_page_tables() (mm/khugepaged.c, v6.6+): after collapse_file() put the new huge folio in
 * the page cache, locked, and unmapped the small pages, detach the now empty PTE tables of every
 * VMA mapping the range, with i_mmap_rwsem held shared and no mmap lock.
 *
 * The kernel does not scan the table for entries. Its argument: the locked huge folio blocks the
 * faults that would map the file's pages; a VMA with an anon_vma (MAP_PRIVATE, written to) or
 * uffd-wp is skipped, and since UFFDIO ioctls run without the locks retract holds, both checks are
 * repeated under the PTL: a racing UFFDIO_COPY sets vma->anon_vma before it takes the PTL to
 * install its PTE, so either the recheck sees the anon_vma or the ioctl finds the PMD changed.
 * v6.13 adds check_pmd_state() under the PMD lock, for a table replaced meanwhile (it must be
 * empty too); v6.6–v6.12 took the PTL from `pte_lockptr(mm, pmd)` without that check.
 */
export const retract_page_tables = kernelFunction({
  name: 'retract_page_tables', file: 'mm/khugepaged.c', version: 'v6.6–v6.18',
  note: 'mmu_notifier and hpage_collapse_test_exit() not modelled; v6.13+ adds check_pmd_state()',
}, function* (t: Ctx, cpus: Cpus, cpu: Cpu, mapping: AddressSpaceRmap, version: RetractVersion, knobs: RetractKnobs = {}): ThreadGen<void> {
  yield* i_mmap_lock_read(t, mapping);
  for (const vma of mapping.i_mmap) {
    if (!(yield* file_backed_vma_is_retractable(t, vma))) continue;
    // find_pmd_or_thp_or_none(): a PTE table is there.
    const seen = yield t.load(vma.pmd.pmd);
    if (!pmd_is_table(seen) || pmd_trans_huge(seen)) continue;
    yield t.lock(vma.pmd.pml); // pml = pmd_lock(mm, pmd)
    let pgt = 0;
    let locked: PageTable | null = null;
    if (version === 'v6.6' || (yield* check_pmd_state(t, vma.pmd))) {
      // ptl = pte_lockptr(mm, pmd): the lock of the table *pmd points to now.
      locked = table(vma.mm, pmd_table_id(yield t.load(vma.pmd.pmd)));
      if (!knobs.noPtl) yield* lockPtl(t, locked); // spin_lock_nested(ptl, SINGLE_DEPTH_NESTING)
      if (knobs.noRetractableRecheck || (yield* file_backed_vma_is_retractable(t, vma))) {
        pgt = yield* pmdp_collapse_flush(t, vma.mmAtPmd, { returnsOld: true });
        yield* pmdp_get_lockless_sync(t, cpus, cpu, vma.mmAtPmd.pae);
      }
      if (!knobs.noPtl) yield t.unlock(locked.ptl);
    }
    yield t.unlock(vma.pmd.pml);
    if (pgt) yield* pte_free_defer(t, cpus, cpu, table(vma.mm, pmd_table_id(pgt)));
  }
  yield* i_mmap_unlock_read(t, mapping);
});


// ---------------------------------------------------------------- file THP: collapse_pte_mapped_thp() of v6.1

/**
 * collapse_and_free_pmd() (v6.1, mmap lock held for write): pmdp_collapse_flush() and pte_free().
 * Before 8d3c106e19e8 it held the PMD lock for the clear and nothing else; after it, the caller
 * holds i_mmap_rwsem (and, for a VMA with one, the anon_vma lock) for write instead, "the same
 * kind of protection as free_pgtables()", and the PMD lock is gone.
 */
function* collapseAndFreePmd(t: Ctx, vma: Vma, fixed: boolean): ThreadGen<void> {
  if (!fixed) yield t.lock(vma.pmd.pml);
  const pmd = yield* pmdp_collapse_flush(t, vma.mmAtPmd, { returnsOld: true });
  if (!fixed) yield t.unlock(vma.pmd.pml);
  // mm_dec_nr_ptes(); page_table_check_pte_clear_range(); pte_free(): the entries are stale
  // (step 2 removed their rmap, step 3 their references) and stay in the freed table.
  yield* pte_free(t, table(vma.mm, pmd_table_id(pmd)), { staleEntries: true });
}

const collapse_and_free_pmd_v6_0 = kernelFunction({ name: 'collapse_and_free_pmd', file: 'mm/khugepaged.c', version: 'v6.1-rc (before 8d3c106e19e8)' },
  (t: Ctx, vma: Vma) => collapseAndFreePmd(t, vma, false));
const collapse_and_free_pmd_v6_1 = kernelFunction({ name: 'collapse_and_free_pmd', file: 'mm/khugepaged.c', version: 'v6.1–v6.4' },
  (t: Ctx, vma: Vma) => collapseAndFreePmd(t, vma, true));

/**
 * collapse_pte_mapped_thp() of v6.1 (khugepaged_collapse_pte_mapped_thps() holds the mmap lock for
 * write), for `HP`, the file's huge folio mapped by PTEs at `vma`'s range: under the PTL check that
 * every present PTE maps HP's page, remove their rmap, drop their references, then retract the
 * table. Before 8d3c106e19e8 it took no i_mmap_rwsem, so a file rmap walk (truncation) could be
 * walking the table it freed; the fix takes it for write (`fix.locks`) and skips VMAs with an
 * anon_vma (`fix.anonVma`), whose lock an anon rmap walk holds.
 */
export const collapse_pte_mapped_thp_v6_1 = kernelFunction({
  name: 'collapse_pte_mapped_thp', file: 'mm/khugepaged.c', version: 'v5.4–v6.4', note: 'one PTE; v6.1-rc code before and after 8d3c106e19e8',
}, function* (t: Ctx, vma: Vma, HP: Folio, fix: { locks: boolean; anonVma: boolean }): ThreadGen<boolean> {
  const fixed = fix.locks;
  if (fix.anonVma && (yield t.load(vma.anon_vma))) return false; // SCAN_VMA_CHECK: symmetry with retract_page_tables()
  yield* find_lock_page(t, HP); // the folio lock itself excludes nothing here
  let done = false;
  if (pmd_is_table(yield t.load(vma.pmd.pmd))) { // find_pmd_or_thp_or_none()
    if (fixed) yield* i_mmap_lock_write(t, vma.file!);
    const { T, ptl } = yield* pte_offset_map_lock_v6_0(t, vma.mmAtPmd);
    let count = 0;
    let abort = false;
    for (const e of T.entries) { // step 1: check all mapped PTEs are to the right huge page
      const v = yield t.load(e);
      if (v === PTE_NONE) continue;
      if ((v & 0xff) !== HP.pfn) { abort = true; break; }
      count++;
    }
    // step 2: page_remove_rmap() for each (the mapcount is not modelled).
    yield t.unlock(ptl.ptl);
    if (!abort) {
      if (count) yield* page_ref_sub(t, HP, count); // step 3
      yield* (fixed ? collapse_and_free_pmd_v6_1(t, vma) : collapse_and_free_pmd_v6_0(t, vma)); // step 4
      done = true;
    }
    if (fixed) yield* i_mmap_unlock_write(t, vma.file!);
  }
  yield* folio_put(t, HP); // drop_hpage: unlock_page(); put_page(), i.e. folio_put()
  return done;
});
