// Bug-history scenarios of mremap()'s page-table moves: B7, a whole PTE table moved by
// move_normal_pmd() while khugepaged's retract_page_tables() removes it (6fa1066fc5d0), and B25,
// a huge PMD moved by move_huge_pmd() behind split_huge_page()'s rmap walk (dd18dbc2d42a).
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { PTE_NONE, newPageZero, newPageTable, pmd_leaf, pmd_table } from '../../include/linux/pgtable.ts';
import { newAddressSpaceRmap } from '../../include/linux/fs.ts';
import { newVma } from '../../include/linux/mm_types.ts';
import { newAnonVma } from '../../include/linux/rmap.ts';
import { mmap_read_lock, mmap_read_unlock, mmap_write_lock, mmap_write_unlock, newMmapLock } from '../../include/linux/mmap_lock.ts';
import { mmPmd, newMm } from '../../mm/mm.ts';
import { move_page_tables, move_page_tables_v3 } from '../../mm/mremap.ts';
import { retract_page_tables, type RetractVersion } from '../../mm/khugepaged.ts';
import { newDepositList, newThpV3, showPmdV3, split_huge_page_v3, withSplitting } from '../../mm/huge_memory.ts';
import { pte_offset_map_lock, pte_unmap } from '../../mm/pgtable-generic.ts';
import { variants, type Scenario } from '../../scenario.ts';

// ---------------------------------------------------------------- B7: move_normal_pmd vs retract
type B7Knob = 'pre-fix' | 'fixed' | 'v6.13-retract';

function makeB7(knob: B7Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    // A shmem file (tmpfs huge=advise) mapped by process A, PMD-aligned, and by process B.
    const F = newAddressSpaceRmap(b, 'F');
    const page0 = newPageZero(b);
    const T1 = newPageTable(b, 1, [PTE_NONE]); // A's table over the range: emptied by collapse_file()
    const mmA = { ...newMm(b, pmd_table(1), [page0, T1], []), mmap_lock: newMmapLock(b, 'A') };
    const newPmd = mmPmd(b, mmA, 'new_pmd', 0); // on the same PMD page: one PMD lock
    const mmB = newMm(b, 0, [], [], { pmdName: 'B.pmd' }); // B's own mapping of the range: no table (yet)
    const vmaA = newVma(b, 'vmaA', { mm: mmA, file: F, shared: true });
    newVma(b, 'vmaB', { mm: mmB, file: F, shared: true });
    const vmaNew = newVma(b, 'new_vma', { mm: mmA, pmd: newPmd, shared: true }); // not yet in F's tree walk range
    const fixed = knob !== 'pre-fix';
    b.thread('CPU0', function* (t: Ctx) {
      // Process A: mremap(old, 2M, 2M, MREMAP_MAYMOVE | MREMAP_FIXED, new) -> move_vma() ->
      // move_page_tables(), mmap_lock held for write.
      yield* mmap_write_lock(t, mmA);
      const moved = yield* move_page_tables(t, vmaA, vmaNew, fixed ? 'v6.12' : 'v6.6');
      yield t.assert(moved !== 'PTE level', () => 'BOUND: move_page_tables() fell back to move_ptes(), which the model does not have');
      yield* mmap_write_unlock(t, mmA);
      // Then A touches the new address: a page fault walks the new PMD.
      yield* mmap_read_lock(t, mmA);
      const m = yield* pte_offset_map_lock(t, cpus.cpu[0], vmaNew.mmAtPmd); // handle_mm_fault() -> … -> finish_fault()
      if (m) {
        yield t.load(m.T.entries[0]);
        yield t.unlock(m.T.ptl);
        yield* pte_unmap(t, cpus.cpu[0]);
      } // else: no table: the fault maps the huge folio with do_set_pmd()
      yield* mmap_read_unlock(t, mmA);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // Process B: madvise(MADV_COLLAPSE) -> collapse_file(): the new huge folio is in the page
      // cache, locked; the small pages are unmapped everywhere. Then the tables go.
      const version: RetractVersion = knob === 'v6.13-retract' ? 'v6.13' : 'v6.6';
      yield* retract_page_tables(t, cpus, cpus.cpu[1], F, version);
    });
  };
}

