// mmap_lock (include/linux/mmap_lock.h), as a plain lock word: held for write by khugepaged's
// collapse, taken for read by a page fault.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';

const src = (name: string) => ({ name, file: 'include/linux/mmap_lock.h', version: MAINLINE });

export const mmap_write_lock = kernelFunction(src('mmap_write_lock'), function* (t: Ctx, mmapLock: Loc): ThreadGen<void> {
  yield t.lock(mmapLock);
});

export const mmap_write_unlock = kernelFunction(src('mmap_write_unlock'), function* (t: Ctx, mmapLock: Loc): ThreadGen<void> {
  yield t.unlock(mmapLock);
});
