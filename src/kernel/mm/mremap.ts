// mremap()'s page-table move (mm/mremap.c): move_page_tables() walks the source range one PMD at
// a time and moves whole PTE tables (move_normal_pmd), huge PMDs (move_huge_pmd) or single PTEs
// (move_ptes). The mmap lock is held for write throughout, so faults are excluded; rmap walkers
// and khugepaged's retract_page_tables() are not, and are kept out by the rmap locks
// (take_rmap_locks: i_mmap_rwsem and the anon_vma lock, both exclusive).
//
// One PMD-sized extent is modelled (the loop body of move_page_tables()); the PTE-level fallback
// move_ptes() is not: the scenarios that use this file reach it only where they say so.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { kernelFunction } from '../kfn.ts';
import { anon_vma_lock_write, anon_vma_unlock_write } from '../include/linux/rmap.ts';
import { i_mmap_lock_write, i_mmap_unlock_write } from '../include/linux/fs.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import {
  pmd_is_table, pmd_none, pmd_table, pmd_table_id, pmd_trans_huge, type Pmd,
} from '../include/linux/pgtable.ts';
import { move_huge_pmd_v3 } from './huge_memory.ts';
import { pmd_clear, pmd_populate } from '../arch/x86/include/asm/pgtable.ts';


/** take_rmap_locks(): the file's i_mmap_rwsem and the anon_vma lock, both for write. */
export const take_rmap_locks = kernelFunction({ name: 'take_rmap_locks', file: 'mm/mremap.c', version: 'v4.9–v6.18' },
  function* (t: Ctx, vma: Vma): ThreadGen<void> {
    if (vma.file) yield* i_mmap_lock_write(t, vma.file);
    if (vma.av && (yield t.load(vma.anon_vma))) yield* anon_vma_lock_write(t, vma.av);
  });

/** drop_rmap_locks() */
export const drop_rmap_locks = kernelFunction({ name: 'drop_rmap_locks', file: 'mm/mremap.c', version: 'v4.9–v6.18' },
  function* (t: Ctx, vma: Vma): ThreadGen<void> {
    if (vma.av && (yield t.load(vma.anon_vma))) yield* anon_vma_unlock_write(t, vma.av);
    if (vma.file) yield* i_mmap_unlock_write(t, vma.file);
  });

/**
 * move_normal_pmd() body: under the PMD lock(s), read the source PMD, clear it and point the
 * destination PMD at the same table: `pmd_populate(mm, new_pmd, pmd_pgtable(pmd))`. Without the
 * recheck (before 6fa1066fc5d0), a source PMD that a racing retract_page_tables() cleared is
 * "moved" too: pmd_pgtable() of a none PMD is page 0, which becomes the destination's table.
 */
function* moveNormalPmd(t: Ctx, old: Pmd, nw: Pmd, recheck: boolean): ThreadGen<boolean> {
  if (!pmd_none(yield t.load(nw.pmd))) return false; // WARN_ON_ONCE(!pmd_none(*new_pmd))
  yield t.lock(old.pml); // old_ptl = pmd_lock(mm, old_pmd)
  if (nw.pml !== old.pml) yield t.lock(nw.pml); // spin_lock_nested(new_ptl)
  const pmd = yield t.load(old.pmd);
  let res = false;
  // 6fa1066fc5d0: "Racing with collapse?" (!pmd_present(pmd) || pmd_leaf(pmd)) -> give up.
  if (!recheck || (pmd_is_table(pmd) && !pmd_trans_huge(pmd))) {
    yield* pmd_clear(t, old);
    yield* pmd_populate(t, nw, pmd_table(pmd_table_id(pmd))); // pmd_pgtable(pmd): page 0 for a none PMD
    // flush_tlb_range(): no TLB is modelled in the scenarios that move tables.
    res = true;
  }
  if (nw.pml !== old.pml) yield t.unlock(nw.pml);
  yield t.unlock(old.pml);
  return res;
}

const move_normal_pmd_v6_6 = kernelFunction({
  name: 'move_normal_pmd', file: 'mm/mremap.c', version: 'v5.0–v6.11 (before 6fa1066fc5d0)',
  note: 'no uffd-wp remap-event check (v6.14); flush_tlb_range not modelled',
}, (t: Ctx, old: Pmd, nw: Pmd) => moveNormalPmd(t, old, nw, false));

const move_normal_pmd_v6_12 = kernelFunction({
  name: 'move_normal_pmd', file: 'mm/mremap.c', version: 'v6.12–v6.18',
  note: 'no uffd-wp remap-event check (v6.14); flush_tlb_range not modelled',
}, (t: Ctx, old: Pmd, nw: Pmd) => moveNormalPmd(t, old, nw, true));

