// Reclaiming empty PTE tables on MADV_DONTNEED (mm/pt_reclaim.c try_get_and_clear_pmd,
// try_to_free_pte, free_pte, called from mm/memory.c zap_pte_range(); docs/design/protocols.md
// §4.4(c)). Needs
// MMU_GATHER_RCU_TABLE_FREE: the table is freed through RCU because pte_offset_map() users hold
// only rcu_read_lock().
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { PTE_NONE, type PageTable, type Pmd } from '../include/linux/pgtable.ts';
import type { Mm } from './mm.ts';
import { pte_free_tlb, tlb_finish_mmu, tlb_gather_mmu, type GatherSpec, type TableFree } from './mmu_gather.ts';
import { MMU_GATHER_MAINLINE, type MmuGather } from '../include/asm-generic/tlb.ts';
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

/** free_pte(): pte_free_tlb() into the caller's mmu_gather: the table is freed at its tlb_finish_mmu(). */
export const free_pte = kernelFunction(reclaim('free_pte'), (t: Ctx, tlb: MmuGather, T: PageTable): ThreadGen<void> => pte_free_tlb(t, tlb, T, 0));

/**
 * The mmu_gather of a zap that may reclaim the table (zap_page_range_single()'s): 'rcu' = the
 * batch's RCU free; otherwise the batch allocation fails and tlb_remove_table_one() frees the
 * table as `how` says ('ipi': the ~v6.9 fallback, an IPI then an immediate free: U3.c).
 */
function reclaimGather(cpus: Cpus, cpu: Cpu, mm: Mm, how: TableFree): GatherSpec {
  return how === 'rcu' ? { mm, cpus, cpu } : { mm, cpus, cpu, batchAllocFails: true, code: { ...MMU_GATHER_MAINLINE, removeTableOne: how } };
}

/**
 * zap_pte_range() with reclaim_pt: under PTL(T) (pte_offset_map_lock), if every entry is none,
 * try_get_and_clear_pmd() (trylock of PML: the reverse lock order), then free the table.
 */
export const zapPteRangeReclaim = kernelFunction({ ...ZAP_PTE_RANGE, note: 'reclaim_pt of an empty table' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm, how: TableFree = 'rcu'): ThreadGen<void> {
    const tlb = yield* tlb_gather_mmu(t, reclaimGather(cpus, cpu, mm, how));
    const m = yield* pte_offset_map_lock(t, cpu, mm);
    if (!m) { yield* tlb_finish_mmu(t, tlb); return; }
    let empty = true;
    for (const e of m.T.entries) if ((yield t.load(e)) !== PTE_NONE) empty = false;
    let got = 0;
    if (empty) got = yield* try_get_and_clear_pmd(t, mm);
    yield t.unlock(m.T.ptl);
    yield* pte_unmap(t, cpu);
    if (got) yield* free_pte(t, tlb, m.T);
    yield* tlb_finish_mmu(t, tlb);
  });

/**
 * try_to_free_pte(): the slow path after try_get_and_clear_pmd() failed. PML held, so *pmd cannot
 * change; PTL nested; every entry must still be none (it may have been refilled meanwhile).
 */
export const try_to_free_pte = kernelFunction(reclaim('try_to_free_pte'),
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm, opts: { recheck: boolean }): ThreadGen<void> {
    const tlb = yield* tlb_gather_mmu(t, { mm, cpus, cpu });
    yield t.lock(mm.pml);
    const m = yield* pte_offset_map_rw_nolock(t, cpu, mm);
    if (!m) { yield t.unlock(mm.pml); yield* tlb_finish_mmu(t, tlb); return; }
    yield t.lock(m.T.ptl);
    let empty = true;
    if (opts.recheck) for (const e of m.T.entries) if ((yield t.load(e)) !== PTE_NONE) empty = false;
    if (empty) yield t.store(mm.pmd, 0);
    yield t.unlock(m.T.ptl);
    yield t.unlock(mm.pml);
    yield* pte_unmap(t, cpu);
    if (empty) yield* free_pte(t, tlb, m.T);
    yield* tlb_finish_mmu(t, tlb);
  });
