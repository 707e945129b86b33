// §8: THP collapse/split against lockless walkers that keep more than a struct page (seed 003:
// "Why is THP special here?"). GUP-fast needs no serialization beyond RCU table freeing and its
// rechecks (gup-fast-vs-collapse); powerpc hash's __find_linux_pte() callers keep a *PTE pointer*
// and insert hash PTEs from it, so hash collapse must still wait for them (U8.b). PMD split must
// not pass through a transient none that lockless pmd_none() readers act on (U8.c).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus, local_irq_disable, local_irq_enable, smp_call_function } from '../rcu.ts';
import { folio_put, newFolio } from '../include/linux/page_ref.ts';
import {
  PMD_INVALID, PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_is_table, pmd_leaf, pmd_none,
  pmd_table, pmd_table_id, pmd_trans_huge, pte_pfn, pte_present,
} from '../include/linux/pgtable.ts';
import { folio as folioAt, newMm, table } from '../mm/mm.ts';
import { free_table } from '../mm/mmu_gather.ts';
import { collapse_huge_page, data_at_address, newCollapseRange } from '../mm/khugepaged.ts';
import { hw_access_begin, hw_access_end, newHwInsn, tlbie } from '../tlb.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I10 } from '../invariants.ts';

// ---------------------------------------------------------------- U8.b: hash MMU collapse
function makeHash(knob: 'no-serialize-against-pte-lookup' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const range = newCollapseRange(b);
    const { P, HP, T, mm } = range;
    const hpte = b.loc('cpu0.hash_pte', 0, (v) => (v ? `HPTE -> pfn ${v}` : 'none'));
    const insn = newHwInsn(b, cpus.cpu[0]);
    const wrote = b.loc('ghost.wrote', 0);
    const mmapLock = b.loc('mm.mmap_lock', 0, (v) => (v ? 'held for write' : 'unlocked'));
    b.thread('CPU0', function* (t: Ctx) {
      // A user store to a: through an HPTE if one exists; otherwise hash_page() (IRQs off) finds
      // the Linux PTE with __find_linux_pte() and inserts an HPTE from the PTE pointer.
      const cpu = cpus.cpu[0];
      for (let it = 0; ; it++) {
        // A bound, checked rather than assumed: under SC the store needs at most 3 attempts. Under
        // --model lkmm the explorer checks consistency at the leaves only, and without a bound
        // it keeps extending an LKMM-inconsistent prefix that rereads a stale *pmd forever.
        yield t.assert(it < 4, () => `BOUND: CPU0's user store is retried a 4th time (the model bounds the retries)`);
        yield* hw_access_begin(t, insn);
        const h = yield t.load(hpte);
        if (h) {
          t.depends('addr', hpte); // the store goes through the translation the HPTE gives
          yield t.store(folioAt(mm, h).data, 1);
          yield t.store(wrote, 1);
          yield* hw_access_end(t, insn);
          return;
        }
        yield* hw_access_end(t, insn);
        const ok = yield* t.call('hash_page', (function* (): ThreadGen<boolean> {
          yield* t.call('local_irq_disable', local_irq_disable(t, cpu));
          const pmd = yield t.load(mm.pmd); // __find_linux_pte()
          let pfn = 0;
          if (pmd_is_table(pmd)) {
            // __find_linux_pte(): the PTE pointer is computed from the pmd value read (addr dep).
            t.depends('addr', mm.pmd);
            const pte = yield t.load(table(mm, pmd_table_id(pmd)).entries[0]);
            if (pte_present(pte)) pfn = pte_pfn(pte);
          } else if (pmd_trans_huge(pmd)) pfn = pmd & 0xff;
          if (pfn) yield t.store(hpte, pfn); // insert the HPTE
          yield* t.call('local_irq_enable', local_irq_enable(t, cpu));
          return pfn !== 0;
        })());
        if (!ok) {
          // do_page_fault(): mmap_read_lock() waits for khugepaged, which holds mmap_lock for
          // write across the collapse, then the access is retried. (A spin on *pmd would let a
          // weak model read the old value forever; the lock's acquire is what the kernel has.)
          yield* t.call('do_page_fault', (function* (): ThreadGen<void> {
            yield t.lock(mmapLock);
            yield t.unlock(mmapLock);
          })());
        }
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      // collapse_huge_page() on the hash MMU (mmap_lock held for write).
      const cpu = cpus.cpu[1];
      yield* t.call('mmap_write_lock', (function* (): ThreadGen<void> { yield t.lock(mmapLock); })());
      yield* t.call('collapse_huge_page', collapse_huge_page(t, mm, T, 0, P, HP, {
        afterClear: () => t.call('hash__pmdp_collapse_flush', (function* (): ThreadGen<void> {
          if (knob !== 'no-serialize-against-pte-lookup') {
            yield* t.call('serialize_against_pte_lookup', smp_call_function(t, cpus, cpu));
          }
          yield* t.call('flush_hash_table_pmd_range', tlbie(t, [{ cache: hpte, insn }]));
        })()),
      }));
      yield* t.call('mmap_write_unlock', (function* (): ThreadGen<void> { yield t.unlock(mmapLock); })());
    });
    b.final((s) => {
      if (!s.value(wrote)) return null;
      return data_at_address(s, range) === 1 ? null : { invariant: I10, message: 'the user\'s store went to the small page through an HPTE inserted after khugepaged flushed them; the huge page was copied without it' };
    });
  };
}

