// struct anon_vma and its lock (include/linux/rmap.h): the root of the reverse map of anonymous
// pages. Every VMA that may map one of its pages is linked to it (through anon_vma_chains, here a
// list in interval-tree order: the order anon_vma_interval_tree_foreach visits them). Anon rmap
// walks (rmap_walk_anon(), the pre-v4.5 split_huge_page()) take the lock; the kernel's anon_vma
// lock is the root anon_vma's rwsem, one per tree.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { Vma } from './mm_types.ts';
import { down_read, down_write, newRwsem, up_read, up_write, type RwSemaphore } from './rwsem.ts';

/** A struct anon_vma (its root's rwsem) and the VMAs linked to it. */
export interface AnonVma {
  name: string;
  /** anon_vma->root->rwsem */
  rwsem: RwSemaphore;
  /** The VMAs linked to it, in walk order; newVma() appends a VMA whose anon_vma is set. */
  vmas: Vma[];
}

/** An anon_vma named `name` with no VMA yet (newVma() links them). */
export function newAnonVma(b: Builder, name: string): AnonVma {
  return { name, rwsem: newRwsem(b, `${name}.rwsem`), vmas: [] };
}

// The inline wrappers of include/linux/rmap.h.
/** anon_vma_lock_read(): down_read(&anon_vma->root->rwsem). */
export function anon_vma_lock_read(t: Ctx, av: AnonVma): ThreadGen<void> { return down_read(t, av.rwsem); }
/** anon_vma_unlock_read() */
export function anon_vma_unlock_read(t: Ctx, av: AnonVma): ThreadGen<void> { return up_read(t, av.rwsem); }
/** anon_vma_lock_write(): down_write(&anon_vma->root->rwsem). */
export function anon_vma_lock_write(t: Ctx, av: AnonVma): ThreadGen<void> { return down_write(t, av.rwsem); }
/** anon_vma_unlock_write() */
export function anon_vma_unlock_write(t: Ctx, av: AnonVma): ThreadGen<void> { return up_write(t, av.rwsem); }
