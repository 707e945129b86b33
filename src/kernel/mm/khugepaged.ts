// khugepaged (mm/khugepaged.c; docs/design/protocols.md §3.6, §4.4(a)(b), §8.3): collapsing the small pages of
// one PTE table into a huge page, and detaching PTE tables of file THPs.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder, FinalState } from '../../engine/program.ts';
import { folio_put, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_leaf, pmd_table, type PageTable } from '../include/linux/pgtable.ts';
import { pmd_populate, set_pmd_at } from '../arch/x86/include/asm/pgtable.ts';
import { pmdp_collapse_flush } from './pgtable-generic.ts';
import { newMm, type Mm } from './mm.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

const khugepaged = (name: string, note?: string) => ({ name, file: 'mm/khugepaged.c', version: MAINLINE, ...(note ? { note } : {}) });

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
export function dataAtAddress(s: FinalState, r: CollapseRange): number {
  return s.value(r.mm.pmd) === pmd_leaf(r.HP.pfn) ? s.value(r.HP.data) : s.value(r.P.data);
}

/** __collapse_huge_page_isolate(): under the PTL, a page with an extra reference (maybe a pin) aborts. */
const __collapse_huge_page_isolate = kernelFunction(khugepaged('__collapse_huge_page_isolate'),
  function* (t: Ctx, T: PageTable, P: Folio): ThreadGen<boolean> {
    yield t.lock(T.ptl);
    const c = yield t.load(P._refcount);
    if (c !== 1) { yield t.unlock(T.ptl); return false; } // an extra reference (maybe a pin): give up
    yield t.fetchAdd(P._refcount, 1); // isolated
    yield t.unlock(T.ptl);
    return true;
  });

/** __collapse_huge_page_copy(): copy the data, clear the old PTE, drop the old mapping's reference. */
const __collapse_huge_page_copy = kernelFunction(khugepaged('__collapse_huge_page_copy'),
  function* (t: Ctx, T: PageTable, idx: number, P: Folio, HP: Folio): ThreadGen<void> {
    yield t.store(HP.data, yield t.load(P.data));
    yield t.lock(T.ptl);
    yield t.store(T.entries[idx], PTE_NONE);
    yield t.unlock(T.ptl);
    yield* folio_put(t, P); // the old mapping's reference
  });

/** release_pte_folio(): drops the isolation reference. */
const release_pte_folio = kernelFunction(khugepaged('release_pte_folio'), (t: Ctx, P: Folio): ThreadGen<void> => folio_put(t, P));

/**
 * collapse_huge_page() for an anon range mapped by T[idx] -> P (mmap_lock held for write and the
 * anon_vma lock: faults and rmap walkers are excluded, lockless walkers are not):
 * pmdp_collapse_flush, isolate + refcount check under the PTL (a pinned page aborts), copy,
 * clear the old PTE, install the huge PMD, release P. Returns false if it backed off.
 * `afterClear` runs right after the PMD is cleared: the TLB flush and whatever serialization
 * the arch adds.
 */
export const collapse_huge_page = kernelFunction(khugepaged('collapse_huge_page', 'no tlb_remove_table_sync_one() after pmdp_collapse_flush() (the fidelity review)'),
  function* (t: Ctx, mm: Mm, T: PageTable, idx: number, P: Folio, HP: Folio, afterClear?: () => ThreadGen<void>): ThreadGen<boolean> {
    const pmd = yield* pmdp_collapse_flush(t, mm, { returnsOld: true, afterClear });
    if (!(yield* __collapse_huge_page_isolate(t, T, P))) {
      yield* pmd_populate(t, mm, pmd);
      return false;
    }
    yield* __collapse_huge_page_copy(t, T, idx, P, HP);
    yield* set_pmd_at(t, mm, pmd_leaf(HP.pfn));
    yield* release_pte_folio(t, P); // the isolation reference
    return true;
  });

/**
 * collapse_pte_mapped_thp() steps 2-4 for one entry: clear the PTE and drop its reference, then
 * under PML + PTL detach the (now empty) table. The caller frees it (pte_free_defer, or the
 * variant under test).
 */
export const collapse_pte_mapped_thp = kernelFunction(khugepaged('collapse_pte_mapped_thp', 'steps 2-4 for one entry; try_collapse_pte_mapped_thp() in later kernels'),
  function* (t: Ctx, mm: Mm, T: PageTable, idx: number, P: Folio): ThreadGen<void> {
    yield t.lock(T.ptl);
    yield t.store(T.entries[idx], PTE_NONE);
    yield t.unlock(T.ptl);
    yield* folio_put(t, P);
    yield t.lock(mm.pml);
    yield t.lock(T.ptl);
    yield* pmdp_collapse_flush(t, mm);
    yield t.unlock(T.ptl);
    yield t.unlock(mm.pml);
  });

/**
 * retract_page_tables() for one VMA: under PML (and, in the kernel, PTL(T) nested: lemma L4),
 * detach T if it maps nothing. Returns whether it detached T.
 */
export const retract_page_tables = kernelFunction(khugepaged('retract_page_tables', 'proves emptiness by scanning the entries (the kernel relies on the locked folio: issue 10)'),
  function* (t: Ctx, mm: Mm, T: PageTable, opts: { takePtl: boolean }): ThreadGen<boolean> {
    yield t.lock(mm.pml);
    if (opts.takePtl) yield t.lock(T.ptl);
    let ok = true;
    for (const e of T.entries) if ((yield t.load(e)) !== PTE_NONE) ok = false;
    if (ok) yield* pmdp_collapse_flush(t, mm);
    if (opts.takePtl) yield t.unlock(T.ptl);
    yield t.unlock(mm.pml);
    return ok;
  });