/** The kinds of entry move_pgt_entry() moves; only whole PTE tables are modelled. */
export type PgtEntry = 'NORMAL_PMD';

/**
 * move_pgt_entry(): takes the rmap locks (always for NORMAL_PMD since 97113eb39fa7, v5.13: a
 * moved table must not be missed by an rmap walk), then moves the entry.
 */
export const move_pgt_entry = kernelFunction({ name: 'move_pgt_entry', file: 'mm/mremap.c', version: 'v5.13–v6.18', note: 'NORMAL_PMD only' },
  function* (t: Ctx, _entry: PgtEntry, vma: Vma, newVma: Vma, version: 'v6.6' | 'v6.12'): ThreadGen<boolean> {
    yield* take_rmap_locks(t, vma); // should_take_rmap_locks(NORMAL_PMD) is true
    const moved = version === 'v6.6' ? yield* move_normal_pmd_v6_6(t, vma.pmd, newVma.pmd)
      : yield* move_normal_pmd_v6_12(t, vma.pmd, newVma.pmd);
    yield* drop_rmap_locks(t, vma);
    return moved;
  });

/** What move_page_tables() did with the extent (for the caller's next steps). */
export type Moved = 'moved' | 'nothing to move' | 'PTE level';

/**
 * move_page_tables() for one PMD-sized, PMD-aligned extent (v6.6–v6.18): get_old_pmd() reads the
 * source PMD and the type decides the method, before any rmap lock is held. A table is moved by
 * move_pgt_entry(NORMAL_PMD); if that fails and the source PMD is none, there is nothing to move.
 * Anything else would go to move_ptes(), which no scenario of this file reaches (the caller is
 * told, and says what it does then).
 */
export const move_page_tables = kernelFunction({
  name: 'move_page_tables', file: 'mm/mremap.c', version: 'v6.6–v6.18',
  note: 'one PMD-sized extent; move_ptes() and the PUD level not modelled',
}, function* (t: Ctx, vma: Vma, newVma: Vma, version: 'v6.6' | 'v6.12'): ThreadGen<Moved> {
  // get_old_pmd(): pmd_none(*pmd) -> nothing mapped at this extent.
  if (pmd_none(yield t.load(vma.pmd.pmd))) return 'nothing to move';
  // alloc_new_pmd(): the destination PMD entry exists (its PMD page is modelled as allocated).
  const pmd = yield t.load(vma.pmd.pmd); // is_swap_pmd(*old_pmd) || pmd_trans_huge(*old_pmd)
  if (pmd_trans_huge(pmd)) throw new Error('move_page_tables(): a huge source PMD needs move_huge_pmd(), not modelled for v6.x');
  // IS_ENABLED(CONFIG_HAVE_MOVE_PMD) && extent == PMD_SIZE
  if (yield* move_pgt_entry(t, 'NORMAL_PMD', vma, newVma, version)) return 'moved';
  if (pmd_none(yield t.load(vma.pmd.pmd))) return 'nothing to move';
  return 'PTE level';
});

/**
 * move_page_tables() for one huge-PMD extent in the v3.x THP era (before and after dd18dbc2d42a,
 * B25): before the fix, move_huge_pmd() ran without the anon_vma lock even when
 * need_rmap_locks said the destination VMA sorts before the source in the anon_vma's tree.
 * Returns 'moved', or 'PTE level' when the PMD was (or was being) split, after which
 * move_page_tables() would move PTEs with move_ptes() (not modelled).
 */
export const move_page_tables_v3 = kernelFunction({
  name: 'move_page_tables', file: 'mm/mremap.c', version: 'v3.7–v3.18',
  note: 'one huge-PMD extent; move_ptes() not modelled',
}, function* (t: Ctx, vma: Vma, newVma: Vma, need_rmap_locks: boolean, version: 'v3.17' | 'v3.18'): ThreadGen<Moved> {
  if (pmd_none(yield t.load(vma.pmd.pmd))) return 'nothing to move'; // get_old_pmd()
  if (!pmd_trans_huge(yield t.load(vma.pmd.pmd))) return 'PTE level';
  const lock = version === 'v3.18' && need_rmap_locks && vma.av !== undefined;
  if (lock) yield* anon_vma_lock_write(t, vma.av!); // dd18dbc2d42a
  const err = yield* move_huge_pmd_v3(t, vma, vma.pmd, newVma.pmd);
  if (lock) yield* anon_vma_unlock_write(t, vma.av!);
  if (err > 0) return 'moved';
  // err == 0: split_huge_page_pmd() (the PMD is no longer huge); err < 0: waited for a split.
  return 'PTE level';
});
