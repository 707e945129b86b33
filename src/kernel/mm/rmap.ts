// The reverse map (mm/rmap.c, mm/page_vma_mapped.c): attaching an anon_vma to a VMA before its
// first anonymous page is mapped there, and the anon rmap walk of a page. Khugepaged's page-table retraction reads vma->anon_vma to skip MAP_PRIVATE VMAs
// that were written to, and rechecks it under the PTL because anon_vma_prepare() can run
// concurrently (userfaultfd ioctls hold neither the mmap lock for write nor i_mmap_rwsem).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { kernelFunction } from '../kfn.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import { anon_vma_lock_read, anon_vma_lock_write, anon_vma_unlock_read, anon_vma_unlock_write, type AnonVma } from '../include/linux/rmap.ts';
import { pmd_is_table, pmd_table_id, pte_pfn, pte_present } from '../include/linux/pgtable.ts';
import { table } from './mm.ts';
import { lockPtl } from './pgtable-generic.ts';

/**
 * __anon_vma_prepare() (anon_vma_prepare() when vma->anon_vma is NULL): under the anon_vma lock
 * and mm->page_table_lock, link the VMA to its anon_vma and set vma->anon_vma. The anon_vma
 * chain allocation and find_mergeable_anon_vma() are left out.
 */
export const anon_vma_prepare = kernelFunction({
  name: '__anon_vma_prepare', file: 'mm/rmap.c', version: 'v5.4–v6.18', note: 'allocation and merging not modelled',
}, function* (t: Ctx, vma: Vma, page_table_lock: Loc): ThreadGen<void> {
  if (yield t.load(vma.anon_vma)) return; // anon_vma_prepare(): already there
  if (vma.av) yield* anon_vma_lock_write(t, vma.av);
  yield t.lock(page_table_lock); // "page_table_lock to protect against threads"
  if (!(yield t.load(vma.anon_vma))) yield t.store(vma.anon_vma, 1);
  yield t.unlock(page_table_lock);
  if (vma.av) yield* anon_vma_unlock_write(t, vma.av);
});

/**
 * page_vma_mapped_walk() of v6.0 for a small page at the VMA's address (mm/page_vma_mapped.c):
 * READ_ONCE(*pmd); a present table is mapped with pte_offset_map() — no RCU, no recheck: the
 * caller's rmap lock is what keeps the table — and the PTE peeked at before pte_lockptr() and
 * spin_lock(). Returns whether the PTE maps `pfn` (the lock is dropped again here).
 */
export const page_vma_mapped_walk_v6_0 = kernelFunction({
  name: 'page_vma_mapped_walk', file: 'mm/page_vma_mapped.c', version: 'v5.x–v6.4', note: 'one PTE, not PVMW_SYNC',
}, function* (t: Ctx, vma: Vma, pfn: number): ThreadGen<boolean> {
  const mm = vma.mmAtPmd;
  const pmde = yield t.load(mm.pmd);
  if (!pmd_is_table(pmde)) return false;
  const T = table(mm, pmd_table_id(yield t.load(mm.pmd))); // map_pte(): pte_offset_map(pvmw->pmd)
  const pte = yield t.load(T.entries[0]);
  if (!pte_present(pte)) return false;
  const ptl = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_lockptr(vma->vm_mm, pvmw->pmd)
  yield* lockPtl(t, ptl);
  const found = pte_pfn(yield t.load(T.entries[0])) === pfn; // check_pte()
  yield t.unlock(ptl.ptl);
  return found;
});

/**
 * rmap_walk_anon() of an anonymous page (e.g. folio_referenced() or try_to_unmap() of a page a
 * child COWed): anon_vma lock shared, then every VMA linked to the anon_vma — including MAP_PRIVATE
 * file VMAs of the parent, whose page tables it walks at the page's address.
 */
export const rmap_walk_anon = kernelFunction({ name: 'rmap_walk_anon', file: 'mm/rmap.c', version: 'v5.x–v6.4', note: 'the walk only (no rmap_one action)' },
  function* (t: Ctx, av: AnonVma, pfn: number): ThreadGen<void> {
    yield* anon_vma_lock_read(t, av);
    for (const vma of av.vmas) yield* page_vma_mapped_walk_v6_0(t, vma, pfn);
    yield* anon_vma_unlock_read(t, av);
  });
