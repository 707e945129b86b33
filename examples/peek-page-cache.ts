// Worked example of docs/writing-scenarios.md: "my patch peeks at a page-cache folio's data under
// RCU with a speculative reference; is rechecking the slot needed?" (checked by a test). It
// imports mmcheck as any scenario outside the repository does: `npx mmcheck check this-file.ts`.
import type { Builder, Ctx } from 'mmcheck';
import {
  Cpus, rcu_read_lock, rcu_read_unlock, folio_alloc, folio_put, folio_try_get, newFolio,
  newAddressSpace, slotPfn, xas_store, variants, I9, type Scenario,
} from 'mmcheck/kernel';

function make(knob: 'skip-reload' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const F = newFolio(b, 'F', 1, 1, { data: 7 }); // A[0], refcount 1: the page cache's reference
    const A = newAddressSpace(b, 'A', [1]);
    b.thread('CPU0', function* (t: Ctx) { // the patch under review: my_peek(A, 0)
      yield* rcu_read_lock(t, cpus.cpu[0]);
      const e = yield t.load(A.slots[0]);
      if (slotPfn(e) === 1 && (yield* folio_try_get(t, F))) {
        const mine = knob === 'skip-reload' || slotPfn(yield t.load(A.slots[0])) === 1;
        if (mine) {
          const d = yield t.load(F.data);
          yield t.assert(d === 7, I9, () => `my_peek(A, 0) read ${d}, which is not A[0]'s data`);
        }
        yield* folio_put(t, F);
      }
      yield* rcu_read_unlock(t, cpus.cpu[0]);
    });
    b.thread('CPU1', function* (t: Ctx) { // truncate A[0]; the page is reused for other data
      yield t.lock(A.xa_lock);
      yield* xas_store(t, A, 0, 0);
      yield t.unlock(A.xa_lock);
      yield* folio_put(t, F);
      if (yield* folio_alloc(t, F)) yield t.store(F.data, 99);
    });
  };
}

export const peekExample: Scenario = {
  name: 'example-peek-page-cache',
  description: 'worked example: peeking at page-cache data with a speculative reference',
  seed: '004', section: '§5',
  variants: variants('example-peek-page-cache', make, [
    { name: 'safe', ref: '§5', expected: 'ok', description: 'recheck the slot after folio_try_get()' },
    { name: 'skip-reload', ref: 'U5.a', expected: 'I9', description: 'trust the first load of the slot' },
  ]),
};
export default peekExample;
