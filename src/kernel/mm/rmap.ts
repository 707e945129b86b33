// The reverse map (mm/rmap.c): attaching an anon_vma to a VMA before its first anonymous page is
// mapped there. Khugepaged's page-table retraction reads vma->anon_vma to skip MAP_PRIVATE VMAs
// that were written to, and rechecks it under the PTL because anon_vma_prepare() can run
// concurrently (userfaultfd ioctls hold neither the mmap lock for write nor i_mmap_rwsem).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { kernelFunction } from '../kfn.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import { anon_vma_lock_write, anon_vma_unlock_write } from '../include/linux/rmap.ts';

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
