// The rmap half of struct address_space (include/linux/fs.h): the i_mmap interval tree of the
// VMAs that map the file and the i_mmap_rwsem that protects it. File rmap walks (truncation's
// unmap_mapping_range(), rmap_walk_file(), khugepaged's retract_page_tables()) take it shared;
// whoever changes a non-terminal page-table entry under a file VMA without the mmap lock, or must
// not be missed by such a walk (mremap's take_rmap_locks()), takes it exclusive.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { Vma } from './mm_types.ts';
import { down_read, down_write, newRwsem, up_read, up_write, type RwSemaphore } from './rwsem.ts';

/** The rmap half of a struct address_space: i_mmap and i_mmap_rwsem. */
export interface AddressSpaceRmap {
  name: string;
  i_mmap_rwsem: RwSemaphore;
  /** The VMAs mapping the file, in interval-tree (walk) order; newVma() appends. */
  i_mmap: Vma[];
}

/** A file's mapping `name` with an empty i_mmap tree (newVma() links VMAs into it). */
export function newAddressSpaceRmap(b: Builder, name: string): AddressSpaceRmap {
  return { name, i_mmap_rwsem: newRwsem(b, `${name}.i_mmap_rwsem`), i_mmap: [] };
}

// The inline wrappers of include/linux/fs.h: their steps are down_read()'s / down_write()'s.
/** i_mmap_lock_read(): down_read(&mapping->i_mmap_rwsem). */
export function i_mmap_lock_read(t: Ctx, m: AddressSpaceRmap): ThreadGen<void> { return down_read(t, m.i_mmap_rwsem); }
/** i_mmap_unlock_read() */
export function i_mmap_unlock_read(t: Ctx, m: AddressSpaceRmap): ThreadGen<void> { return up_read(t, m.i_mmap_rwsem); }
/** i_mmap_lock_write(): down_write(&mapping->i_mmap_rwsem). */
export function i_mmap_lock_write(t: Ctx, m: AddressSpaceRmap): ThreadGen<void> { return down_write(t, m.i_mmap_rwsem); }
/** i_mmap_unlock_write() */
export function i_mmap_unlock_write(t: Ctx, m: AddressSpaceRmap): ThreadGen<void> { return up_write(t, m.i_mmap_rwsem); }
