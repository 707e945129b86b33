// Device migration's collect and finalize steps (mm/migrate_device.c migrate_vma_collect_pmd,
// migrate_vma_finalize; docs/design/protocols.md §7.5) for one PTE T[idx] -> p.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import { _PAGE_MIGRATION, _PAGE_PRESENT, _PAGE_RW, mk_pte, pte_dirty, type PageTable } from '../include/linux/pgtable.ts';
import { flush_tlb_range } from '../arch/x86/mm/tlb.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

/**
 * migrate_vma_collect_pmd(): under the PTL, ptep_get_and_clear() and folio_mark_dirty() if the PTE
 * was dirty (fd35ca3d12cc), a migration entry installed, the TLB flushed under the PTL.
 * `dropDirtyBit`: the code before fd35ca3d12cc, which read and cleared the PTE without moving the
 * dirty bit.
 */
export const migrate_vma_collect_pmd = kernelFunction({ name: 'migrate_vma_collect_pmd', file: 'mm/migrate_device.c', version: MAINLINE, note: 'dropDirtyBit: before fd35ca3d12cc' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, T: PageTable, idx: number, p: Folio, pgDirty: Loc, dropDirtyBit: boolean): ThreadGen<void> {
    yield t.lock(T.ptl);
    if (dropDirtyBit) {
      yield t.load(T.entries[idx]);
      yield t.store(T.entries[idx], mk_pte(p.pfn, _PAGE_MIGRATION));
    } else {
      const pte = yield t.xchg(T.entries[idx], mk_pte(p.pfn, _PAGE_MIGRATION)); // ptep_get_and_clear
      if (pte_dirty(pte)) yield t.store(pgDirty, 1); // folio_mark_dirty
    }
    yield* flush_tlb_range(t, cpus, cpu); // flushed under the PTL
    yield t.unlock(T.ptl);
  });

/** migrate_vma_finalize() of a failed migration: the PTE is restored, clean. */
export const migrate_vma_finalize = kernelFunction({ name: 'migrate_vma_finalize', file: 'mm/migrate_device.c', version: MAINLINE },
  function* (t: Ctx, T: PageTable, idx: number, p: Folio): ThreadGen<void> {
    yield t.lock(T.ptl);
    yield t.store(T.entries[idx], mk_pte(p.pfn, _PAGE_PRESENT | _PAGE_RW)); // restored, clean
    yield t.unlock(T.ptl);
  });
