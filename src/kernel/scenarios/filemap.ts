// §5 / U5.a: the speculative page-cache lookup against truncation and reuse of the folio by
// another file. The lookup's reference can land on a folio that was freed and handed to file B;
// only xas_reload() after the reference tells it that the folio it holds is not A's any more.
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { folio_put, newFolio } from '../include/linux/page_ref.ts';
import { folio_alloc } from '../include/linux/gfp.ts';
import { filemap_add_folio, filemap_get_entry, filemap_remove_folio, newAddressSpace, slotCursor, slotPfn } from '../mm/filemap.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I6 } from '../invariants.ts';

type Knob = 'no-xas-reload';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const F = newFolio(b, 'F', 1, 1); // refcount 1: the page cache's reference
    const A = newAddressSpace(b, 'A', [1]);
    const B = newAddressSpace(b, 'B', [0]);
    F.holders.push({ loc: A.slots[0], holds: (v) => slotPfn(v) === 1, what: 'A.i_pages[0]' });
    F.holders.push({ loc: B.slots[0], holds: (v) => slotPfn(v) === 1, what: 'B.i_pages[0]' });
    const folios = () => F;

    b.thread('CPU0', function* (t: Ctx) {
      const f = yield* filemap_get_entry(t, cpus.cpu[0], slotCursor(t, A, 0), folios, { noReload: knob === 'no-xas-reload' });
      if (f) yield* folio_put(t, f);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // truncate_inode_pages(A): folio locked, removed from i_pages under the lock, cache ref dropped.
      yield* filemap_remove_folio(t, A, 0);
      yield* folio_put(t, F);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // The allocator hands the freed folio to file B (filemap_add_folio(B, F, 0)).
      const got = yield* folio_alloc(t, F);
      yield t.assume(got);
      yield* filemap_add_folio(t, B, 0, 1);
    });
    b.final((s) => {
      const inB = slotPfn(s.value(B.slots[0])) === 1;
      const want = inB ? 1 : 0;
      const got = s.value(F._refcount);
      return got === want ? null : { invariant: I6, message: `at the end F's refcount is ${got}, expected ${want} (${inB ? "B's page-cache reference" : 'free'})` };
    });
  };
}

export const filemapScenario: Scenario = {
  name: 'filemap-lookup-vs-truncate',
  description: 'filemap_get_entry() against truncation of A and reuse of the folio as a page of file B (§5)',
  seed: '004',
  section: '§5',
  variants: variants<Knob>('filemap-lookup-vs-truncate', make, [
    { name: 'safe', ref: '§5', expected: 'ok',
      description: 'RCU lookup: xas_load, folio_try_get, xas_reload, retry on mismatch' },
    { name: 'no-xas-reload', kernels: 'a hypothetical change to v6.12', ref: 'U5.a', expected: 'I9',
      description: 'lookup returns the folio without xas_reload(): after truncate + reuse it returns B\'s page as A[0]' },
  ]),
};
