// userfaultfd's UFFDIO_COPY (mm/userfaultfd.c mfill_atomic(), mfill_atomic_pte_copy(),
// mfill_atomic_install_pte()): resolves a missing fault by installing a freshly filled page. It
// holds only the mmap lock for read (or the per-VMA lock), so it runs concurrently with
// khugepaged's retract_page_tables(), which holds neither: the installer maps its PTE with
// pte_offset_map_lock() (which rechecks the PMD after taking the PTL), and on a MAP_PRIVATE VMA
// it sets vma->anon_vma first, which retract rechecks under that PTL.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { kernelFunction } from '../kfn.ts';
import type { Cpu } from '../cpus.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import { _PAGE_PRESENT, _PAGE_RW, mk_pte, pmd_is_table, pmd_none, pmd_trans_huge } from '../include/linux/pgtable.ts';
import { pte_offset_map_lock, pte_unmap, set_pte_at } from './pgtable-generic.ts';
import { anon_vma_prepare } from './rmap.ts';

/** What the ioctl returned for the page (0 = installed; the errno otherwise). */
export type MfillResult = 0 | 'EEXIST' | 'EAGAIN' | 'pte_alloc';

/**
 * mfill_atomic_install_pte() of an anonymous copy: under pte_offset_map_lock() (NULL if the table
 * went away: -EAGAIN), install the PTE if the entry is still none.
 */
export const mfill_atomic_install_pte = kernelFunction({
  name: 'mfill_atomic_install_pte', file: 'mm/userfaultfd.c', version: 'v6.5–v6.18', note: 'anon copy only; rmap and counters not modelled',
}, function* (t: Ctx, cpu: Cpu, vma: Vma, idx: number, page: Folio): ThreadGen<MfillResult> {
  const m = yield* pte_offset_map_lock(t, cpu, vma.mmAtPmd);
  if (!m) return 'EAGAIN';
  let ret: MfillResult = 'EEXIST';
  if ((yield t.load(m.T.entries[idx])) === 0) { // pte_none_mostly(ptep_get(dst_pte))
    yield* set_pte_at(t, vma.mmAtPmd, m.T, idx, mk_pte(page.pfn, _PAGE_PRESENT | _PAGE_RW));
    ret = 0;
  }
  yield t.unlock(m.T.ptl);
  yield* pte_unmap(t, cpu);
  return ret;
});

/** mfill_atomic_pte_copy(): the page is filled from the user buffer (not modelled), then installed. */
const mfill_atomic_pte_copy = kernelFunction({ name: 'mfill_atomic_pte_copy', file: 'mm/userfaultfd.c', version: 'v6.5–v6.18', note: 'the copy from the user buffer not modelled' },
  (t: Ctx, cpu: Cpu, vma: Vma, idx: number, page: Folio): ThreadGen<MfillResult> => mfill_atomic_install_pte(t, cpu, vma, idx, page));

/**
 * mfill_atomic() for one page of UFFDIO_COPY into a MAP_PRIVATE VMA (mmap lock for read held by
 * the caller): anon_vma_prepare(), then check the PMD, then mfill_atomic_pte_copy() (the page
 * was filled from the user buffer beforehand) and mfill_atomic_install_pte(). A none PMD would be
 * given a new table by __pte_alloc(); that table is not the one a racing retract works on, and
 * the model stops there ('pte_alloc').
 */
export const mfill_atomic_copy = kernelFunction({
  name: 'mfill_atomic', file: 'mm/userfaultfd.c', version: 'v6.5–v6.18', note: 'UFFDIO_COPY of one page into a MAP_PRIVATE VMA',
}, function* (t: Ctx, cpu: Cpu, vma: Vma, idx: number, page: Folio, page_table_lock: Loc): ThreadGen<MfillResult> {
  if (!vma.shared) yield* anon_vma_prepare(t, vma, page_table_lock);
  if (pmd_none(yield t.load(vma.pmd.pmd))) return 'pte_alloc'; // pmdp_get_lockless(dst_pmd)
  const pmd = yield t.load(vma.pmd.pmd); // again, after the __pte_alloc() it did not need
  if (!pmd_is_table(pmd) || pmd_trans_huge(pmd)) return 'EEXIST';
  return yield* mfill_atomic_pte_copy(t, cpu, vma, idx, page);
});
