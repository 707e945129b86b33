// §6 / U6.a, U6.c: refcount freezing against a speculative getter. The freezer (a folio split:
// it rewrites the folio's metadata while frozen) must know the exact count; a getter that sees 0
// backs off. Initial refcount 2 = the page cache's reference + the freezer's isolation reference
// (a split of an unmapped page-cache folio: the folio lock keeps truncation away meanwhile).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { checkNotFrozen, folioField, folio_put, folio_ref_freeze, folio_ref_unfreeze, folio_try_get, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { newAddressSpace, slotPfn } from '../mm/filemap.ts';
import { __split_folio_to_order } from '../mm/huge_memory.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I6 } from '../invariants.ts';

type Knob = 'freeze-load-compare-store' | 'unfreeze-forgets-own-ref';

/** U6.a: folio_ref_freeze() as "if refcount == count then refcount = 0" (a hypothetical change). */
const folioRefFreezeLoadCompareStore = kernelFunction({ name: 'folio_ref_freeze', file: 'include/linux/page_ref.h', version: MAINLINE },
  function* (t: Ctx, F: Folio, count: number): ThreadGen<boolean> {
    const c = yield t.load(F._refcount);
    if (c !== count) return false;
    yield t.store(F.frozen, t.tid + 1); // ghost: the freezer has decided it owns F
    yield t.store(F._refcount, 0);
    return true;
  });

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const F = newFolio(b, 'F', 1, 2);
    const A = newAddressSpace(b, 'A', [1]);
    F.holders.push({ loc: A.slots[0], holds: (v) => slotPfn(v) === 1, what: 'A.i_pages[0]' });
    const order = folioField(b, F, 'order', 1, (v) => `order ${v}`);

    b.thread('CPU0', function* (t: Ctx) {
      // A speculative getter holding a stale pointer (PFN walker, GUP-fast, page-cache lookup).
      if (yield* folio_try_get(t, F)) {
        yield* checkNotFrozen(t, F, 'folio_try_get');
        yield* folio_put(t, F);
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      // split_folio(): freeze, rewrite metadata, unfreeze, drop the isolation reference.
      let frozen: boolean;
      if (knob === 'freeze-load-compare-store') {
        frozen = yield* folioRefFreezeLoadCompareStore(t, F, 2);
      } else {
        frozen = yield* folio_ref_freeze(t, F, 2);
      }
      if (frozen) {
        yield* __split_folio_to_order(t, order, 0);
        yield* folio_ref_unfreeze(t, F, knob === 'unfreeze-forgets-own-ref' ? 1 : 2);
      }
      yield* folio_put(t, F);
    });
    b.final((s) => {
      const got = s.value(F._refcount);
      return got === 1 ? null : { invariant: I6, message: `at the end F's refcount is ${got}, expected 1 (the page cache's reference)` };
    });
  };
}

export const pageRefFreezeScenario: Scenario = {
  name: 'page-ref-freeze',
  description: 'folio_ref_freeze()/unfreeze() around a split against a speculative folio_try_get() (§6)',
  seed: '002',
  section: '§6',
  variants: variants<Knob>('page-ref-freeze', make, [
    { name: 'safe', ref: '§6', expected: 'ok',
      description: 'freeze = cmpxchg(2 -> 0); unfreeze(2) with release; the getter uses add-unless-zero' },
    { name: 'freeze-load-compare-store', kernels: 'a hypothetical change to v6.12', ref: 'U6.a', expected: 'I5', also: ['I7'],
      description: 'freeze as "if refcount == 2 then refcount = 0": a getter\'s increment between the load and the store is lost (I5), and the folio is freed under the getter (I7)' },
    { name: 'unfreeze-forgets-own-ref', kernels: 'a hypothetical change to v6.12', ref: 'U6.c', expected: 'I7',
      description: 'unfreeze(1) forgetting the freezer\'s own reference: the folio is freed while still in the page cache' },
  ]),
};
