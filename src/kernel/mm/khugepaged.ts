// khugepaged (mm/khugepaged.c; docs/design/protocols.md §3.6, §4.4(a)(b), §8.3): collapsing the small pages of
// one PTE table into a huge page, and detaching PTE tables of file THPs.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder, FinalState } from '../../engine/program.ts';
import { folio_put, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_leaf, pmd_table, type PageTable } from '../include/linux/pgtable.ts';
import { newMm, type Mm } from './mm.ts';

/** An anon range collapse_huge_page() can work on. */
export interface CollapseRange {
  /** The small page mapped at the address (refcount 1: the mapping). */
  P: Folio;
  /** The huge folio khugepaged has allocated for the range (pfn 9). */
  HP: Folio;
  /** The PTE table mapping P at T0[0], writable. */
  T: PageTable;
  mm: Mm;
}

/** The objects of a collapse: P mapped writable at T0[0], the huge folio HP, and the mm. */
export function newCollapseRange(b: Builder): CollapseRange {
  const P = newFolio(b, 'P', 1, 1);
  const HP = newFolio(b, 'HP', 9, 1);
  const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]);
  const mm = newMm(b, pmd_table(0), [T], [P, HP]);
  return { P, HP, T, mm };
}

/** What a user reads at the address in a final state: HP once the huge PMD is installed, else P. */
export function data_at_address(s: FinalState, r: CollapseRange): number {
  return s.value(r.mm.pmd) === pmd_leaf(r.HP.pfn) ? s.value(r.HP.data) : s.value(r.P.data);
}

/** Where a scenario adds to collapse_huge_page() (a TLB flush and what the arch does with it). */
export interface CollapseHooks {
  /** Runs right after the PMD is cleared: the TLB flush and whatever serialization the arch adds. */
  afterClear?: () => ThreadGen<void>;
}

/**
 * collapse_huge_page() for an anon range mapped by T[idx] -> P (mmap_lock held for write and the
 * anon_vma lock: faults and rmap walkers are excluded, lockless walkers are not):
 * pmdp_collapse_flush, isolate + refcount check under the PTL (a pinned page aborts), copy,
 * clear the old PTE, install the huge PMD, release P. Returns false if it backed off.
 */
export function* collapse_huge_page(t: Ctx, mm: Mm, T: PageTable, idx: number, P: Folio, HP: Folio,
  hooks: CollapseHooks = {}): ThreadGen<boolean> {
  const pmd: number = yield* t.call('pmdp_collapse_flush', (function* (): ThreadGen<number> {
    const old = yield t.xchg(mm.pmd, 0); // clear the PMD
    if (hooks.afterClear) yield* hooks.afterClear();
    return old;
  })());
  const ok = yield* t.call('__collapse_huge_page_isolate', (function* (): ThreadGen<boolean> {
    yield t.lock(T.ptl);
    const c = yield t.load(P._refcount);
    if (c !== 1) { yield t.unlock(T.ptl); return false; } // an extra reference (maybe a pin): give up
    yield t.fetchAdd(P._refcount, 1); // isolated
    yield t.unlock(T.ptl);
    return true;
  })());
  if (!ok) {
    yield* t.call('pmd_populate', (function* (): ThreadGen<void> { yield t.store(mm.pmd, pmd); })());
    return false;
  }
  yield* t.call('__collapse_huge_page_copy', (function* (): ThreadGen<void> {
    yield t.store(HP.data, yield t.load(P.data));
    yield t.lock(T.ptl);
    yield t.store(T.entries[idx], PTE_NONE);
    yield t.unlock(T.ptl);
    yield* folio_put(t, P); // the old mapping's reference
  })());
  yield* t.call('set_pmd_at', (function* (): ThreadGen<void> { yield t.store(mm.pmd, pmd_leaf(HP.pfn)); })());
  yield* t.call('release_pte_folio', folio_put(t, P)); // the isolation reference
  return true;
}

/**
 * collapse_pte_mapped_thp() steps 2-4 for one entry: clear the PTE and drop its reference, then
 * under PML + PTL detach the (now empty) table. The caller frees it (pte_free_defer, or the
 * variant under test).
 */
export function* collapse_pte_mapped_thp(t: Ctx, mm: Mm, T: PageTable, idx: number, P: Folio): ThreadGen<void> {
  yield t.lock(T.ptl);
  yield t.store(T.entries[idx], PTE_NONE);
  yield t.unlock(T.ptl);
  yield* folio_put(t, P);
  yield t.lock(mm.pml);
  yield t.lock(T.ptl);
  yield* t.call('pmdp_collapse_flush', (function* (): ThreadGen<void> { yield t.store(mm.pmd, 0); })());
  yield t.unlock(T.ptl);
  yield t.unlock(mm.pml);
}

/**
 * retract_page_tables() for one VMA: under PML (and, in the kernel, PTL(T) nested: lemma L4),
 * detach T if it maps nothing. Returns whether it detached T.
 */
export function* retract_page_tables(t: Ctx, mm: Mm, T: PageTable, opts: { takePtl: boolean }): ThreadGen<boolean> {
  yield t.lock(mm.pml);
  if (opts.takePtl) yield t.lock(T.ptl);
  let ok = true;
  for (const e of T.entries) if ((yield t.load(e)) !== PTE_NONE) ok = false;
  if (ok) yield* t.call('pmdp_collapse_flush', (function* (): ThreadGen<void> { yield t.store(mm.pmd, 0); })());
  if (opts.takePtl) yield t.unlock(T.ptl);
  yield t.unlock(mm.pml);
  return ok;
}
