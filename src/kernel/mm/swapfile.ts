// A swap device (mm/swapfile.c; docs/design/protocols.md has no section for it: the swap subsystem
// was out of the spec's scope until the bug history of issue 9 needed it): struct
// swap_info_struct with its swap_map (one count byte per slot), inuse_pages and the percpu_ref
// `users` that swapoff() kills and waits for; the swap-count operations (swap_duplicate,
// swapcache_prepare, swap_free, put_swap_folio, free_swap_and_cache …), the slot allocator, and
// swapoff() with try_to_unuse().
//
// swap_map[offset] = the entry's users (page tables, shmem mappings) | SWAP_HAS_CACHE (a folio is,
// or is about to be, in the swap cache for it). SWAP_HAS_CACHE is set before a folio enters the
// swap cache (swapcache_prepare(), the allocator) and cleared after it left it
// (put_swap_folio()); a slot whose byte drops to 0 is free and is given out again.
//
// Lifetimes: swap_map and the swap cache (swapper_spaces[type], mm/swap_state.ts) are objects
// that swapoff() frees (vfree(swap_map), exit_swap_address_space()); an access to them after
// that is an I17 use-after-free reported at the access. struct swap_info_struct itself (flags,
// si->lock, the users ref) is never freed by the kernel and is not an object here.
//
// The model is a swap device on a rotational disk: no cluster_info, so lock_cluster_or_swap_info()
// takes si->lock; the slot allocator hands out the first free slot; the swap slots cache of
// v5.x–v6.14 is drained and disabled (swapoff() disables it before try_to_unuse(), and v6.15
// removed it), so a freed slot is freed at once. Functions name the versions they follow: the
// v6.8 code for B30 (82b1c07a0af6), whose count arithmetic is the same in v6.15 (B17) under
// later names (swap_entry_put_locked, swap_entries_free).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { newSpinlock } from '../include/linux/spinlock.ts';
import type { Cpu } from '../cpus.ts';
import { I17 } from '../invariants.ts';
import { kernelFunction } from '../kfn.ts';
import { smp_mb, smp_rmb } from '../include/asm-generic/barrier.ts';
import { newPercpuRef, percpu_ref_kill, percpu_ref_put, percpu_ref_tryget_live, percpuRefReleased, type PercpuRef } from '../include/linux/percpu-refcount.ts';
import { folio_put } from '../include/linux/page_ref.ts';
import { folio_lock, folio_trylock, folio_unlock } from '../include/linux/pagemap.ts';
import { non_swap_entry, showSwpEntry, swp_entry, swp_offset, type SwpEntry } from '../include/linux/swapops.ts';
import { newAddressSpace, type AddressSpace } from './filemap.ts';
import { delete_from_swap_cache, filemap_get_folio, showSwapCacheSlot, type SwapFolio } from './swap_state.ts';
import { synchronize_rcu } from '../kernel/rcu/tree.ts';
import type { Cpus } from '../cpus.ts';

/** swap_map: a folio is (or is about to be) in the swap cache for the entry. */
export const SWAP_HAS_CACHE = 0x40;
/** swap_map: the slot is bad (never given out). */
export const SWAP_MAP_BAD = 0x3f;
/** swap_map (up to v6.14): the one user is a shmem mapping (swap_shmem_alloc()). */
export const SWAP_MAP_SHMEM = 0xbf;
/** swap_map: the largest count kept in the byte (continuations not modelled). */
export const SWAP_MAP_MAX = 0x3e;

/** swap_count(): the users, without SWAP_HAS_CACHE. */
export const swap_count = (ent: number): number => ent & ~SWAP_HAS_CACHE;

/** si->flags: the slot is a swap device. */
export const SWP_USED = 1 << 0;
/** si->flags: swapping out to it is allowed (swapoff() clears it first). */
export const SWP_WRITEOK = 1 << 1;

/** A swap_map byte as traces print it: "free", "1 user", "1 user + cache", "shmem + cache". */
export function showSwapMap(v: number): string {
  if (v === 0) return 'free';
  const c = swap_count(v);
  const users = c === SWAP_MAP_SHMEM ? 'shmem' : c === SWAP_MAP_BAD ? 'bad' : c ? `${c} user${c === 1 ? '' : 's'}` : '';
  return [users, v & SWAP_HAS_CACHE ? 'cache' : ''].filter(Boolean).join(' + ');
}

