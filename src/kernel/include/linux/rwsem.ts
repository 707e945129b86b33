// Reader-writer semaphores (include/linux/rwsem.h, kernel/locking/rwsem.c): the sleeping locks
// behind mmap_lock, i_mmap_rwsem and anon_vma->rwsem. Any number of readers, or one writer.
//
// Built from two engine words: `owner`, a spinlock word a writer holds for its whole critical
// section and a reader holds only while it registers, and `readers`, the count of readers inside.
// A writer takes `owner` (new readers now wait) and then waits for `readers` to drain. What the
// model keeps from the kernel's rwsem: mutual exclusion of a writer against readers and writers,
// readers sharing, acquire on taking it and release on leaving it. What it leaves out: the wait
// queue's fairness and handoff (they decide who goes first, not what is excluded), and optimistic
// spinning. A down_write() that can never get the lock shows as a blocked execution (deadlock).
// The kernel's inline wrappers (mmap_write_lock(), i_mmap_lock_read(), anon_vma_lock_write() …)
// live with their structures and run the same steps; a trace names the wrapper and the semaphore's
// location (`i_mmap_lock_write: spin_lock(F.i_mmap_rwsem.owner)`).
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { Mode } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { kernelFunction } from '../../kfn.ts';
import type { ObjectFields } from '../../../trace-format/index.ts';
import { LOCK_WORD } from './spinlock.ts';

/** A struct rw_semaphore: two engine words (see the file's header). */
export interface RwSemaphore {
  name: string;
  /** Held by a writer for its critical section, by a reader only while it registers. */
  owner: Loc;
  /** Readers inside. */
  readers: Loc;
}

/** A free rw_semaphore named `name` (its words are `name.owner`, `name.readers`). */
export function newRwsem(b: Builder, name: string): RwSemaphore {
  const fields: ObjectFields['rwsem'] = {
    owner: b.loc(`${name}.owner`, 0, { ...LOCK_WORD, show: (v) => (v ? 'held for write (or a reader registering)' : 'free') }),
    readers: b.loc(`${name}.readers`, 0, (v) => `${v} reader${v === 1 ? '' : 's'}`),
  };
  b.object('rwsem', name, fields);
  return { name, ...fields };
}

const V = 'v5.4–v6.18';
const F = 'kernel/locking/rwsem.c';

// The steps, as model helpers: the kernel's wrappers (mmap_write_lock(), i_mmap_lock_read() …) are
// declared where the kernel has them and run these, so a trace names the wrapper.

/** down_read()'s steps: wait while a writer holds the semaphore, then count itself in. */
export function* rwsemDownRead(t: Ctx, sem: RwSemaphore): ThreadGen<void> {
  yield t.lock(sem.owner);
  yield t.fetchAdd(sem.readers, 1, Mode.Relaxed);
  yield t.unlock(sem.owner);
}

/** up_read()'s step: a release decrement (the kernel's atomic_long_add_return_release). */
export function* rwsemUpRead(t: Ctx, sem: RwSemaphore): ThreadGen<void> {
  yield t.fetchSub(sem.readers, 1, Mode.Release);
}

/** down_write()'s steps: exclude new readers and writers, then wait for the readers inside. */
export function* rwsemDownWrite(t: Ctx, sem: RwSemaphore): ThreadGen<void> {
  yield t.lock(sem.owner);
  yield t.await(sem.readers, (v) => v === 0, Mode.Acquire);
}

/** down_write_trylock()'s steps: true if it got the semaphore without waiting. */
export function* rwsemDownWriteTrylock(t: Ctx, sem: RwSemaphore): ThreadGen<boolean> {
  if (!(yield t.trylock(sem.owner))) return false;
  if ((yield t.load(sem.readers, Mode.Acquire)) === 0) return true;
  yield t.unlock(sem.owner);
  return false;
}

/** up_write()'s step. */
export function* rwsemUpWrite(t: Ctx, sem: RwSemaphore): ThreadGen<void> {
  yield t.unlock(sem.owner);
}

/** down_read(): shared. */
export const down_read = kernelFunction({ name: 'down_read', file: F, version: V, note: 'no wait-queue fairness' }, rwsemDownRead);
/** up_read() */
export const up_read = kernelFunction({ name: 'up_read', file: F, version: V }, rwsemUpRead);
/** down_write(): exclusive. */
export const down_write = kernelFunction({ name: 'down_write', file: F, version: V, note: 'no wait-queue fairness' }, rwsemDownWrite);
/** down_write_trylock() */
export const down_write_trylock = kernelFunction({ name: 'down_write_trylock', file: F, version: V }, rwsemDownWriteTrylock);
/** up_write() */
export const up_write = kernelFunction({ name: 'up_write', file: F, version: V }, rwsemUpWrite);
