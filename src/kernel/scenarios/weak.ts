// The rows of docs/design/variants.md that need a weaker memory model than SC (docs/design/protocols.md §M.3, §14.3): their unsafe
// variants are store-buffering or message-passing shapes that SC cannot exhibit.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { cpuField, Cpus } from '../cpus.ts';
import { folioField, newFolio } from '../include/linux/page_ref.ts';
import { newAnonFolio } from '../include/linux/page-flags.ts';
import { pin_user_pages_fast } from '../mm/gup.ts';
import { try_to_migrate_one } from '../mm/rmap.ts';
import { flush_tlb_mm_range } from '../arch/x86/mm/tlb.ts';
import { arm64_flush_tlb_page } from '../arch/arm64/include/asm/tlbflush.ts';
import { PTE_NONE, _PAGE_PRESENT, mk_pte, newPageTable, pmd_is_table, pmd_table, pmd_table_id, type PageTable } from '../include/linux/pgtable.ts';
import { newMm, table } from '../mm/mm.ts';
import { pte_free } from '../mm/mmu_gather.ts';
import { begin_lockless_pgtbl_walk, end_lockless_pgtbl_walk, serializeAgainstPteLookupByCount } from '../arch/powerpc/mm/book3s64/pgtable.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I5, I15 } from '../invariants.ts';
import { ghostWord } from '../ghost.ts';

// ---------------------------------------------------------------- U1.d / B6: FOLL_PIN vs try_to_migrate
type PinKnob = 'no-mb-after-pin' | 'pre-fix' | 'fixed' | 'pre-fix-ipi-flush';

/**
 * A read-only FOLL_PIN by GUP-fast on an AnonExclusive page mapped read-only, against
 * try_to_migrate_one() of that page (migrate_pages() without TTU_BATCH_FLUSH: ptep_clear_flush()).
 * "(B1) read the PTE, (B3) pin, (B4) recheck the PTE, (B5) gup_must_unshare()" against "(A1)
 * clear the PTE, (A2) back off if maybe pinned, (A3) ClearPageAnonExclusive(), (A4) the migration
 * entry" (088b8aa537c2). The flush is arm64's (a DSB, no IPI), except in `pre-fix-ipi-flush`.
 * The kernels of B6 (v5.19–v6.1) have no PMD recheck in GUP-fast yet (70cbc3cc78a9, v6.2).
 */
function makePin(knob: PinKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const P = newAnonFolio(b, 'P', 1, 2); // the mapping + migration's isolation reference
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT)]); // read-only (e.g. after mprotect(PROT_READ))
    const mm = newMm(b, pmd_table(0), [T], [P]);
    const pinned = ghostWord(b, 'pinned');
    const preFix = knob === 'pre-fix' || knob === 'pre-fix-ipi-flush';
    const v6_1 = preFix || knob === 'fixed'; // B6's kernels: before 70cbc3cc78a9's PMD recheck
    b.thread('CPU0', function* (t: Ctx) {
      const g = yield* pin_user_pages_fast(t, cpus.cpu[0], mm, 0, {}, {
        noMbAfterPin: preFix || knob === 'no-mb-after-pin', noMustUnshareRmb: preFix, noPmdRecheck: v6_1,
      });
      if (g) yield t.store(pinned, 1); // the pin is kept
    });
    b.thread('CPU1', function* (t: Ctx) {
      const flush = knob === 'pre-fix-ipi-flush'
        ? () => flush_tlb_mm_range(t, cpus, cpus.cpu[1]) // x86 flush_tlb_page(): an IPI that waits for GUP-fast's IRQs-off walk
        : () => arm64_flush_tlb_page(t);
      yield* try_to_migrate_one(t, T, 0, P, { flush, noShareBarriers: preFix });
    });
    b.final((s) => (s.value(pinned) && s.value(P.PG_anon_exclusive) === 0
      ? { invariant: I15, message: 'CPU0 holds a FOLL_PIN on P, which try_to_migrate_one() unmapped and made possibly shared (PageAnonExclusive cleared): its pin check saw no pin and GUP-fast\'s rechecks saw neither the PTE change nor the flag' }
      : null));
  };
}

export const pinVsMigrateScenario: Scenario = {
  name: 'gup-fast-pin-vs-try-to-migrate',
  description: 'pin_user_pages_fast() (read-only) of an AnonExclusive page against try_to_migrate_one() of it: a store-buffering pair (§1.3(5), U1.d, B6)',
  seed: '000', section: '§1',
  variants: variants<PinKnob>('gup-fast-pin-vs-try-to-migrate', makePin, [
    { name: 'safe', ref: '§1', expected: 'ok', model: 'lkmm', kernels: 'v6.2–v6.18',
      description: 'smp_mb__after_atomic() after the pin pairs with the smp_mb() before the pin check in folio_try_share_anon_rmap_pte(); smp_rmb() in gup_must_unshare() with smp_mb__after_atomic() after ClearPageAnonExclusive()' },
    { name: 'no-mb-after-pin', ref: 'U1.d', expected: 'I15', model: 'lkmm', kernels: 'a hypothetical change to v6.12',
      description: 'no barrier after the (unordered) atomic_add of the pin: the recheck can read the PTE before the pin is visible' },
    { name: 'pre-fix', ref: '§1', expected: 'I15', model: 'lkmm', commit: '088b8aa537c2', fixes: '6c287605fd56', kernels: 'v5.19–v6.0 (arm64)',
      description: 'the kernel before 088b8aa537c2: no barrier after the pin, none in gup_must_unshare() or page_try_share_anon_rmap(); the unmap relied on its TLB flush, which on arm64 is a barrier on its own CPU but no IPI: GUP-fast\'s PTE recheck reads the old PTE before its pin is visible to the pin check' },
    { name: 'fixed', ref: '§1', expected: 'ok', model: 'lkmm', commit: '088b8aa537c2', fixes: '6c287605fd56', kernels: 'v6.1 (arm64)',
      description: '088b8aa537c2 on the pre-fix kernel: smp_mb__after_atomic() after the pin in try_grab_folio(), smp_mb() before the pin check and smp_mb__after_atomic() after ClearPageAnonExclusive() in page_try_share_anon_rmap(), smp_rmb() in gup_must_unshare()' },
    { name: 'pre-fix-ipi-flush', ref: '§1', expected: 'ok', model: 'lkmm', kernels: 'v5.19–v6.0 (x86)',
      origin: 'the same kernel before 088b8aa537c2 on an architecture whose TLB flush is an IPI (x86): "On architectures that send an IPI broadcast on TLB flush, it works as expected"',
      description: 'the flush waits for GUP-fast\'s IRQs-off walk, so the pin check comes after GUP-fast\'s recheck or GUP-fast\'s PTE read after the clear' },
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
