// Reclaim of one mapped folio (mm/vmscan.c shrink_folio_list; docs/design/protocols.md §7.5): unmap (moving
// the PTE's dirty bit to the folio), flush, then write a dirty folio to swap or drop a clean one.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { folio_put, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, pte_dirty, type PageTable } from '../include/linux/pgtable.ts';
import { flush_tlb_range } from '../arch/x86/mm/tlb.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

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
