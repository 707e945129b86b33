// Zapping user mappings (mm/memory.c zap_pte_range, simplified to one entry; docs/design/protocols.md §1, §4).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { folio_put } from '../include/linux/page_ref.ts';
import { PTE_NONE, pmd_is_table, pmd_table_id, pte_present, pte_pfn, type PageTable } from '../include/linux/pgtable.ts';
import { i_mmap_lock_read, i_mmap_unlock_read, type AddressSpaceRmap } from '../include/linux/fs.ts';
import { kernelFunction } from '../kfn.ts';
import { folio as folioAt, table, type Mm } from './mm.ts';
import { lock_ptl } from './pgtable-generic.ts';

/**
 * zap_pte_range() for entry `idx` of T under its PTL: ptep_get_and_clear, then (after the TLB
 * flush, which on broadcast-flush architectures does not wait for IRQs-off walkers) the page's
 * mapping reference is dropped: tlb_finish_mmu() -> folio_put().
 */
export function* zap_pte(t: Ctx, mm: Mm, T: PageTable, idx: number): ThreadGen<void> {
  yield t.lock(T.ptl);
  const pte = yield t.xchg(T.entries[idx], PTE_NONE);
  yield t.unlock(T.ptl);
  if (pte_present(pte)) yield* t.call('tlb_finish_mmu', folio_put(t, folioAt(mm, pte_pfn(pte))));
}

// ---------------------------------------------------------------- file rmap walk: truncation (v6.0)

/**
 * pte_offset_map_lock() before v6.5 (include/linux/mm.h): a macro that reads *pmd twice — once in
 * pte_lockptr() for the lock, once in pte_offset_map() for the table — with no RCU and no recheck.
 * Its callers hold a lock under which the PMD may not change (the mmap lock, the anon_vma lock or
 * i_mmap_rwsem: the rule 8d3c106e19e8 restored).
 */
export const pte_offset_map_lock_v6_0 = kernelFunction({ name: 'pte_offset_map_lock', file: 'include/linux/mm.h', version: 'v2.6.x–v6.4' },
  function* (t: Ctx, mm: Mm): ThreadGen<{ T: PageTable; ptl: PageTable }> {
    const ptl = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_lockptr(mm, pmd): the table whose lock
    const T = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_offset_map(pmd, address)
    yield* lock_ptl(t, ptl);
    return { T, ptl };
  });

/**
 * unmap_mapping_range() as truncation calls it (v6.0): i_mmap_rwsem shared, then for each VMA
 * mapping the range zap_page_range_single() -> zap_pmd_range() -> zap_pte_range(), without the
 * mmap lock and without the folio lock. The page's reference is dropped by tlb_finish_mmu().
 */
export const unmap_mapping_range = kernelFunction({
  name: 'unmap_mapping_range', file: 'mm/memory.c', version: 'v5.4–v6.4', note: 'one PTE per VMA; mmu_gather batching left out',
}, function* (t: Ctx, mapping: AddressSpaceRmap, idx: number): ThreadGen<void> {
  yield* i_mmap_lock_read(t, mapping);
  for (const vma of mapping.i_mmap) {
    const mm = vma.mmAtPmd;
    const pmd = yield t.load(mm.pmd); // zap_pmd_range(): pmd_none_or_trans_huge_or_clear_bad()
    if (!pmd_is_table(pmd)) continue;
    const { T, ptl } = yield* t.call('zap_pte_range', pte_offset_map_lock_v6_0(t, mm));
    const pte = yield* t.call('zap_pte_range', (function* (): ThreadGen<number> {
      const v = yield t.load(T.entries[idx]);
      if (pte_present(v)) yield t.store(T.entries[idx], PTE_NONE); // ptep_get_and_clear_full()
      return v;
    })());
    yield t.unlock(ptl.ptl); // pte_unmap_unlock()
    if (pte_present(pte)) yield* t.call('tlb_finish_mmu', folio_put(t, folioAt(mm, pte_pfn(pte))));
  }
  yield* i_mmap_unlock_read(t, mapping);
});
