// Zapping user mappings (mm/memory.c zap_pte_range, simplified to one entry; docs/design/protocols.md §1, §4).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { folio_put } from '../include/linux/page_ref.ts';
import { PTE_NONE, pte_present, pte_pfn, type PageTable } from '../include/linux/pgtable.ts';
import { folio as folioAt, type Mm } from './mm.ts';

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
