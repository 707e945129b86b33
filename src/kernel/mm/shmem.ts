// shmem's side of swap (mm/shmem.c): a swapped-out shmem page is a value entry (the swap entry)
// in the file's i_pages. Truncation takes it out with xa_cmpxchg_irq() — the i_pages lock is
// taken and dropped inside — and then drops the swap entry with free_swap_and_cache() holding no
// lock and outside any RCU read-side section (shmem_free_swap(), up to v6.9): nothing but the
// callee itself keeps swapoff() from tearing the swap device down meanwhile (B30).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { newSpinlock } from '../include/linux/spinlock.ts';
import type { Cpu } from '../cpus.ts';
import { kernelFunction } from '../kfn.ts';
import { showSwpEntry, type SwpEntry } from '../include/linux/swapops.ts';
import { free_swap_and_cache, free_swap_and_cache_v6_8, type SwapInfo } from './swapfile.ts';

/** A shmem file's i_pages, as far as swapped-out pages go: per index a swap entry (0 = none). */
export interface ShmemMapping {
  name: string;
  /** i_pages[index]: xa_mk_value(swap entry) in the model as the entry itself, 0 = empty. */
  slots: Loc[];
  xa_lock: Loc;
}

/** A shmem mapping whose pages at each index are swapped out to the entries `swapped` (0: none). */
export function newShmemMapping(b: Builder, name: string, swapped: SwpEntry[]): ShmemMapping {
  const fields: ObjectFields['mapping'] = {
    i_pages: swapped.map((e, i) => b.loc(`${name}.i_pages[${i}]`, e, (v) => (v ? `swap value ${showSwpEntry(v)}` : 'empty'))),
    xa_lock: newSpinlock(b, `${name}.i_pages.xa_lock`),
  };
  b.object('mapping', name, fields);
  return { name, slots: fields.i_pages, xa_lock: fields.xa_lock };
}

/**
 * shmem_free_swap() (v5.x–v6.8): xa_cmpxchg_irq() the swap value out of i_pages[index], then
 * free_swap_and_cache() with no lock held. `fixed`: free_swap_and_cache() with 82b1c07a0af6.
 * Returns false (-ENOENT) if the value was no longer there.
 */
export const shmem_free_swap = kernelFunction({ name: 'shmem_free_swap', file: 'mm/shmem.c', version: 'v5.x–v6.9', note: 'free_swap_and_cache_nr() from v6.10' },
  function* (t: Ctx, cpu: Cpu, si: SwapInfo, mapping: ShmemMapping, index: number, radswap: SwpEntry, fixed: boolean): ThreadGen<boolean> {
    yield t.lock(mapping.xa_lock); // xa_cmpxchg_irq(&mapping->i_pages, index, radswap, NULL, 0)
    const old = yield t.load(mapping.slots[index]);
    if (old === radswap) yield t.store(mapping.slots[index], 0);
    yield t.unlock(mapping.xa_lock);
    if (old !== radswap) return false;
    yield* (fixed ? free_swap_and_cache : free_swap_and_cache_v6_8)(t, si, cpu, radswap);
    return true;
  });
