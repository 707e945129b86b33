// The folio lock (include/linux/pagemap.h folio_lock / folio_trylock / folio_unlock, the PG_locked
// bit of the folio's flags with a wait queue behind it). The model makes PG_locked a lock word:
// folio_lock() waits until it is free; the wait queue is the engine's blocking.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';

/** A folio with its lock bit (any folio model that has PG_locked). */
export interface LockableFolio {
  name: string;
  /** PG_locked as a lock word: 0 = unlocked. */
  PG_locked: Loc;
}

const pagemapH = (name: string) => ({ name, file: 'include/linux/pagemap.h', version: MAINLINE });

/** folio_trylock(): takes the lock if it is free; true if taken. */
export const folio_trylock = kernelFunction(pagemapH('folio_trylock'), function* (t: Ctx, f: LockableFolio): ThreadGen<boolean> {
  return (yield t.trylock(f.PG_locked)) === 1;
});

/** folio_lock(): sleeps until the lock is taken. */
export const folio_lock = kernelFunction(pagemapH('folio_lock'), function* (t: Ctx, f: LockableFolio): ThreadGen<void> {
  yield t.lock(f.PG_locked);
});

/** folio_unlock(): releases the lock (and wakes the waiters). */
export const folio_unlock = kernelFunction({ name: 'folio_unlock', file: 'mm/filemap.c', version: MAINLINE }, function* (t: Ctx, f: LockableFolio): ThreadGen<void> {
  yield t.unlock(f.PG_locked);
});
