// The page allocator handing memory out again (include/linux/gfp.h folio_alloc, alloc_pages). The
// model allocates one particular page, and only if it is free at this moment: a scenario asks
// "what if the freed page is reused now?", not for a fresh page.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import type { Folio } from './page_ref.ts';
import type { PageTable } from './pgtable.ts';
import { FREED, Mode } from '../../../engine/ops.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';

const src = (name: string) => ({ name, file: 'include/linux/gfp.h', version: MAINLINE, note: 'the model reuses one given page if it is free now' });

/**
 * folio_alloc() of the folio's memory if it is free now: refcount 0 -> 1, new generation.
 * Returns false (and does nothing) when the page is still in use.
 */
export const folio_alloc = kernelFunction(src('folio_alloc'), function* (t: Ctx, f: Folio): ThreadGen<boolean> {
  const free = yield t.load(f.freed);
  if (!free) return false;
  yield t.store(f.freed, 0);
  yield t.fetchAdd(f.gen, 1);
  yield t.store(f._refcount, 1);
  return true;
});

/**
 * alloc_pages() handing out a freed page-table page as a data page: a new generation of that
 * memory, whose bytes now look like PTEs (`garbage` in the first entry). Only if it is free now.
 */
export const alloc_pages = kernelFunction(src('alloc_pages'), function* (t: Ctx, T: PageTable, garbage: number): ThreadGen<void> {
  t.mayBeFreed(); // the allocator's own look at its free page
  const v = yield t.load(T.entries[0], Mode.Acquire);
  // Not free yet: this execution is not the reuse the scenario asks about. The explorer stalls
  // this load (mayBeFreed, then a failing assume) until the free is there
  // (docs/design/exploration.md §3.2), so a free queued on a later thread (call_rcu()'s
  // callback) costs no blocked execution per complete one.
  yield t.assume(v === FREED);
  for (let i = 0; i < T.entries.length; i++) yield t.alloc(T.entries[i], i === 0 ? garbage : 0);
});
