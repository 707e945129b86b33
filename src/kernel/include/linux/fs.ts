// The rmap half of struct address_space (include/linux/fs.h): the i_mmap interval tree of the
// VMAs that map the file and the i_mmap_rwsem that protects it. File rmap walks (truncation's
// unmap_mapping_range(), rmap_walk_file(), khugepaged's retract_page_tables()) take it shared;
// whoever changes a non-terminal page-table entry under a file VMA without the mmap lock, or must
// not be missed by such a walk (mremap's take_rmap_locks()), takes it exclusive.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { Vma } from './mm_types.ts';
import { kernelFunction } from '../../kfn.ts';
import { newRwsem, rwsemDownRead, rwsemDownWrite, rwsemUpRead, rwsemUpWrite, type RwSemaphore } from './rwsem.ts';

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

const fsH = (name: string) => ({ name, file: 'include/linux/fs.h', version: 'v3.0–v6.18' });

/** i_mmap_lock_read(): down_read(&mapping->i_mmap_rwsem). */
export const i_mmap_lock_read = kernelFunction(fsH('i_mmap_lock_read'), (t: Ctx, m: AddressSpaceRmap) => rwsemDownRead(t, m.i_mmap_rwsem));
/** i_mmap_unlock_read() */
export const i_mmap_unlock_read = kernelFunction(fsH('i_mmap_unlock_read'), (t: Ctx, m: AddressSpaceRmap) => rwsemUpRead(t, m.i_mmap_rwsem));
/** i_mmap_lock_write(): down_write(&mapping->i_mmap_rwsem). */
export const i_mmap_lock_write = kernelFunction(fsH('i_mmap_lock_write'), (t: Ctx, m: AddressSpaceRmap) => rwsemDownWrite(t, m.i_mmap_rwsem));
/** i_mmap_unlock_write() */
export const i_mmap_unlock_write = kernelFunction(fsH('i_mmap_unlock_write'), (t: Ctx, m: AddressSpaceRmap) => rwsemUpWrite(t, m.i_mmap_rwsem));
