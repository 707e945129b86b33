// fork() (kernel/fork.c dup_mmap): the child's address space is built from the parent's with both
// mmap locks held for write, one VMA at a time; a COW VMA's pages become shared and read-only in
// both (copy_page_range() in mm/memory.ts). The model has one VMA with one PTE; the child's page
// table is modeled where a scenario needs it (its PteSlot), else only the parent's side of the copy.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { copy_page_range, type ForkOpts, type PteSlot } from '../mm/memory.ts';
import { kernelFunction } from '../kfn.ts';

/**
 * dup_mmap() of the one COW VMA: copy_page_range() (flush_tlb_mm(oldmm) at the end flushes
 * nothing a scenario models).
 */
export const dup_mmap = kernelFunction({ name: 'dup_mmap', file: 'kernel/fork.c', version: 'v5.9–v6.18', note: 'one VMA; the mmap locks and the VMA copy are not modeled' },
  (t: Ctx, parent: PteSlot, child: PteSlot | null, opts: ForkOpts = {}): ThreadGen<void> => copy_page_range(t, parent, child, opts));
