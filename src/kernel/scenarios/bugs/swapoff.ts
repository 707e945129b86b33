// Bug-history scenario B30 (82b1c07a0af6, "mm: swap: fix race between free_swap_and_cache() and
// swapoff()"): free_swap_and_cache() drops the last user of a swap entry whose folio sits in the
// swap cache; swapoff()'s try_to_unuse() can then free that folio, see inuse_pages reach 0 and
// finish — vfree(swap_map) — before free_swap_and_cache() reads swap_map again in
// swap_page_trans_huge_swapped(). Before the fix nothing pinned the device: _swap_info_get() takes
// no reference. The fix wraps the call in get_swap_device()/put_swap_device(), which swapoff()
// waits for.
//
// The caller matters. The commit's example is two processes exiting (zap_pte_range()), but a PTL
// holder is inside an RCU read-side section that swapoff()'s synchronize_rcu() waits for, as
// Miaohe Lin and Huang Ying pointed out in review (and Huang Ying's follow-up documented in
// get_swap_device()): that caller is safe even before the fix (variant 'pre-fix-zap-under-ptl').
// shmem's truncation calls free_swap_and_cache() with no lock held (shmem_free_swap(), v6.8), and
// that caller is what the pre-fix variant runs. Huang Ying's simplification of the race (the review
// thread): a 4 KiB folio, and swapoff()'s own try_to_unuse() as the thread that frees it.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { newPageTable, pmd_table } from '../../include/linux/pgtable.ts';
import { pte_swp_mkexclusive, swp_entry, swp_entry_to_pte } from '../../include/linux/swapops.ts';
import { newMm } from '../../mm/mm.ts';
import { zap_pte_range_swap } from '../../mm/memory.ts';
import { newShmemMapping, shmem_free_swap } from '../../mm/shmem.ts';
import { newSwapFolio } from '../../mm/swap_state.ts';
import { SWAP_HAS_CACHE, SWAP_MAP_SHMEM, newSwapInfo, swapoff } from '../../mm/swapfile.ts';
import { variants, type Scenario } from '../../scenario.ts';

type Knob = 'pre-fix' | 'fixed' | 'pre-fix-zap-under-ptl';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const S1 = swp_entry(0, 1);
    const zap = knob === 'pre-fix-zap-under-ptl';
    // Folio A was swapped out to S1 and written back; it is still in the swap cache (the cache's
    // reference only), unmapped. Its one user is shmem's i_pages (or a process's PTE).
    const A = newSwapFolio(b, 'A', 1, 1, { swap: S1 });
    const si = newSwapInfo(b, 2, { map: [0, (zap ? 1 : SWAP_MAP_SHMEM) | SWAP_HAS_CACHE], cache: [0, A.pfn], folios: [A] });
    A.holders.push({ loc: si.cache.slots[1], holds: (v) => (v & 0xff) === A.pfn, what: 'the swap cache (swapper_spaces[0][1])' });
    const shm = newShmemMapping(b, 'shmem', [S1]);
    const T1 = newPageTable(b, 1, [pte_swp_mkexclusive(swp_entry_to_pte(S1))]);
    const mm = newMm(b, pmd_table(1), [T1], [A]);
    b.thread('CPU0', function* (t: Ctx) {
      if (zap) {
        // The process exits: exit_mmap() -> unmap_vmas() -> zap_pte_range() over the swap PTE.
        yield* zap_pte_range_swap(t, cpus.cpu[0], si, mm, 0, false);
      } else {
        // truncate(shmem file): shmem_undo_range() -> shmem_free_swap() of the swapped-out page.
        yield* shmem_free_swap(t, cpus.cpu[0], si, shm, 0, S1, knob === 'fixed');
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* swapoff(t, cpus, cpus.cpu[1], si);
    });
  };
}

export const swapoffScenario: Scenario = {
  name: 'free-swap-and-cache-vs-swapoff',
  description: 'free_swap_and_cache() drops the last user of a swap entry whose folio is in the swap cache while swapoff() runs (B30)',
  seed: '004', section: '§5',
  variants: variants<Knob>('free-swap-and-cache-vs-swapoff', make, [
    { name: 'pre-fix', ref: '§5', expected: 'I17', commit: '82b1c07a0af6', fixes: '7c00bafee87c', kernels: 'v4.11–v6.8',
      description: 'shmem_free_swap() -> free_swap_and_cache() with no pin on the device: swapoff() frees the swap-cache folio, sees inuse_pages 0, waits for no one and frees swap_map and the swap cache, which free_swap_and_cache() then reads (swap_page_trans_huge_swapped(), __try_to_reclaim_swap())' },
    { name: 'fixed', ref: '§5', expected: 'ok', commit: '82b1c07a0af6', fixes: '7c00bafee87c', kernels: 'v6.9',
      description: 'free_swap_and_cache() pins the device with get_swap_device() for the whole call: swapoff()\'s wait for si->users holds vfree(swap_map) back until put_swap_device()' },
    { name: 'pre-fix-zap-under-ptl', ref: '§5', expected: 'ok', commit: '82b1c07a0af6', fixes: '7c00bafee87c', kernels: 'v6.5–v6.8',
      origin: 'the commit\'s own example (a process exiting): zap_pte_range() calls the pre-fix free_swap_and_cache() under pte_offset_map_lock(), an RCU read-side section that swapoff()\'s synchronize_rcu() waits for (the review\'s conclusion)',
      description: 'zap_pte_range() -> free_swap_and_cache() before the fix, under the PTL and rcu_read_lock(): swapoff()\'s synchronize_rcu() cannot end while the caller is inside, so swap_map is still allocated when it is read' },
  ]),
};
