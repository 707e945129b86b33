// Reclaim of one mapped folio (mm/vmscan.c shrink_folio_list; docs/design/protocols.md §7.5): unmap (moving
// the PTE's dirty bit to the folio), flush, then write a dirty folio to swap or drop a clean one.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { folio_put, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, pte_dirty, type PageTable } from '../include/linux/pgtable.ts';
import { flush_tlb_range } from '../arch/x86/mm/tlb.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import type { Mm } from './mm.ts';
import { folio_trylock, folio_unlock } from '../include/linux/pagemap.ts';
import type { SwpEntry } from '../include/linux/swapops.ts';
import { add_to_swap, type SwapFolio } from './swap_state.ts';
import type { SwapInfo } from './swapfile.ts';
import { try_to_unmap_one_swap } from './rmap.ts';

/** The folio's PG_dirty, its swap slot, and (ghost) whether it was swapped out. */
export interface ReclaimState {
  pgDirty: Loc;
  backing: Loc;
  swapped: Loc;
}

/** shrink_folio_list() of folio p mapped at T[idx]: try_to_unmap(), then pageout() or drop. */
export const shrink_folio_list = kernelFunction({ name: 'shrink_folio_list', file: 'mm/vmscan.c', version: MAINLINE, note: 'try_to_unmap() and pageout() inlined, one folio' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, T: PageTable, idx: number, p: Folio, r: ReclaimState): ThreadGen<void> {
    yield t.lock(T.ptl);
    const pte = yield t.xchg(T.entries[idx], PTE_NONE);
    if (pte_dirty(pte)) yield t.store(r.pgDirty, 1);
    yield* flush_tlb_range(t, cpus, cpu);
    yield t.store(r.swapped, 1);
    yield t.unlock(T.ptl);
    if (yield t.load(r.pgDirty)) yield t.store(r.backing, yield t.load(p.data)); // pageout()
    yield* folio_put(t, p);
  });

/**
 * shrink_folio_list() swapping out one mapped, order-0 anon folio (v6.8–v6.15): lock it, give it a
 * swap slot and put it in the swap cache (add_to_swap()), unmap it (try_to_unmap(): its one PTE
 * T[idx] becomes the swap entry). pageout() starts the write; the model leaves the folio in the
 * swap cache, clean and unlocked, as it is while (and after) the write completes until a later
 * pass frees it — __remove_mapping() is not modelled. LRU isolation and its reference are not
 * modelled. Returns the entry, or 0 if the folio was not swapped out.
 */
export const shrink_folio_list_swapout = kernelFunction({
  name: 'shrink_folio_list', file: 'mm/vmscan.c', version: 'v6.8–v6.15', note: 'the anon swap-out of one folio: add_to_swap(), try_to_unmap(); pageout() and __remove_mapping() not modelled',
}, function* (t: Ctx, cpu: Cpu, si: SwapInfo, folio: SwapFolio, mm: Mm, T: PageTable, idx: number): ThreadGen<SwpEntry> {
  if (!(yield* folio_trylock(t, folio))) return 0;
  let entry: SwpEntry = 0;
  if (!(yield t.load(folio.PG_swapcache))) entry = yield* add_to_swap(t, si, cpu, folio);
  if (entry && !(yield* try_to_unmap_one_swap(t, si, mm, T, idx, folio))) entry = 0;
  yield* folio_unlock(t, folio);
  return entry;
});
