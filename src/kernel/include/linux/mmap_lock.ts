// mm->mmap_lock (include/linux/mmap_lock.h): the rwsem that page faults, madvise and GUP take
// shared and mremap, munmap and (before v6.5) khugepaged's page-table retraction take exclusive.
// Per-VMA locks are not modelled: where a scenario's actors take the mmap lock, it is this one.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { kernelFunction } from '../../kfn.ts';
import {
  newRwsem, rwsemDownRead, rwsemDownWrite, rwsemDownWriteTrylock, rwsemUpRead, rwsemUpWrite, type RwSemaphore,
} from './rwsem.ts';

/** Anything with an mmap_lock: an mm as the scenarios build it (`{ ...newMm(…), mmap_lock }`). */
export interface MmapLocked {
  mmap_lock: RwSemaphore;
}

/** The mmap_lock of the mm named `mmName`. */
export function newMmapLock(b: Builder, mmName: string): RwSemaphore {
  return newRwsem(b, `${mmName}.mmap_lock`);
}

const src = (name: string) => ({ name, file: 'include/linux/mmap_lock.h', version: 'v5.8–v6.18' });

/** mmap_read_lock(): down_read(&mm->mmap_lock). */
export const mmap_read_lock = kernelFunction(src('mmap_read_lock'), (t: Ctx, mm: MmapLocked) => rwsemDownRead(t, mm.mmap_lock));
/** mmap_read_unlock() */
export const mmap_read_unlock = kernelFunction(src('mmap_read_unlock'), (t: Ctx, mm: MmapLocked) => rwsemUpRead(t, mm.mmap_lock));
/** mmap_write_lock(): down_write(&mm->mmap_lock). */
export const mmap_write_lock = kernelFunction(src('mmap_write_lock'), (t: Ctx, mm: MmapLocked) => rwsemDownWrite(t, mm.mmap_lock));
/** mmap_write_trylock(): true if it got the lock. */
export const mmap_write_trylock = kernelFunction(src('mmap_write_trylock'), (t: Ctx, mm: MmapLocked) => rwsemDownWriteTrylock(t, mm.mmap_lock));
/** mmap_write_unlock() */
export const mmap_write_unlock = kernelFunction(src('mmap_write_unlock'), (t: Ctx, mm: MmapLocked) => rwsemUpWrite(t, mm.mmap_lock));
