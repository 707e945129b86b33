// hugetlb PMD page-table sharing (mm/hugetlb.c huge_pmd_share, huge_pmd_unshare; kernel-spec §3
// by analogy): mms that map the same PUD-aligned range of a hugetlbfs file with MAP_SHARED may
// point their PUD entries at one PMD table. The table's ptdesc counts the extra sharers
// (pt_share_count, v6.13+; before, the table page's refcount). huge_pmd_unshare() clears this
// mm's PUD and drops its share; the last user keeps the table as its own ordinary page table,
// in which it may then map anything. A lockless walker (GUP-fast) of another mm that read the PUD
// before it was cleared must be done with the table before that happens (B18).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { kernelFunction } from '../kfn.ts';
import type { PmdTable } from '../include/linux/pgtable.ts';
import { tlb_remove_table_sync_one } from './mmu_gather.ts';

const V = 'v6.13–v6.18';

/** pud_clear(): this mm's PUD no longer points to the table. */
const pud_clear = kernelFunction({ name: 'pud_clear', file: 'include/asm-generic/pgtable-nopud.h', version: V },
  function* (t: Ctx, pud: Loc): ThreadGen<void> {
    yield t.store(pud, 0);
  });

/** ptdesc_pmd_pts_dec(): one sharer fewer (an atomic_dec). */
const ptdesc_pmd_pts_dec = kernelFunction({ name: 'ptdesc_pmd_pts_dec', file: 'include/linux/mm_types.h', version: V },
  function* (t: Ctx, S: PmdTable): ThreadGen<void> {
    yield t.fetchSub(S.pt_share_count, 1);
  });

/**
 * huge_pmd_unshare(): with i_mmap_rwsem held for write (and the hugetlb VMA lock), if the PMD
 * table `S` at *pud is shared, clear this mm's PUD and drop its share. 1013af4f585f added the
 * tlb_remove_table_sync_one() between the two ('fixed'): once the caller drops the i_mmap lock the
 * last sharer may use S as an ordinary page table, so IRQs-off GUP-fast walkers of this mm that
 * still hold the old *pud must be done first. Returns whether it unshared.
 */
export const huge_pmd_unshare = kernelFunction({ name: 'huge_pmd_unshare', file: 'mm/hugetlb.c', version: V },
  function* (t: Ctx, cpus: Cpus, self: Cpu, pud: Loc, S: PmdTable, opts: { syncOne: boolean }): ThreadGen<boolean> {
    if ((yield t.load(S.pt_share_count)) === 0) return false; // ptdesc_pmd_pts_count()
    yield* pud_clear(t, pud);
    if (opts.syncOne) yield* tlb_remove_table_sync_one(t, cpus, self);
    yield* ptdesc_pmd_pts_dec(t, S);
    return true;
  });

/** huge_ptep_get_and_clear(): the hugetlb entry, cleared (the caller holds the PTL). */
export const huge_ptep_get_and_clear = kernelFunction({ name: 'huge_ptep_get_and_clear', file: 'include/asm-generic/hugetlb.h', version: V },
  function* (t: Ctx, S: PmdTable, idx: number): ThreadGen<number> {
    return yield t.xchg(S.entries[idx], 0);
  });
