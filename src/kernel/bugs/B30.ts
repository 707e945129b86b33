// B30: mm: swap: fix race between free_swap_and_cache() and swapoff() (82b1c07a0af6). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B30: Bug = {
  id: 'B30',
  commit: '82b1c07a0af6',
  subject: 'mm: swap: fix race between free_swap_and_cache() and swapoff()',
  fixes: '7c00bafee87c',
  year: 2024,
  protocol: 'swap cache / swap device lifetime',
  breaks: 'Use-after-free of swap metadata',
  variants: [],
  notModelled: 'not modelled yet',
};
