// §5, weak memory: a buffered read (filemap_read()) of a folio whose read I/O is completing. The
// reader finds the folio in the page cache under RCU (filemap_get_read_batch()), tests
// PG_uptodate there, leaves the read-side section and copies the data (copy_folio_to_iter()). The
// completion writes the data and then folio_mark_uptodate(): smp_wmb(), set_bit(). What orders
// the reader's copy after its flag test is the smp_rmb() in folio_test_uptodate(). Without it,
// the only thing between the test and the copy is rcu_read_unlock(), which is not a barrier: the
// variant that relies on it is caught under the LKMM (which has rcu_read_unlock() as
// F[rcu-unlock], ordering nothing), and must not be under SC or TSO (loads stay in order there).
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { folio_put, newFolio } from '../include/linux/page_ref.ts';
import { folio_mark_uptodate, folio_test_uptodate, newFolioFlags } from '../include/linux/page-flags.ts';
import { filemap_get_read_batch, newAddressSpace, slotCursor } from '../mm/filemap.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I19 } from '../invariants.ts';

const DATA = 7; // what the read I/O brings in; the memory held 0 before

function make(knob: 'rcu-read-unlock-as-rmb' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const F = newFolio(b, 'F', 1, 1); // A[0], refcount 1: the page cache's reference; F.data 0
    const flags = newFolioFlags(b, F); // locked for the read I/O, not uptodate yet
    const A = newAddressSpace(b, 'A', [1]);
    const rmb = knob !== 'rcu-read-unlock-as-rmb';
    b.thread('CPU0', function* (t: Ctx) {
      // The read I/O completes (a filesystem's read completion): the data lands in the folio,
      // then folio_mark_uptodate().
      yield t.store(F.data, DATA);
      yield* folio_mark_uptodate(t, flags);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // filemap_read() of A[0] with IOCB_NOWAIT: filemap_get_pages() -> filemap_get_read_batch().
      const got = yield* filemap_get_read_batch(t, cpus.cpu[1], slotCursor(t, A, 0), () => F, () => flags, rmb);
      if (!got) return;
      // filemap_get_pages() tests the batch's last folio again; not uptodate: filemap_update_page()
      // returns -EAGAIN for IOCB_NOWAIT (the read that waits for the I/O is not this scenario).
      if (got.uptodate && (yield* folio_test_uptodate(t, flags, rmb))) {
        const d = yield t.load(F.data, 0); // copy_folio_to_iter(): a plain copy
        yield t.assert(d === DATA, I19, () => `filemap_read() on CPU1 found F uptodate and copied ${d}, the memory's content before the read I/O (${DATA})`);
      }
      yield* folio_put(t, got.folio);
    });
  };
}

export const readUptodateScenario: Scenario = {
  name: 'filemap-read-vs-read-completion',
  description: "a buffered read copies a folio it found uptodate under RCU while the folio's read I/O completes (§5, weak memory: folio_test_uptodate()'s smp_rmb())",
  seed: '004', section: '§5',
  variants: variants('filemap-read-vs-read-completion', make, [
    { name: 'safe', ref: '§5', expected: 'ok', description: 'folio_test_uptodate() with its smp_rmb(), paired with folio_mark_uptodate()\'s smp_wmb(): the copy sees the data' },
    { name: 'rcu-read-unlock-as-rmb', kernels: 'a hypothetical change to v6.12', ref: '§5', expected: 'I19', model: 'lkmm', barrierDrop: true, description: 'barrier drop: folio_test_uptodate() without its smp_rmb(), relying on the rcu_read_unlock() between the test and the copy, which is not a barrier: the copy reads the memory before the I/O (LKMM only)' },
  ]),
};
