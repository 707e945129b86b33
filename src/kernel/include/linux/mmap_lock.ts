// mm->mmap_lock (include/linux/mmap_lock.h): the rwsem that page faults, madvise and GUP take
// shared and mremap, munmap and (before v6.5) khugepaged's page-table retraction take exclusive.
// Per-VMA locks are not modelled: where a scenario's actors take the mmap lock, it is this one.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { down_read, down_write, down_write_trylock, newRwsem, up_read, up_write, type RwSemaphore } from './rwsem.ts';

/** Anything with an mmap_lock: an mm as the scenarios build it (`{ ...newMm(…), mmap_lock }`). */
export interface MmapLocked {
  mmap_lock: RwSemaphore;
}

/** The mmap_lock of the mm named `mmName`. */
export function newMmapLock(b: Builder, mmName: string): RwSemaphore {
  return newRwsem(b, `${mmName}.mmap_lock`);
}

/** mmap_read_lock(): down_read(&mm->mmap_lock). */
export function mmap_read_lock(t: Ctx, mm: MmapLocked): ThreadGen<void> { return down_read(t, mm.mmap_lock); }
/** mmap_read_unlock() */
export function mmap_read_unlock(t: Ctx, mm: MmapLocked): ThreadGen<void> { return up_read(t, mm.mmap_lock); }
/** mmap_write_lock(): down_write(&mm->mmap_lock). */
export function mmap_write_lock(t: Ctx, mm: MmapLocked): ThreadGen<void> { return down_write(t, mm.mmap_lock); }
/** mmap_write_trylock(): true if it got the lock. */
export function mmap_write_trylock(t: Ctx, mm: MmapLocked): ThreadGen<boolean> { return down_write_trylock(t, mm.mmap_lock); }
/** mmap_write_unlock() */
export function mmap_write_unlock(t: Ctx, mm: MmapLocked): ThreadGen<void> { return up_write(t, mm.mmap_lock); }
