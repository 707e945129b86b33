// The rows of docs/design/variants.md that need a weaker memory model than SC (docs/design/protocols.md §M.3, §14.3): their unsafe
// variants are store-buffering or message-passing shapes that SC cannot exhibit.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { cpuField, Cpus } from '../cpus.ts';
import { local_irq_disable, local_irq_enable } from '../include/linux/irqflags.ts';
import { folioField, folio_put_refs, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_PRESENT, mk_pte, newPageTable, pmd_is_table, pmd_table, pmd_table_id, pte_present, type PageTable } from '../include/linux/pgtable.ts';
import { newMm, table } from '../mm/mm.ts';
import { pte_free } from '../mm/mmu_gather.ts';
import { begin_lockless_pgtbl_walk, end_lockless_pgtbl_walk, serializeAgainstPteLookupByCount } from '../arch/powerpc/mm/book3s64/pgtable.ts';
import { smp_mb, smp_mb__after_atomic } from '../include/asm-generic/barrier.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I5, I15 } from '../invariants.ts';
import { ghostWord } from '../ghost.ts';

/**
 * try_grab_folio_fast()'s FOLL_PIN part reduced to the pin: folio_ref_add() (an atomic_add, no
 * ordering by itself), then smp_mb__after_atomic() so the pin is visible before the rechecks
 * (`mb: false`: the barrier dropped, U1.d).
 */
const pinGrab = kernelFunction({ name: 'try_grab_folio_fast', file: 'mm/gup.c', version: MAINLINE },
  function* (t: Ctx, P: Folio, mb: boolean): ThreadGen<void> {
    yield t.fetchAdd(P._refcount, 1024, Mode.Relaxed); // atomic_add: the pin, no ordering by itself
    if (mb) yield smp_mb__after_atomic(t);
  });

/**
 * __folio_try_share_anon_rmap() in try_to_migrate_one() of the exclusive anon page at T[0]:
 * smp_mb() (pairing with GUP-fast's smp_mb__after_atomic()), then the pin check: a page that may
 * be pinned gets its PTE back and migration backs off; else AnonExclusive is cleared.
 */
const __folio_try_share_anon_rmap = kernelFunction({ name: '__folio_try_share_anon_rmap', file: 'include/linux/rmap.h', version: MAINLINE },
  function* (t: Ctx, T: PageTable, P: Folio, anonExclusive: Loc, shared: Loc): ThreadGen<void> {
    yield smp_mb(t);
    const c = yield t.load(P._refcount);
    if (c >= 1024) { yield t.store(T.entries[0], mk_pte(P.pfn, _PAGE_PRESENT)); return; } // maybe pinned: restore, back off
    yield t.store(anonExclusive, 0);
    yield t.store(shared, 1);
  });

// ---------------------------------------------------------------- U1.d: FOLL_PIN vs try_to_migrate
function makePin(knob: 'no-mb-after-pin' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const P = newFolio(b, 'P', 1, 2); // mapping + migration's isolation reference
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT)]); // read-only PTE
    const mm = newMm(b, pmd_table(0), [T], [P]);
    const excl = folioField(b, P, 'AnonExclusive', 1);
    const pinned = ghostWord(b, 'pinned');
    const shared = ghostWord(b, 'unmapped_unpinned');
    b.thread('CPU0', function* (t: Ctx) {
      // gup_fast(FOLL_PIN) on a read-only PTE: pin, barrier, recheck PTE, then require AnonExclusive.
      const cpu = cpus.cpu[0];
      yield* local_irq_disable(t, cpu);
      const pte = yield t.load(T.entries[0]);
      let ok = false;
      if (pte_present(pte)) {
        yield* pinGrab(t, P, knob !== 'no-mb-after-pin');
        const again = yield t.load(T.entries[0]);
        const ex = yield t.load(excl);
        ok = again === pte && ex === 1; // gup_must_unshare(): a R/O pin needs an exclusive page
        if (!ok) yield* folio_put_refs(t, P, 1024); // gup_put_folio()
      }
      yield* local_irq_enable(t, cpu);
      if (ok) yield t.store(pinned, 1);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // try_to_migrate_one() on the exclusive anon page: clear PTE, then __folio_try_share_anon_rmap().
      yield t.lock(T.ptl);
      yield t.xchg(T.entries[0], PTE_NONE); // ptep_clear_flush (xchg: a full barrier by itself)
      yield* __folio_try_share_anon_rmap(t, T, P, excl, shared);
      yield t.unlock(T.ptl);
    });
    b.final((s) => (s.value(pinned) && s.value(shared)
      ? { invariant: I15, message: 'CPU0 holds a FOLL_PIN on P while try_to_migrate unmapped it and cleared AnonExclusive (the pin check saw no pin)' }
      : null));
    void mm;
  };
}

