// Reclaiming empty PTE tables on MADV_DONTNEED (mm/pt_reclaim.c try_get_and_clear_pmd,
// try_to_free_pte, free_pte, called from mm/memory.c zap_pte_range(); docs/design/protocols.md
// §4.4(c)). Needs
// MMU_GATHER_RCU_TABLE_FREE: the table is freed through RCU because pte_offset_map() users hold
// only rcu_read_lock().
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { PTE_NONE, type PageTable, type Pmd } from '../include/linux/pgtable.ts';
import type { Mm } from './mm.ts';
import { tlb_remove_table, type TableFree } from './mmu_gather.ts';
import { pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap } from './pgtable-generic.ts';
import { ZAP_PTE_RANGE } from './memory.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

const reclaim = (name: string) => ({ name, file: 'mm/pt_reclaim.c', version: MAINLINE });

/** try_get_and_clear_pmd(): trylock of PML (the reverse lock order), then clear the PMD. */
export const try_get_and_clear_pmd = kernelFunction(reclaim('try_get_and_clear_pmd'), function* (t: Ctx, mm: Pmd): ThreadGen<number> {
  const ok = yield t.trylock(mm.pml);
  if (ok) { yield t.store(mm.pmd, 0); yield t.unlock(mm.pml); }
  return ok;
});

/**
 * free_pte(): pte_free_tlb() -> tlb_remove_table(). 'rcu': the batch's RCU free; 'ipi': a
 * failed batch allocation with the ~v6.9 fallback, an IPI then an immediate free (U3.c).
 */
export const free_pte = kernelFunction(reclaim('free_pte'), (t: Ctx, cpus: Cpus, cpu: Cpu, T: PageTable, how: TableFree): ThreadGen<void> =>
  tlb_remove_table(t, cpus, cpu, T, how === 'rcu' ? { batchAllocFails: false, fallback: 'rcu' } : { batchAllocFails: true, fallback: how }));

/**
 * zap_pte_range() with reclaim_pt: under PTL(T) (pte_offset_map_lock), if every entry is none,
 * try_get_and_clear_pmd() (trylock of PML: the reverse lock order), then free the table.
 */
export const zapPteRangeReclaim = kernelFunction({ ...ZAP_PTE_RANGE, note: 'reclaim_pt of an empty table' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm, how: TableFree = 'rcu'): ThreadGen<void> {
    const m = yield* pte_offset_map_lock(t, cpu, mm);
    if (!m) return;
    let empty = true;
    for (const e of m.T.entries) if ((yield t.load(e)) !== PTE_NONE) empty = false;
    let got = 0;
    if (empty) got = yield* try_get_and_clear_pmd(t, mm);
    yield t.unlock(m.T.ptl);
    yield* pte_unmap(t, cpu);
    if (got) yield* free_pte(t, cpus, cpu, m.T, how);
  });

/**
 * try_to_free_pte(): the slow path after try_get_and_clear_pmd() failed. PML held, so *pmd cannot
 * change; PTL nested; every entry must still be none (it may have been refilled meanwhile).
 */
export const try_to_free_pte = kernelFunction(reclaim('try_to_free_pte'),
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm, opts: { recheck: boolean }): ThreadGen<void> {
    yield t.lock(mm.pml);
    const m = yield* pte_offset_map_rw_nolock(t, cpu, mm);
    if (!m) { yield t.unlock(mm.pml); return; }
    yield t.lock(m.T.ptl);
    let empty = true;
    if (opts.recheck) for (const e of m.T.entries) if ((yield t.load(e)) !== PTE_NONE) empty = false;
    if (empty) yield t.store(mm.pmd, 0);
    yield t.unlock(m.T.ptl);
    yield t.unlock(mm.pml);
    yield* pte_unmap(t, cpu);
    if (empty) yield* free_pte(t, cpus, cpu, m.T, 'rcu');
  });