/** struct swap_info_struct as the model needs it. */
export interface SwapInfo {
  type: number;
  /** e.g. 'swap_info[0]' */
  name: string;
  /** si->flags: SWP_USED | SWP_WRITEOK. */
  flags: Loc;
  /** si->lock (the rotational-disk path of lock_cluster_or_swap_info()). */
  lock: Loc;
  /** si->swap_map[offset]; offset 0 is the header page. An object swapoff() frees (I17). */
  swap_map: Loc[];
  /** si->inuse_pages: slots with a non-zero byte. */
  inuse_pages: Loc;
  /** si->users: the percpu_ref get_swap_device() takes and swapoff() kills and waits for. */
  users: PercpuRef;
  /** swapper_spaces[type]: the swap cache, indexed by offset. An object swapoff() frees (I17). */
  cache: AddressSpace;
  /** The folios a swap-cache slot may name (lookups turn a pfn into one). */
  folios: SwapFolio[];
}

/**
 * A swap device of type `type` whose swap_map holds `map` (map[0] is the header: pass 0), the
 * swap cache holding `cache` (a folio pfn per offset, 0 = none), `ncpus` CPUs for its percpu_ref.
 * inuse_pages counts the non-free slots.
 */
export function newSwapInfo(b: Builder, ncpus: number, spec: { type?: number; map: number[]; cache?: number[]; folios: SwapFolio[] }): SwapInfo {
  const type = spec.type ?? 0;
  const name = `swap_info[${type}]`;
  const swap_map = spec.map.map((v, i) => b.loc(`${name}.swap_map[${i}]`, v, showSwapMap));
  b.object('swap_map', `${name}.swap_map`, { swap_map } satisfies ObjectFields['swap_map'], { invariant: I17 });
  // The swap cache: an address space (kind 'mapping') that swapoff() frees.
  const cache = newAddressSpace(b, `swapper_spaces[${type}]`, spec.cache ?? spec.map.map(() => 0),
    { show: (v) => showSwapCacheSlot(v, spec.folios), invariant: I17 });
  const fields: ObjectFields['swap_info'] = {
    flags: b.loc(`${name}.flags`, SWP_USED | SWP_WRITEOK, (v) => [v & SWP_USED ? 'SWP_USED' : '', v & SWP_WRITEOK ? 'SWP_WRITEOK' : ''].filter(Boolean).join('|') || '0'),
    lock: newSpinlock(b, `${name}.lock`),
    inuse_pages: b.loc(`${name}.inuse_pages`, spec.map.filter((v, i) => i > 0 && v !== 0).length),
  };
  b.object('swap_info', name, fields);
  return { type, name, swap_map, cache, folios: spec.folios, ...fields, users: newPercpuRef(b, `${name}.users`, ncpus) };
}

const V68 = 'v5.14–v6.8';
const swapfileC = (name: string, version = V68, note?: string) => ({ name, file: 'mm/swapfile.c', version, ...(note ? { note } : {}) });

/** lock_cluster_or_swap_info(): si->lock on a device without cluster_info. */
const lock_cluster_or_swap_info = kernelFunction(swapfileC('lock_cluster_or_swap_info', 'v5.x–v6.12', 'no cluster_info: si->lock'),
  function* (t: Ctx, si: SwapInfo): ThreadGen<void> { yield t.lock(si.lock); });
const unlock_cluster_or_swap_info = kernelFunction(swapfileC('unlock_cluster_or_swap_info', 'v5.x–v6.12', 'no cluster_info: si->lock'),
  function* (t: Ctx, si: SwapInfo): ThreadGen<void> { yield t.unlock(si.lock); });

/**
 * _swap_info_get(): the device of `entry` if it is in use and the entry's slot is not free (the
 * v6.8 checks: SWP_USED, offset < max, swap_map[offset] != 0). It takes no reference: nothing
 * keeps swapoff() from freeing swap_map after it returns.
 */