export const pinVsMigrateScenario: Scenario = {
  name: 'gup-fast-pin-vs-try-to-migrate',
  description: 'pin_user_pages_fast() on a read-only PTE against try_to_migrate() of the exclusive anon page: a store-buffering pair (§1.3(5), U1.d)',
  seed: '000', section: '§1',
  variants: variants('gup-fast-pin-vs-try-to-migrate', makePin, [
    { name: 'safe', ref: '§1', expected: 'ok', model: 'lkmm', description: 'smp_mb__after_atomic() after the pin pairs with the full barrier before the unmapper\'s pin check' },
    { name: 'no-mb-after-pin', kernels: 'a hypothetical change to v6.12', ref: 'U1.d', expected: 'I15', model: 'lkmm', description: 'no barrier after the (unordered) atomic_add of the pin: the recheck can read the PTE before the pin is visible' },
  ]),
};

// ---------------------------------------------------------------- U8.d: counting lockless walkers
/** __collapse_huge_page_copy() reduced to its clearing of the old PTE. */
const clearOldPte = kernelFunction({ name: '__collapse_huge_page_copy', file: 'mm/khugepaged.c', version: MAINLINE },
  function* (t: Ctx, T: PageTable): ThreadGen<void> {
    yield t.store(T.entries[0], PTE_NONE);
  });

function makeCount(knob: 'no-mb-around-counter' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT)]);
    const mm = newMm(b, pmd_table(0), [T], []);
    const count = cpuField(b, cpus.cpu[0], 'lockless_pgtbl_walk_count', 0);
    b.thread('CPU0', function* (t: Ctx) {
      // begin_lockless_pgtbl_walk() (per-CPU counter); __find_linux_pte(); end_lockless_pgtbl_walk().
      yield* begin_lockless_pgtbl_walk(t, count, knob !== 'no-mb-around-counter');
      const pmd = yield t.load(mm.pmd);
      if (pmd_is_table(pmd)) {
        const T2 = table(mm, pmd_table_id(pmd));
        t.depends('addr', mm.pmd); // __find_linux_pte(): PTE pointer computed from the pmd value
        yield t.load(T2.entries[0]);
      }
      yield* end_lockless_pgtbl_walk(t, count, knob !== 'no-mb-around-counter');
    });
    b.thread('CPU1', function* (t: Ctx) {
      // THP collapse with count-based serialize_against_pte_lookup(): clear, MB, wait for walkers, free.
      yield t.store(mm.pmd, 0);
      yield* serializeAgainstPteLookupByCount(t, count);
      yield* clearOldPte(t, T);
      yield* pte_free(t, T);
    });
  };
}

export const walkCountScenario: Scenario = {
  name: 'lockless-walk-counter',
  description: 'the 2019 count-based tracking of lockless page-table walks (not merged): a per-CPU counter instead of an IPI (§8.6, U8.d)',
  seed: '003', section: '§8',
  variants: variants('lockless-walk-counter', makeCount, [
    { name: 'safe', kernels: 'a proposed patch (2019, not merged)', ref: '§8', expected: 'ok', model: 'tso', description: 'smp_mb() after the increment and before the decrement, pairing with the splitter\'s smp_mb() before it reads the counter' },
    { name: 'no-mb-around-counter', kernels: 'a hypothetical change to the 2019 proposal', ref: 'U8.d', expected: 'I1', model: 'tso', description: 'no barrier: the increment sits in the store buffer while the walker already reads *pmd; the splitter reads 0 and frees the table' },
  ]),
};

// ---------------------------------------------------------------- U6.d: unfreeze without release
function makeUnfreeze(knob: 'unfreeze-without-release' | undefined) {
  return (b: Builder) => {
    const F = newFolio(b, 'F', 1, 2);
    const order = folioField(b, F, 'order', 1, (v) => `order ${v}`);
    b.thread('CPU0', function* (t: Ctx) {
      // split: freeze, rewrite the folio's order, unfreeze.
      const old = yield t.cmpxchg(F._refcount, 2, 0);
      if (old !== 2) return;
      yield t.store(order, 0);
      yield t.store(F._refcount, 1, knob === 'unfreeze-without-release' ? Mode.Once : Mode.Release);
    });
    b.thread('CPU1', function* (t: Ctx) {
      const old = yield t.addUnless(F._refcount, 1, 0);
      if (old === 0) return;
      const o = yield t.load(order);
      yield t.assert(!(old === 1 && o !== 0), I5, () => `CPU1's reference was granted by CPU0's unfreeze, yet it reads the pre-freeze order ${o}`);
    });
  };
}

export const unfreezeReleaseScenario: Scenario = {
  name: 'unfreeze-release',
  description: 'page_ref_unfreeze() publishing metadata written while frozen: a message-passing pair (§6.2, U6.d)',
  seed: '002', section: '§6',
  variants: variants('unfreeze-release', makeUnfreeze, [
    { name: 'safe', ref: '§6', expected: 'ok', model: 'lkmm', description: 'unfreeze is a store-release; a successful add-unless-zero is fully ordered' },
    { name: 'unfreeze-without-release', kernels: 'a hypothetical change to v6.12', ref: 'U6.d', expected: 'I5', model: 'lkmm', description: 'unfreeze as a plain WRITE_ONCE: the new count can become visible before the new order' },
  ]),
};
