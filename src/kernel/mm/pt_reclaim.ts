// Reclaiming empty PTE tables on MADV_DONTNEED (mm/pt_reclaim.c, folded into mm/memory.c in
// 2026; docs/design/protocols.md §4.4(c)). Needs MMU_GATHER_RCU_TABLE_FREE: the table is freed through RCU
// because pte_offset_map() users hold only rcu_read_lock().
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../rcu.ts';
import { PTE_NONE, type PageTable } from '../include/linux/pgtable.ts';
import type { Mm } from './mm.ts';
import { free_table, type TableFree } from './mmu_gather.ts';
import { pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap } from './pgtable-generic.ts';

/**
 * zap_pte_range() with reclaim_pt: under PTL(T) (pte_offset_map_lock), if every entry is none,
 * try_get_and_clear_pmd() (trylock of PML: the reverse lock order), then free the table.
 */
export function* zap_pte_range_reclaim(t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm, how: TableFree = 'rcu'): ThreadGen<void> {
  const m = yield* t.call('pte_offset_map_lock', pte_offset_map_lock(t, cpu, mm));
  if (!m) return;
  let empty = true;
  for (const e of m.T.entries) if ((yield t.load(e)) !== PTE_NONE) empty = false;
  let got = 0;
  if (empty) {
    got = yield* t.call('try_get_and_clear_pmd', (function* (): ThreadGen<number> {
      const ok = yield t.trylock(mm.pml);
      if (ok) { yield t.store(mm.pmd, 0); yield t.unlock(mm.pml); }
      return ok;
    })());
  }
  yield t.unlock(m.T.ptl);
  yield* t.call('pte_unmap', pte_unmap(t, cpu));
  if (got) yield* t.call('free_pte', free_table(t, cpus, cpu, m.T, how));
}

/**
 * try_to_free_pte(): the slow path after try_get_and_clear_pmd() failed. PML held, so *pmd cannot
 * change; PTL nested; every entry must still be none (it may have been refilled meanwhile).
 */
export function* try_to_free_pte(t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm, opts: { recheck: boolean }): ThreadGen<void> {
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
  if (empty) yield* t.call('free_pte', free_table(t, cpus, cpu, m.T as PageTable, 'rcu'));
}
