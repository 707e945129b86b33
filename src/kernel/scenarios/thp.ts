// §8: THP collapse/split against lockless walkers that keep more than a struct page (seed 003:
// "Why is THP special here?"). GUP-fast needs no serialization beyond RCU table freeing and its
// rechecks (gup-fast-vs-collapse); powerpc hash's __find_linux_pte() callers keep a *PTE pointer*
// and insert hash PTEs from it, so hash collapse must still wait for them (U8.b). PMD split must
// not pass through a transient none that lockless pmd_none() readers act on (U8.c).
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { cpuField, Cpus } from '../cpus.ts';
import { newFolio } from '../include/linux/page_ref.ts';
import { PTE_NONE, newPageTable, pmd_leaf } from '../include/linux/pgtable.ts';
import { mmap_write_lock, mmap_write_unlock, newMmapLock } from '../include/linux/mmap_lock.ts';
import { folio as folioAt, newMm } from '../mm/mm.ts';
import { unmap_region_pgtables, zap_pmd_range } from '../mm/memory.ts';
import { __split_huge_pmd_locked } from '../mm/huge_memory.ts';
import { collapse_huge_page, dataAtAddress, newCollapseRange } from '../mm/khugepaged.ts';
import { do_page_fault, hash__pmdp_collapse_flush, hash_page } from '../arch/powerpc/mm/book3s64/hash.ts';
import { hwAccessBegin, hwAccessEnd, newHwInsn } from '../hw.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I10 } from '../invariants.ts';
import { ghostWord } from '../ghost.ts';

// ---------------------------------------------------------------- U8.b: hash MMU collapse
function makeHash(knob: 'no-serialize-against-pte-lookup' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const range = newCollapseRange(b);
    const mm = { ...range.mm, mmap_lock: newMmapLock(b, 'mm') };
    const hpte = cpuField(b, cpus.cpu[0], 'hash_pte', 0, (v) => (v ? `HPTE -> pfn ${v}` : 'none'));
    const insn = newHwInsn(b, cpus.cpu[0]);
    const wrote = ghostWord(b, 'wrote');
    b.thread('CPU0', function* (t: Ctx) {
      // A user store to a: through an HPTE if one exists; otherwise hash_page() (IRQs off) finds
      // the Linux PTE with __find_linux_pte() and inserts an HPTE from the PTE pointer.
      const cpu = cpus.cpu[0];
      for (let it = 0; ; it++) {
        // A bound, checked rather than assumed: under SC the store needs at most 3 attempts. Under
        // --model lkmm the explorer checks consistency at the leaves only, and without a bound
        // it keeps extending an LKMM-inconsistent prefix that rereads a stale *pmd forever.
        yield t.assert(it < 4, () => `BOUND: CPU0's user store is retried a 4th time (the model bounds the retries)`);
        yield* hwAccessBegin(t, insn);
        const h = yield t.load(hpte);
        if (h) {
          t.depends('addr', hpte); // the store goes through the translation the HPTE gives
          yield t.store(folioAt(mm, h).data, 1);
          yield t.store(wrote, 1);
          yield* hwAccessEnd(t, insn);
          return;
        }
        yield* hwAccessEnd(t, insn);
        const ok = yield* hash_page(t, cpu, mm, hpte);
        if (!ok) {
          // do_page_fault(): mmap_read_lock() waits for khugepaged, which holds mmap_lock for
          // write across the collapse, then the access is retried. (A spin on *pmd would let a
          // weak model read the old value forever; the lock's acquire is what the kernel has.)
          yield* do_page_fault(t, mm);
        }
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      // collapse_huge_page() on the hash MMU (mmap_lock held for write).
      const cpu = cpus.cpu[1];
      yield* mmap_write_lock(t, mm);
      yield* collapse_huge_page(t, cpus, cpu, range, 0, 'v6.5', {
        afterClear: () => hash__pmdp_collapse_flush(t, cpus, cpu, [{ cache: hpte, insn }], knob !== 'no-serialize-against-pte-lookup'),
      });
      yield* mmap_write_unlock(t, mm);
    });
    b.final((s) => {
      if (!s.value(wrote)) return null;
      return dataAtAddress(s, range) === 1 ? null : { invariant: I10, message: 'the user\'s store went to the small page through an HPTE inserted after khugepaged flushed them; the huge page was copied without it' };
    });
  };
}

export const hashCollapseScenario: Scenario = {
  name: 'thp-collapse-vs-hash-page',
  description: 'powerpc hash-MMU THP collapse against hash_page() inserting an HPTE from a PTE pointer into the old table (§8.5, U8.b)',
  seed: '003', section: '§8',
  variants: variants('thp-collapse-vs-hash-page', makeHash, [
    { name: 'safe', ref: '§8', expected: 'ok', description: 'hash__pmdp_collapse_flush() calls serialize_against_pte_lookup(): an IPI that waits for IRQs-off __find_linux_pte() users, then flushes the HPTEs' },
    { name: 'no-serialize-against-pte-lookup', kernels: 'a hypothetical change to v6.12', ref: 'U8.b', expected: 'I10', description: 'no IPI: hash_page() still holding a pointer into the old table inserts an HPTE after the flush; the store lands in the small page after the copy' },
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
      yield* __split_huge_pmd_locked(t, mm, T, { viaPmdNone: knob === 'split-via-pmd-none', noWmb: knob === 'no-wmb-before-pmd-populate' });
      yield t.unlock(mm.pml);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // munmap: unmap_page_range() -> zap_pmd_range() reads *pmd locklessly and skips none
      // entries; then free_pgtables() frees the PTE table under the PMD.
      const cpu = cpus.cpu[1];
      yield* zap_pmd_range(t, mm, T, HP);
      yield* unmap_region_pgtables(t, cpus, cpu, mm);
    });
  };
}

export const pmdSplitScenario: Scenario = {
  name: 'thp-split-vs-lockless-pmd-none',
  description: 'splitting a huge PMD into a PTE table while munmap\'s zap_pmd_range() reads the PMD without the lock (§8.1, U8.c)',
  seed: '003', section: '§8',
  variants: variants('thp-split-vs-lockless-pmd-none', makeSplit, [
    { name: 'safe', ref: '§8', expected: 'ok', description: 'pmdp_invalidate(): the PMD stays non-none (an invalid huge entry) until the table is populated' },
    { name: 'split-via-pmd-none', kernels: 'a hypothetical change to v6.12', ref: 'U8.c', expected: 'I11', description: 'clear then populate: zap_pmd_range() sees the transient none, skips, and free_pgtables() frees the populated table' },
    { name: 'no-wmb-before-pmd-populate', kernels: 'a hypothetical change to v6.12', ref: '§8', expected: 'I11', model: 'lkmm', barrierDrop: true, description: 'barrier drop: no smp_wmb() between filling the deposited table and pmd_populate(); the zapper sees the table through *pmd but not the PTE, and frees it non-empty (LKMM only)' },
  ]),
};
