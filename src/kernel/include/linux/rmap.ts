// struct anon_vma and its lock (include/linux/rmap.h): the root of the reverse map of anonymous
// pages. Every VMA that may map one of its pages is linked to it (through anon_vma_chains, here a
// list in interval-tree order: the order anon_vma_interval_tree_foreach visits them). Anon rmap
// walks (rmap_walk_anon(), the pre-v4.5 split_huge_page()) take the lock; the kernel's anon_vma
// lock is the root anon_vma's rwsem, one per tree.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { Vma } from './mm_types.ts';
import { kernelFunction } from '../../kfn.ts';
import { newRwsem, rwsemDownRead, rwsemDownWrite, rwsemUpRead, rwsemUpWrite, type RwSemaphore } from './rwsem.ts';

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

const rmapH = (name: string) => ({ name, file: 'include/linux/rmap.h', version: 'v3.0–v6.18' });

/** anon_vma_lock_read(): down_read(&anon_vma->root->rwsem). */
export const anon_vma_lock_read = kernelFunction(rmapH('anon_vma_lock_read'), (t: Ctx, av: AnonVma) => rwsemDownRead(t, av.rwsem));
/** anon_vma_unlock_read() */
export const anon_vma_unlock_read = kernelFunction(rmapH('anon_vma_unlock_read'), (t: Ctx, av: AnonVma) => rwsemUpRead(t, av.rwsem));
/** anon_vma_lock_write(): down_write(&anon_vma->root->rwsem). */
export const anon_vma_lock_write = kernelFunction(rmapH('anon_vma_lock_write'), (t: Ctx, av: AnonVma) => rwsemDownWrite(t, av.rwsem));
/** anon_vma_unlock_write() */
export const anon_vma_unlock_write = kernelFunction(rmapH('anon_vma_unlock_write'), (t: Ctx, av: AnonVma) => rwsemUpWrite(t, av.rwsem));
