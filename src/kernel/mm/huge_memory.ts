// Splitting huge pages (mm/huge_memory.c __split_folio_to_order, __split_huge_pmd_locked). The
// model's folio split rewrites one word of the folio's metadata while the folio is frozen (its
// order, or a tail page's compound_head); the freeze and unfreeze around it are the caller's
// (include/linux/page_ref.ts). The PMD split turns a huge PMD into a PTE table.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { PMD_INVALID, _PAGE_PRESENT, _PAGE_RW, mk_pte, pmd_table, pmd_trans_huge, type PageTable } from '../include/linux/pgtable.ts';
import { pmd_populate, pmdp_huge_get_and_clear } from '../arch/x86/include/asm/pgtable.ts';
import { pmdp_invalidate } from './pgtable-generic.ts';
import { smp_wmb } from '../include/asm-generic/barrier.ts';
import type { Mm } from './mm.ts';

/** __split_folio_to_order(): the frozen folio's metadata word `meta` becomes `value`. */
export const __split_folio_to_order = kernelFunction({ name: '__split_folio_to_order', file: 'mm/huge_memory.c', version: MAINLINE, note: 'one metadata word' },
  function* (t: Ctx, meta: Loc, value: number): ThreadGen<void> {
    yield t.store(meta, value);
  });

/**
 * __split_huge_pmd_locked() of the huge PMD (PML held): pmdp_invalidate() keeps the PMD non-none,
 * the deposited table T is filled, smp_wmb() "make pte visible before pmd", pmd_populate().
 * `viaPmdNone`: clear then populate (U8.c); `noWmb`: the barrier-drop variant.
 */
export const __split_huge_pmd_locked = kernelFunction({ name: '__split_huge_pmd_locked', file: 'mm/huge_memory.c', version: MAINLINE, note: 'one entry of the deposited table' },
  function* (t: Ctx, mm: Mm, T: PageTable, opts: { viaPmdNone?: boolean; noWmb?: boolean } = {}): ThreadGen<void> {
    const pmd = yield t.load(mm.pmd);
    if (!pmd_trans_huge(pmd)) return;
    const pfn = pmd & 0xff;
    if (opts.viaPmdNone) yield* pmdp_huge_get_and_clear(t, mm);
    else yield* pmdp_invalidate(t, mm, PMD_INVALID | pfn);
    yield t.store(T.entries[0], mk_pte(pfn, _PAGE_PRESENT | _PAGE_RW)); // fill the deposited table
    if (!opts.noWmb) yield smp_wmb(t); // "make pte visible before pmd"
    yield* pmd_populate(t, mm, pmd_table(T.id));
  });
