// Seed 004, weak memory: a folio fresh from the allocator published in the page cache while a
// speculative lookup (filemap_get_entry(): RCU, xas_load, folio_try_get, xas_reload) finds it.
// The memory was somebody else's folio before (seed 004: pages freed and reused while a
// speculative walker holds a pointer), so its identity fields hold stale values until
// __filemap_add_folio() sets them. What publishes them is the release in xas_store()
// (rcu_assign_pointer()); the lookup's side is its fully ordered folio_try_get().
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { folioField, folio_put, newFolio } from '../include/linux/page_ref.ts';
import { folio_alloc } from '../include/linux/gfp.ts';
import { __filemap_add_folio, filemap_get_entry, newAddressSpace, slotCursor } from '../mm/filemap.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I9 } from '../invariants.ts';

function make(knob: 'xas-store-without-release' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const F = newFolio(b, 'F', 1, 0); // in the allocator
    const index = folioField(b, F, 'index', 99, (v) => `index ${v}`); // left over from its previous owner
    const A = newAddressSpace(b, 'A', [0]);
    b.thread('CPU0', function* (t: Ctx) {
      // filemap_add_folio(A, F, 0) of a freshly allocated folio.
      const got = yield* folio_alloc(t, F);
      yield t.assume(got);
      yield* __filemap_add_folio(t, A, 0, F, index, knob !== 'xas-store-without-release');
    });
    b.thread('CPU1', function* (t: Ctx) {
      const f = yield* filemap_get_entry(t, cpus.cpu[1], slotCursor(t, A, 0), () => F);
      if (!f) return;
      // The caller checks the folio it got: folio->mapping / folio->index (e.g. filemap_get_folio's
      // callers, find_lock_entries()).
      const i = yield t.load(index);
      yield t.assert(i === 0, I9, () => `filemap_get_entry(A, 0) on CPU1 returned F holding a reference, but F's index reads ${i}: the identity of the folio's previous life`);
      yield* folio_put(t, f);
    });
  };
}

export const speculativeLookupScenario: Scenario = {
  name: 'page-cache-publish-vs-speculative-lookup',
  description: 'a reused folio published in the page cache (xas_store = rcu_assign_pointer) while a speculative lookup finds it (§5, weak memory)',
  seed: '004', section: '§5',
  variants: variants('page-cache-publish-vs-speculative-lookup', make, [
    { name: 'safe', ref: '§5', expected: 'ok', model: 'lkmm', description: 'xas_store() publishes with rcu_assign_pointer(), a release: the folio\'s new identity is visible to whoever finds it' },
    { name: 'xas-store-without-release', kernels: 'a hypothetical change to v6.12', ref: '§5', expected: 'I9', model: 'lkmm', barrierDrop: true, description: 'barrier drop: the slot written with a plain WRITE_ONCE: the lookup finds F and gets a reference, but reads the index of its previous life (LKMM only)' },
  ]),
};