export const _swap_info_get = kernelFunction(swapfileC('_swap_info_get', 'v4.11–v6.12'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<SwapInfo | null> {
    if (!entry) return null;
    if (!((yield t.load(si.flags)) & SWP_USED)) return null; // data_race(!(p->flags & SWP_USED))
    const offset = swp_offset(entry);
    if (offset >= si.swap_map.length) return null;
    if (!(yield t.load(si.swap_map[offset]))) return null; // data_race(!p->swap_map[offset]): bad_free
    return si;
  });

/**
 * get_swap_device(): pins the device against swapoff() (percpu_ref_tryget_live(&si->users) on
 * this CPU), or returns false if swapoff() has killed the ref. smp_rmb() orders the users check
 * before the reads of the device's fields.
 */
export const get_swap_device = kernelFunction(swapfileC('get_swap_device', 'v5.14–v6.18', 'the offset >= si->max check not modelled'),
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, entry: SwpEntry): ThreadGen<boolean> {
    if (!entry) return false;
    if (!(yield* percpu_ref_tryget_live(t, si.users, cpu))) return false;
    yield smp_rmb(t);
    return true;
  });

/** put_swap_device(): drops get_swap_device()'s reference. */
export const put_swap_device = kernelFunction({ name: 'put_swap_device', file: 'mm/swap.h', version: 'v5.14–v6.18' },
  (t: Ctx, si: SwapInfo, cpu: Cpu): ThreadGen<void> => percpu_ref_put(t, si.users, cpu));

/** swap_range_free(): the slot is free again: inuse_pages drops (si->lock held). */
const swap_range_free = kernelFunction(swapfileC('swap_range_free', V68, 'the counters and zswap/discard hooks left out'),
  function* (t: Ctx, si: SwapInfo): ThreadGen<void> {
    const n = yield t.load(si.inuse_pages);
    yield t.store(si.inuse_pages, n - 1); // WRITE_ONCE(si->inuse_pages, si->inuse_pages - nr_entries)
  });