export const mremapRetractScenario: Scenario = {
  name: 'mremap-vs-retract-page-tables',
  description: 'mremap() moving a whole PTE table (move_normal_pmd) while MADV_COLLAPSE in another process retracts it through the file\'s i_mmap (B7)',
  seed: '001', section: '§4',
  variants: variants<B7Knob>('mremap-vs-retract-page-tables', makeB7, [
    { name: 'pre-fix', ref: '§4', expected: 'I1', commit: '6fa1066fc5d0', fixes: '1d65b771bc08', kernels: 'v6.6–v6.11',
      description: 'move_page_tables() decides NORMAL_PMD before take_rmap_locks(); retract clears the PMD in between; move_normal_pmd() moves the none PMD: pmd_populate(new_pmd, pmd_pgtable(none)) points it at page 0' },
    { name: 'fixed', ref: '§4', expected: 'ok', commit: '6fa1066fc5d0', fixes: '1d65b771bc08', kernels: 'v6.12',
      description: 'move_normal_pmd() rechecks under the PMD lock that the old PMD still points to a table ("Racing with collapse?") and otherwise moves nothing' },
    { name: 'v6.13-retract', ref: '§4', expected: 'ok', kernels: 'v6.13–v6.18',
      description: 'the fixed mremap against today\'s retract_page_tables() (check_pmd_state() under the PMD lock)' },
  ]),
};

// ---------------------------------------------------------------- B25: move_huge_pmd vs split
type B25Knob = 'pre-fix' | 'fixed';

function makeB25(knob: B25Knob | undefined) {
  return (b: Builder) => {
    const av = newAnonVma(b, 'anon_vma');
    const T1 = newPageTable(b, 1, [PTE_NONE]); // the table deposited with the huge PMD
    const mm = { ...newMm(b, pmd_leaf(9), [T1], []), mmap_lock: newMmapLock(b, 'mm') };
    const huge_pte = newDepositList(b, 'pmd_page', T1);
    b.locs[mm.pmd].show = withSplitting(b.locs[mm.pmd].show!);
    const src = { pmd: mm.pmd, pml: mm.pml, huge_pte };
    const dst = { ...mmPmd(b, mm, 'new_pmd', 0, showPmdV3), huge_pte }; // same PMD page
    const HP = newThpV3(b, 'HP', 9, 1); // anonymous THP mapped by src only
    // mremap() moved the VMA next to an existing one with which it merged: the destination VMA
    // now sorts BEFORE the source in the anon_vma's interval tree (copy_vma() sets
    // need_rmap_locks), and split_huge_page()'s walk visits it first.
    const dstVma = newVma(b, 'dst_vma', { mm, pmd: dst, av, anonVmaSet: true });
    const srcVma = newVma(b, 'src_vma', { mm, pmd: src, av, anonVmaSet: true });
    b.thread('CPU0', function* (t: Ctx) {
      yield* mmap_write_lock(t, mm);
      // The PTE-level move that follows a split (move_ptes) is not modelled: by then the split's
      // rmap walks are over.
      yield* move_page_tables_v3(t, srcVma, dstVma, true, knob === 'fixed' ? 'v3.18' : 'v3.17');
      yield* mmap_write_unlock(t, mm);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // Reclaim or migration splitting the THP: split_huge_page(), no mmap lock.
      yield* split_huge_page_v3(t, HP, av);
    });
  };
}

export const mremapSplitScenario: Scenario = {
  name: 'mremap-vs-split-huge-page',
  description: 'mremap() moving a huge PMD (move_huge_pmd) while split_huge_page() walks the anon_vma with the destination VMA first in the tree (B25, v3.x THP)',
  seed: '003', section: '§8',
  variants: variants<B25Knob>('mremap-vs-split-huge-page', makeB25, [
    { name: 'pre-fix', ref: '§8', expected: 'I5', commit: 'dd18dbc2d42a', fixes: '108d6642ad81', kernels: 'v3.7–v3.17',
      description: 'move_huge_pmd() without the anon_vma lock: the split marks the destination (none yet), mremap moves the PMD there, the split finds the source empty: BUG_ON(mapcount != page_mapcount(page))' },
    { name: 'fixed', ref: '§8', expected: 'ok', commit: 'dd18dbc2d42a', fixes: '108d6642ad81', kernels: 'v3.18–v4.4',
      description: 'move_page_tables() takes the anon_vma lock around move_huge_pmd() when need_rmap_locks: the move and the split\'s walk exclude each other' },
  ]),
};
