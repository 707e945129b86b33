// Freeing a folio whose last reference went (mm/swap.c __folio_put). The model checks, as the
// memory goes back to the allocator, that no structural reference to it remains (I7).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import { ghostLoad } from '../ghost.ts';
import { I7 } from '../invariants.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

/** Where __folio_put() comes from (the struct-page model of mm/hugetlb_vmemmap.ts declares it too). */
export const FOLIO_PUT_SOURCE = { name: '__folio_put', file: 'mm/swap.c', version: MAINLINE };

/** __folio_put(): the folio goes back to the allocator; no PTE or page-cache slot may still name it (I7). */
export const __folio_put = kernelFunction(FOLIO_PUT_SOURCE,
  function* (t: Ctx, f: Folio): ThreadGen<void> {
    for (const h of f.holders) {
      const v = yield* ghostLoad(t, h.loc);
      yield t.assert(!h.holds(v), I7, () => `${f.name} freed by CPU${t.tid} while ${h.what} still references it`);
    }
    yield t.store(f.freed, 1);
  });