/** swap_entry_free(): a slot holding only SWAP_HAS_CACHE becomes free (map 0, inuse_pages - 1). */
const swap_entry_free = kernelFunction(swapfileC('swap_entry_free'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<void> {
    const offset = swp_offset(entry);
    yield t.store(si.swap_map[offset], 0); // count == SWAP_HAS_CACHE (VM_BUG_ON otherwise)
    yield* swap_range_free(t, si);
  });

/**
 * free_swap_slot(): with the swap slots cache disabled (swapoff() drains and disables it; v6.15
 * removed it) the slot goes straight to swapcache_free_entries() -> swap_entry_free() under
 * si->lock.
 */
const free_swap_slot = kernelFunction({ name: 'free_swap_slot', file: 'mm/swap_slots.c', version: 'v4.11–v6.14', note: 'slots cache disabled: swapcache_free_entries() at once' },
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<void> {
    yield t.lock(si.lock);
    yield* swap_entry_free(t, si, entry);
    yield t.unlock(si.lock);
  });

/**
 * __swap_entry_free_locked(): drops `usage` (1: a user; SWAP_HAS_CACHE: the cache's claim) from
 * the slot's byte and returns what is left. A slot left with nothing keeps SWAP_HAS_CACHE until
 * free_swap_slot() frees it (v6.8).
 */
const __swap_entry_free_locked = kernelFunction(swapfileC('__swap_entry_free_locked', V68, 'renamed swap_entry_put_locked() in v6.16'),
  function* (t: Ctx, si: SwapInfo, offset: number, usage: number): ThreadGen<number> {
    let count = yield t.load(si.swap_map[offset]);
    let has_cache = count & SWAP_HAS_CACHE;
    count &= ~SWAP_HAS_CACHE;
    if (usage === SWAP_HAS_CACHE) has_cache = 0; // VM_BUG_ON(!has_cache)
    else if (count === SWAP_MAP_SHMEM) count = 0; // shmem's one user
    else if (count <= SWAP_MAP_MAX) count--;
    const left = count | has_cache;
    yield t.store(si.swap_map[offset], left ? left : SWAP_HAS_CACHE); // WRITE_ONCE
    return left;
  });

/** __swap_entry_free(): one user of `entry` goes; a slot with nothing left is freed. */
export const __swap_entry_free = kernelFunction(swapfileC('__swap_entry_free', V68, 'renamed swap_entry_put() in v6.16'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<number> {
    yield* lock_cluster_or_swap_info(t, si);
    const usage = yield* __swap_entry_free_locked(t, si, swp_offset(entry), 1);
    yield* unlock_cluster_or_swap_info(t, si);
    if (!usage) yield* free_swap_slot(t, si, entry);
    return usage;
  });

/** swap_free(): a page table (or shmem) drops its reference to `entry`. */
export const swap_free = kernelFunction(swapfileC('swap_free', 'v4.11–v6.9', 'swap_free_nr() of one entry since v6.10'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<void> {
    const p = yield* _swap_info_get(t, si, entry);
    if (p) yield* __swap_entry_free(t, p, entry);
  });

/** put_swap_folio(): the swap cache's claim on `entry` goes (SWAP_HAS_CACHE cleared, or the slot freed). */
export const put_swap_folio = kernelFunction(swapfileC('put_swap_folio', V68, 'an order-0 folio'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<void> {
    const p = yield* _swap_info_get(t, si, entry);
    if (!p) return;
    yield* lock_cluster_or_swap_info(t, si);
    if (!(yield* __swap_entry_free_locked(t, si, swp_offset(entry), SWAP_HAS_CACHE))) {
      yield* unlock_cluster_or_swap_info(t, si);
      yield* free_swap_slot(t, si, entry);
      return;
    }
    yield* unlock_cluster_or_swap_info(t, si);
  });

/** The errors of __swap_duplicate(). */
export type SwapDupResult = 0 | 'EEXIST' | 'ENOENT';

/**
 * __swap_duplicate(): adds `usage` (1: a new user; SWAP_HAS_CACHE: claim the cache) to the slot.
 * SWAP_HAS_CACHE fails with EEXIST if someone else holds the cache claim and ENOENT if the entry
 * has no users left (it may have been freed since the caller saw it).
 */
const __swap_duplicate = kernelFunction(swapfileC('__swap_duplicate', V68, 'no count continuations'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry, usage: number): ThreadGen<SwapDupResult> {
    const offset = swp_offset(entry);
    yield* lock_cluster_or_swap_info(t, si);
    let count = yield t.load(si.swap_map[offset]);
    let has_cache = count & SWAP_HAS_CACHE;
    count &= ~SWAP_HAS_CACHE;
    let err: SwapDupResult = 0;
    if (usage === SWAP_HAS_CACHE) {
      if (!has_cache && count) has_cache = SWAP_HAS_CACHE; // set SWAP_HAS_CACHE if there is no cache and entry is used
      else if (has_cache) err = 'EEXIST'; // someone else added cache
      else err = 'ENOENT'; // no users remaining
    } else if (count || has_cache) {
      count += usage;
    } else {
      err = 'ENOENT'; // unused swap entry
    }
    yield t.store(si.swap_map[offset], count | has_cache); // WRITE_ONCE
    yield* unlock_cluster_or_swap_info(t, si);
    return err;
  });

/** swapcache_prepare(): claims the swap cache for `entry` before a folio is added for it. */
export const swapcache_prepare = kernelFunction(swapfileC('swapcache_prepare', 'v4.x–v6.8', 'one entry'),
  (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<SwapDupResult> => __swap_duplicate(t, si, entry, SWAP_HAS_CACHE));

/** swap_duplicate(): one more page table holds `entry` (try_to_unmap_one(), fork). */
export const swap_duplicate = kernelFunction(swapfileC('swap_duplicate', 'v4.x–v6.15', 'no count continuations'),
  (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<SwapDupResult> => __swap_duplicate(t, si, entry, 1));

/** swap_swapcount(): the entry's users (without the cache), under si->lock. */
export const swap_swapcount = kernelFunction(swapfileC('swap_swapcount', 'v6.3–v6.12'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<number> {
    yield* lock_cluster_or_swap_info(t, si);
    const count = swap_count(yield t.load(si.swap_map[swp_offset(entry)]));
    yield* unlock_cluster_or_swap_info(t, si);
    return count;
  });

/** folio_swapped(): is the order-0 folio's swap entry still used by a page table or shmem? */
const folio_swapped = kernelFunction(swapfileC('folio_swapped', 'v6.3–v6.8', 'an order-0 folio'),
  function* (t: Ctx, si: SwapInfo, folio: SwapFolio): ThreadGen<boolean> {
    const entry = yield t.load(folio.swap);
    const p = yield* _swap_info_get(t, si, entry);
    if (!p) return false;
    return (yield* swap_swapcount(t, si, entry)) !== 0;
  });

/**
 * folio_free_swap(): with the folio locked, if it is in the swap cache and no page table or
 * shmem mapping uses its entry any more, take it out of the swap cache (which frees the entry).
 * Writeback and hibernation are not modelled (the folio is clean and not under writeback).
 */
export const folio_free_swap = kernelFunction(swapfileC('folio_free_swap', 'v6.1–v6.15', 'no writeback, no hibernation'),
  function* (t: Ctx, si: SwapInfo, folio: SwapFolio): ThreadGen<boolean> {
    if (!(yield t.load(folio.PG_swapcache))) return false; // folio_test_swapcache()
    if (yield* folio_swapped(t, si, folio)) return false;
    yield* delete_from_swap_cache(t, si, folio);
    return true; // folio_set_dirty()
  });

/**
 * swap_page_trans_huge_swapped() of an entry outside a huge cluster (a device without
 * cluster_info): does the entry still have users? It reads si->swap_map, which nothing keeps
 * allocated unless the caller pinned the device (B30).
 */
export const swap_page_trans_huge_swapped = kernelFunction(swapfileC('swap_page_trans_huge_swapped', 'v4.14–v6.9', 'no huge clusters (no cluster_info)'),
  function* (t: Ctx, si: SwapInfo, entry: SwpEntry): ThreadGen<boolean> {
    yield* lock_cluster_or_swap_info(t, si);
    const ret = swap_count(yield t.load(si.swap_map[swp_offset(entry)])) !== 0; // map[roffset]
    yield* unlock_cluster_or_swap_info(t, si);
    return ret;
  });

/** __try_to_reclaim_swap(): reclaim the swap entry anyway if possible. */
export const TTRS_ANYWAY = 0x1;
/** __try_to_reclaim_swap(): reclaim it if the folio is not mapped any more. */
export const TTRS_UNMAPPED = 0x2;
/** __try_to_reclaim_swap(): reclaim it if swap is getting full. */
export const TTRS_FULL = 0x4;

/**
 * __try_to_reclaim_swap(): if the swap cache holds a folio for the slot and it can be locked and
 * (per `flags`) freed from the swap cache, do so. mem_cgroup_swap_full() is false.
 */
export const __try_to_reclaim_swap = kernelFunction(swapfileC('__try_to_reclaim_swap', 'v6.6–v6.8', 'mem_cgroup_swap_full() false'),
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, offset: number, flags: number): ThreadGen<number> {
    const folio = yield* filemap_get_folio(t, si, cpu, offset);
    if (!folio) return 0;
    let ret = 0;
    if (yield* folio_trylock(t, folio)) {
      if ((flags & TTRS_ANYWAY) || ((flags & TTRS_UNMAPPED) && !(yield t.load(folio._mapcount)))) {
        ret = (yield* folio_free_swap(t, si, folio)) ? 1 : 0;
      }
      yield* folio_unlock(t, folio);
    }
    yield* folio_put(t, folio);
    return ret ? 1 : -1;
  });

/**
 * free_swap_and_cache() of v6.8 (before 82b1c07a0af6): a page table or shmem mapping drops its
 * swap entry; if only the swap cache is left, try to reclaim the cached folio. _swap_info_get()
 * takes no reference, so once __swap_entry_free() has dropped the last user, swapoff() can finish
 * and free swap_map before swap_page_trans_huge_swapped() reads it — unless the caller is in an
 * RCU read-side section (a PTL holder is), which swapoff()'s synchronize_rcu() waits for.
 */
export const free_swap_and_cache_v6_8 = kernelFunction({ name: 'free_swap_and_cache', file: 'mm/swapfile.c', version: 'v4.14–v6.8 (before 82b1c07a0af6)' },
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, entry: SwpEntry): ThreadGen<boolean> {
    if (non_swap_entry(entry)) return true;
    const p = yield* _swap_info_get(t, si, entry);
    if (p) {
      const count = yield* __swap_entry_free(t, p, entry);
      if (count === SWAP_HAS_CACHE && !(yield* swap_page_trans_huge_swapped(t, p, entry))) {
        yield* __try_to_reclaim_swap(t, p, cpu, swp_offset(entry), TTRS_UNMAPPED | TTRS_FULL);
      }
    }
    return p !== null;
  });

/**
 * free_swap_and_cache() since 82b1c07a0af6 (v6.9): the device is pinned with get_swap_device()
 * around the whole operation, which stalls swapoff(); the check _swap_info_get() made that the
 * entry is in use is made directly (WARN_ON).
 */
export const free_swap_and_cache = kernelFunction({ name: 'free_swap_and_cache', file: 'mm/swapfile.c', version: 'v6.9 (82b1c07a0af6; free_swap_and_cache_nr() from v6.10)' },
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, entry: SwpEntry): ThreadGen<boolean> {
    if (non_swap_entry(entry)) return true;
    if (!(yield* get_swap_device(t, si, cpu, entry))) return false;
    const p = si;
    if (!(yield t.load(p.swap_map[swp_offset(entry)]))) { // WARN_ON(data_race(!p->swap_map[...]))
      yield* put_swap_device(t, p, cpu);
      return false;
    }
    const count = yield* __swap_entry_free(t, p, entry);
    if (count === SWAP_HAS_CACHE && !(yield* swap_page_trans_huge_swapped(t, p, entry))) {
      yield* __try_to_reclaim_swap(t, p, cpu, swp_offset(entry), TTRS_UNMAPPED | TTRS_FULL);
    }
    yield* put_swap_device(t, p, cpu);
    return true;
  });

/**
 * The slot allocator (folio_alloc_swap() -> get_swap_pages() -> scan_swap_map_slots() /
 * v6.15's cluster allocator) for an order-0 folio: under si->lock, the first free slot is given
 * SWAP_HAS_CACHE and counted in inuse_pages. Returns its entry, or 0 if the device is full or not
 * writable. Which free slot the kernel picks is its allocator's business; the model takes the
 * first, so a scenario whose device has one slot reuses it (the ABA of B17).
 */
export const folio_alloc_swap = kernelFunction(swapfileC('folio_alloc_swap', 'v6.15', 'first free slot; v6.8 had it in mm/swap_slots.c with the slots cache'),
  function* (t: Ctx, si: SwapInfo, cpu: Cpu): ThreadGen<SwpEntry> {
    if (!(yield* percpu_ref_tryget_live(t, si.users, cpu))) return 0; // get_swap_device_info()
    yield t.lock(si.lock);
    let entry = 0;
    if ((yield t.load(si.flags)) & SWP_WRITEOK) {
      for (let offset = 1; offset < si.swap_map.length; offset++) {
        if ((yield t.load(si.swap_map[offset])) !== 0) continue;
        yield t.store(si.swap_map[offset], SWAP_HAS_CACHE);
        const n = yield t.load(si.inuse_pages); // swap_range_alloc()
        yield t.store(si.inuse_pages, n + 1);
        entry = swp_entry(si.type, offset);
        break;
      }
    }
    yield t.unlock(si.lock);
    yield* percpu_ref_put(t, si.users, cpu);
    return entry;
  });

// ---------------------------------------------------------------- swapoff

/**
 * find_next_to_unuse(): the next slot after `prev` that is in use (any non-zero byte but a bad
 * one, SWAP_HAS_CACHE alone included), or 0.
 */
const find_next_to_unuse = kernelFunction(swapfileC('find_next_to_unuse', 'v5.1–v6.12'),
  function* (t: Ctx, si: SwapInfo, prev: number): ThreadGen<number> {
    for (let i = prev + 1; i < si.swap_map.length; i++) {
      const count = yield t.load(si.swap_map[i]); // READ_ONCE(si->swap_map[i])
      if (count && swap_count(count) !== SWAP_MAP_BAD) return i;
    }
    return 0;
  });

/**
 * try_to_unuse(): until inuse_pages is 0, free every swap-cache folio whose entry no page table
 * or shmem mapping uses (find_next_to_unuse(), folio_free_swap()). shmem_unuse() and the walk of
 * every mm (unuse_mm()), which swap entries back in, are not modelled: the scenario's other
 * threads drop their entries themselves. A pass that leaves inuse_pages non-zero retries; the
 * model waits for a slot's byte to change before it retries (a pass over unchanged bytes does the
 * same again), so the loop is finite.
 */
export const try_to_unuse = kernelFunction(swapfileC('try_to_unuse', 'v5.1–v6.12', 'shmem_unuse() and unuse_mm() not modelled'),
  function* (t: Ctx, si: SwapInfo, cpu: Cpu): ThreadGen<void> {
    for (;;) {
      if (!(yield t.load(si.inuse_pages))) break; // READ_ONCE(si->inuse_pages)
      const seen: number[] = [];
      for (const m of si.swap_map) seen.push(yield t.load(m));
      let i = 0;
      while ((yield t.load(si.inuse_pages)) && (i = yield* find_next_to_unuse(t, si, i)) !== 0) {
        const folio = yield* filemap_get_folio(t, si, cpu, i);
        if (!folio) continue;
        yield* folio_lock(t, folio);
        yield* folio_free_swap(t, si, folio); // folio_wait_writeback(): none
        yield* folio_unlock(t, folio);
        yield* folio_put(t, folio);
      }
      if (!(yield t.load(si.inuse_pages))) break;
      // retry: a pass over the bytes this one started from would do the same again, so the
      // model goes on only once some byte has changed (the spin-loop reduction).
      let changed = false;
      for (let k = 0; k < si.swap_map.length && !changed; k++) changed = (yield t.load(si.swap_map[k])) !== seen[k];
      yield t.assume(changed);
    }
    yield smp_mb(t); // "further cleanups ... happen after swap_range_free() reduces si->inuse_pages to 0"
  });

/** vfree(swap_map): swapoff() frees the map (an I17 use-after-free for anyone who reads it later). */
const vfree_swap_map = kernelFunction({ name: 'vfree', file: 'mm/vmalloc.c', version: 'v5.14–v6.18' },
  function* (t: Ctx, si: SwapInfo): ThreadGen<void> {
    for (const m of si.swap_map) yield t.free(m);
  });

/** exit_swap_address_space(): kvfree() of swapper_spaces[type], the swap cache. */
const exit_swap_address_space = kernelFunction({ name: 'exit_swap_address_space', file: 'mm/swap_state.c', version: 'v4.11–v6.17' },
  function* (t: Ctx, si: SwapInfo): ThreadGen<void> {
    for (const s of si.cache.slots) yield t.free(s);
  });

/**
 * swapoff() of `si` from CPU `self` (v5.14–v6.12): stop allocation (clear SWP_WRITEOK under
 * si->lock), try_to_unuse(), then kill si->users, synchronize_rcu() and wait for the users'
 * release (every get_swap_device() put, and every RCU reader — a PTL holder — gone), and only
 * then free swap_map and the swap cache.
 */
export const swapoff = kernelFunction({ name: 'swapoff', file: 'mm/swapfile.c', version: 'v5.14–v6.12', note: 'SYSCALL_DEFINE1(swapoff); the device found, no error paths' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, si: SwapInfo): ThreadGen<void> {
    yield t.lock(si.lock);
    yield t.store(si.flags, (yield t.load(si.flags)) & ~SWP_WRITEOK);
    yield t.unlock(si.lock);
    yield* try_to_unuse(t, si, self);
    yield* percpu_ref_kill(t, si.users);
    yield* synchronize_rcu(t, cpus, self);
    yield* percpuRefReleased(t, si.users); // wait_for_completion(&p->comp)
    yield* vfree_swap_map(t, si);
    yield* exit_swap_address_space(t, si);
    yield t.lock(si.lock);
    yield t.store(si.flags, 0); // p->flags = 0
    yield t.unlock(si.lock);
  });

/** A swap entry for messages: "S1 (swap_info[0])". */
export const entryName = (si: SwapInfo, e: SwpEntry): string => `${showSwpEntry(e)} (${si.name})`;