export const hashCollapseScenario: Scenario = {
  name: 'thp-collapse-vs-hash-page',
  description: 'powerpc hash-MMU THP collapse against hash_page() inserting an HPTE from a PTE pointer into the old table (§8.5, U8.b)',
  seed: '003', section: '§8',
  variants: variants('thp-collapse-vs-hash-page', makeHash, [
    { name: 'safe', ref: '§8', expected: 'ok', description: 'hash__pmdp_collapse_flush() calls serialize_against_pte_lookup(): an IPI that waits for IRQs-off __find_linux_pte() users, then flushes the HPTEs' },
    { name: 'no-serialize-against-pte-lookup', ref: 'U8.b', expected: 'I10', description: 'no IPI: hash_page() still holding a pointer into the old table inserts an HPTE after the flush; the store lands in the small page after the copy' },
  ]),
};

// ---------------------------------------------------------------- U8.c: PMD split vs lockless pmd_none()
function makeSplit(knob: 'split-via-pmd-none' | 'no-wmb-before-pmd-populate' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const HP = newFolio(b, 'HP', 9, 1); // mapped by the huge PMD
    const T = newPageTable(b, 0, [PTE_NONE]); // the deposited table
    const mm = newMm(b, pmd_leaf(9), [T], [HP]);
    b.thread('CPU0', function* (t: Ctx) {
      // __split_huge_pmd_locked() (e.g. for mprotect of part of the range), under the PMD lock.
      yield t.lock(mm.pml);
      const pmd = yield t.load(mm.pmd);
      if (pmd_trans_huge(pmd)) {
        if (knob === 'split-via-pmd-none') yield* t.call('pmdp_huge_get_and_clear', (function* (): ThreadGen<void> { yield t.store(mm.pmd, 0); })());
        else yield* t.call('pmdp_invalidate', (function* (): ThreadGen<void> { yield t.store(mm.pmd, PMD_INVALID | 9); })());
        yield t.store(T.entries[0], mk_pte(9, _PAGE_PRESENT | _PAGE_RW)); // fill the deposited table
        // __split_huge_pmd_locked(): "smp_wmb(); /* make pte visible before pmd */" before pmd_populate().
        if (knob !== 'no-wmb-before-pmd-populate') yield t.fence('wmb');
        yield* t.call('pmd_populate', (function* (): ThreadGen<void> { yield t.store(mm.pmd, pmd_table(0)); })());
      }
      yield t.unlock(mm.pml);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // munmap: unmap_page_range() -> zap_pmd_range() reads *pmd locklessly and skips none
      // entries; then free_pgtables() frees the PTE table under the PMD.
      const cpu = cpus.cpu[1];
      yield* t.call('zap_pmd_range', (function* (): ThreadGen<void> {
        const pmd = yield t.load(mm.pmd);
        if (pmd_none(pmd)) return; // nothing mapped here
        if (!pmd_is_table(pmd)) { // huge or invalidated-huge: zap_huge_pmd() under the PMD lock
          yield t.lock(mm.pml);
          const again = yield t.load(mm.pmd);
          if (!pmd_is_table(again)) {
            if (!pmd_none(again)) { yield t.store(mm.pmd, 0); yield* folio_put(t, HP); }
            yield t.unlock(mm.pml);
            return;
          }
          yield t.unlock(mm.pml);
        }
        yield t.lock(T.ptl); // zap_pte_range()
        const pte = yield t.xchg(T.entries[0], PTE_NONE);
        yield t.unlock(T.ptl);
        if (pte_present(pte)) yield* folio_put(t, HP);
      })());
      yield* t.call('free_pgtables', (function* (): ThreadGen<void> {
        const pmd = yield t.load(mm.pmd);
        if (!pmd_is_table(pmd)) return;
        yield t.store(mm.pmd, 0);
        yield* free_table(t, cpus, cpu, table(mm, pmd_table_id(pmd)), 'rcu');
      })());
    });
  };
}

export const pmdSplitScenario: Scenario = {
  name: 'thp-split-vs-lockless-pmd-none',
  description: 'splitting a huge PMD into a PTE table while munmap\'s zap_pmd_range() reads the PMD without the lock (§8.1, U8.c)',
  seed: '003', section: '§8',
  variants: variants('thp-split-vs-lockless-pmd-none', makeSplit, [
    { name: 'safe', ref: '§8', expected: 'ok', description: 'pmdp_invalidate(): the PMD stays non-none (an invalid huge entry) until the table is populated' },
    { name: 'split-via-pmd-none', ref: 'U8.c', expected: 'I11', description: 'clear then populate: zap_pmd_range() sees the transient none, skips, and free_pgtables() frees the populated table' },
    { name: 'no-wmb-before-pmd-populate', ref: '§8', expected: 'I11', model: 'lkmm', barrierDrop: true, description: 'barrier drop: no smp_wmb() between filling the deposited table and pmd_populate(); the zapper sees the table through *pmd but not the PTE, and frees it non-empty (LKMM only)' },
  ]),
};
