// The powerpc hash MMU's side of THP collapse (docs/design/protocols.md §8.5): hash_page() inserting a hash
// PTE (HPTE) from the Linux PTE it finds with __find_linux_pte() (arch/powerpc/mm/book3s64/
// hash_utils.c), and hash__pmdp_collapse_flush() (hash_pgtable.c), which waits for those lookups
// with serialize_against_pte_lookup() and then flushes the HPTEs (flush_hash_table_pmd_range(),
// hash_tlb.c). One file for the three kernel files: the model has one HPTE per CPU.
import type { Ctx, Loc, ThreadGen } from '../../../../../engine/ops.ts';
import type { Cpu, Cpus } from '../../../../cpus.ts';
import { local_irq_disable, local_irq_enable } from '../../../../include/linux/irqflags.ts';
import { pmd_is_table, pmd_pfn, pmd_table_id, pmd_trans_huge, pte_pfn, pte_present } from '../../../../include/linux/pgtable.ts';
import { table, type Mm } from '../../../../mm/mm.ts';
import { broadcastInvalidate } from '../../../../hw.ts';
import { serialize_against_pte_lookup } from './pgtable.ts';
import { mmap_read_lock, mmap_read_unlock, type MmapLocked } from '../../../../include/linux/mmap_lock.ts';
import { MAINLINE, kernelFunction } from '../../../../kfn.ts';

/** The HPTE cache a flush invalidates and the hardware accesses it waits for (hw.ts). */
export interface HashTarget {
  cache: Loc;
  insn: Loc;
}

/**
 * hash_page() with IRQs off: __find_linux_pte() reads *pmd and, for a table, the PTE through a
 * pointer computed from it; a present entry becomes an HPTE. Returns whether one was inserted.
 */
export const hash_page = kernelFunction({ name: 'hash_page', file: 'arch/powerpc/mm/book3s64/hash_utils.c', version: MAINLINE, note: '__find_linux_pte() inlined' },
  function* (t: Ctx, cpu: Cpu, mm: Mm, hpte: Loc): ThreadGen<boolean> {
    yield* local_irq_disable(t, cpu);
    const pmd = yield t.load(mm.pmd); // __find_linux_pte()
    let pfn = 0;
    if (pmd_is_table(pmd)) {
      // __find_linux_pte(): the PTE pointer is computed from the pmd value read (addr dep).
      t.depends('addr', mm.pmd);
      const pte = yield t.load(table(mm, pmd_table_id(pmd)).entries[0]);
      if (pte_present(pte)) pfn = pte_pfn(pte);
    } else if (pmd_trans_huge(pmd)) pfn = pmd_pfn(pmd);
    if (pfn) yield t.store(hpte, pfn); // insert the HPTE
    yield* local_irq_enable(t, cpu);
    return pfn !== 0;
  });

/** flush_hash_table_pmd_range(): the HPTEs of the range go, with tlbie (a broadcast invalidation). */
export const flush_hash_table_pmd_range = kernelFunction({ name: 'flush_hash_table_pmd_range', file: 'arch/powerpc/mm/book3s64/hash_tlb.c', version: MAINLINE, waits: 'broadcast invalidation' },
  (t: Ctx, targets: HashTarget[]): ThreadGen<void> => broadcastInvalidate(t, targets.map((x) => ({ caches: [x.cache], insn: x.insn }))));

/**
 * hash__pmdp_collapse_flush() after the PMD is cleared: serialize_against_pte_lookup(), then
 * flush the HPTEs. `serialize: false` drops the IPI (U8.b).
 */
export const hash__pmdp_collapse_flush = kernelFunction({ name: 'hash__pmdp_collapse_flush', file: 'arch/powerpc/mm/book3s64/hash_pgtable.c', version: MAINLINE, note: 'the part after the PMD clear' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, targets: HashTarget[], serialize: boolean): ThreadGen<void> {
    if (serialize) yield* serialize_against_pte_lookup(t, cpus, cpu);
    yield* flush_hash_table_pmd_range(t, targets);
  });

/** do_page_fault() of a store with no HPTE and no PTE: mmap_read_lock() waits for the collapse, then retry. */
export const do_page_fault = kernelFunction({ name: 'do_page_fault', file: 'arch/powerpc/mm/fault.c', version: MAINLINE, note: 'only the wait on mmap_lock' },
  function* (t: Ctx, mm: MmapLocked): ThreadGen<void> {
    yield* mmap_read_lock(t, mm);
    yield* mmap_read_unlock(t, mm);
  });
