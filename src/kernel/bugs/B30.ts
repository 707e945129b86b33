// B30: mm: swap: fix race between free_swap_and_cache() and swapoff() (82b1c07a0af6).
// free_swap_and_cache() used _swap_info_get(), which pins nothing: after __swap_entry_free() drops
// the entry's last user, swapoff() can free the swap-cache folio, finish and vfree(swap_map)
// before swap_page_trans_huge_swapped() reads swap_map. The fix pins the device with
// get_swap_device() / put_swap_device(). The race needs a caller outside any RCU read-side section
// (shmem's truncation); a PTL holder (zap_pte_range(), the commit's example) is waited for by
// swapoff()'s synchronize_rcu() — the scenario's third variant shows that too.
import type { Bug } from './bug.ts';
import { swapoffScenario } from '../scenarios/bugs/swapoff.ts';

export const B30: Bug = {
  id: 'B30',
  commit: '82b1c07a0af6',
  subject: 'mm: swap: fix race between free_swap_and_cache() and swapoff()',
  fixes: '7c00bafee87c',
  year: 2024,
  protocol: 'swap cache / swap device lifetime',
  breaks: 'Use-after-free of swap metadata (I17)',
  variants: [
    { role: 'pre-fix', scenario: swapoffScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: swapoffScenario, variant: 'fixed' },
  ],
};
