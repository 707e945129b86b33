// The swap cache (mm/swap_state.c): an address_space per swap device (swapper_spaces[type]) whose
// i_pages are indexed by swap offset, holding the folio being swapped in or out for an entry.
// Lookups are the page cache's speculative lookup (filemap_get_folio() -> filemap_get_entry()
// of mm/filemap.ts: RCU, folio_try_get(), xas_reload()); a folio is added and removed under the
// i_pages lock with the folio locked, and its PG_swapcache and folio->swap say which entry it is
// cached for.
//
// Also here: the folio as the swap paths see it (SwapFolio: struct folio's PG_locked,
// PG_swapcache, ->swap, ->mapping/->index — its anon identity — and _mapcount), the swap-in of a
// folio (__read_swap_cache_async()) and the swap-out's first step (add_to_swap()).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { Cpu } from '../cpus.ts';
import { kernelFunction } from '../kfn.ts';
import { folioField, folio_put, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { LOCK_WORD } from '../include/linux/spinlock.ts';
import { folio_alloc } from '../include/linux/gfp.ts';
import { folio_lock, type LockableFolio } from '../include/linux/pagemap.ts';
import { showSwpEntry, swp_offset, type SwpEntry } from '../include/linux/swapops.ts';
import { xas_store } from '../lib/xarray.ts';
import { filemap_get_entry, slotCursor, slotPfn } from './filemap.ts';
import { folio_alloc_swap, get_swap_device, put_swap_device, put_swap_folio, swapcache_prepare, type SwapInfo } from './swapfile.ts';

/**
 * An anonymous (or shmem) folio with the struct folio fields the swap paths read and write. Its
 * anon identity is folio->mapping (the anon_vma, 0 = not anon yet) and folio->index (the page
 * offset linear_page_index() gives the address it is mapped at): rmap walks find it through them,
 * and do_swap_page() checks them (__page_check_anon_rmap()) when it maps a swap-cache folio.
 */
export interface SwapFolio extends Folio, LockableFolio {
  /** PG_swapcache: 1 while the folio is in the swap cache. */
  PG_swapcache: Loc;
  /** folio->swap.val: the entry it is cached for (meaningful while PG_swapcache). */
  swap: Loc;
  /** folio->mapping: the anon_vma id (0 = none: a new folio, not anon yet). */
  mapping: Loc;
  /** folio->index: the page offset of its address in the anon_vma's space. */
  index: Loc;
  /** The page's mapcount: how many PTEs map it (0 = unmapped; folio_mapped()). */
  _mapcount: Loc;
}

/** The anon identity a folio mapped at an address of a VMA gets: the VMA's anon_vma and the page offset. */
export interface AnonIdentity {
  /** For messages, e.g. 'src_vma+0'. */
  what: string;
  /** The anon_vma id (>= 1). */
  anon_vma: number;
  /** linear_page_index(vma, address). */
  index: number;
}

/** Options of newSwapFolio(): its anon identity, mapcount, swap entry and data. */
export interface SwapFolioSpec {
  anon?: AnonIdentity;
  mapcount?: number;
  /** In the swap cache for this entry (PG_swapcache set). */
  swap?: SwpEntry;
  data?: number;
}

/** A folio at `pfn` with `refcount` references (0: free in the allocator), unlocked. */
export function newSwapFolio(b: Builder, name: string, pfn: number, refcount: number, spec: SwapFolioSpec = {}): SwapFolio {
  const f = newFolio(b, name, pfn, refcount, spec.data === undefined ? {} : { data: spec.data });
  return {
    ...f,
    PG_locked: folioField(b, f, 'PG_locked', 0, LOCK_WORD),
    PG_swapcache: folioField(b, f, 'PG_swapcache', spec.swap ? 1 : 0, (v) => (v ? 'in swap cache' : 'not in swap cache')),
    swap: folioField(b, f, 'swap', spec.swap ?? 0, showSwpEntry),
    mapping: folioField(b, f, 'mapping', spec.anon?.anon_vma ?? 0, (v) => (v ? `anon_vma#${v}` : 'NULL')),
    index: folioField(b, f, 'index', spec.anon?.index ?? 0, (v) => `index ${v}`),
    _mapcount: folioField(b, f, '_mapcount', spec.mapcount ?? 0, (v) => `${v} mapping${v === 1 ? '' : 's'}`),
  };
}

/** A swap-cache slot as traces print it: "folio A", "empty". */
export function showSwapCacheSlot(v: number, folios: SwapFolio[]): string {
  const pfn = slotPfn(v);
  if (!pfn) return 'empty';
  const f = folios.find((x) => x.pfn === pfn);
  return f ? `folio ${f.name}` : `folio pfn ${pfn}`;
}

const V = 'v6.8–v6.15';
const swapStateC = (name: string, note?: string) => ({ name, file: 'mm/swap_state.c', version: V, ...(note ? { note } : {}) });

/** The folio a swap-cache slot's pfn names. */
function folioOf(si: SwapInfo): (pfn: number) => Folio {
  return (pfn: number) => {
    const f = si.folios.find((x) => x.pfn === pfn);
    if (!f) throw new Error(`${si.name}: no folio at pfn ${pfn} in the swap cache's folio list`);
    return f;
  };
}

/**
 * filemap_get_folio(swap_address_space(entry), swp_offset(entry)): the speculative page-cache
 * lookup on the swap cache; the folio with a reference, or null.
 */
export const filemap_get_folio = kernelFunction({ name: 'filemap_get_folio', file: 'include/linux/pagemap.h', version: 'v6.3–v6.18', note: 'on the swap cache: __filemap_get_folio(mapping, index, 0, 0)' },
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, offset: number): ThreadGen<SwapFolio | null> {
    const f = yield* filemap_get_entry(t, cpu, slotCursor(t, si.cache, offset), folioOf(si));
    return f as SwapFolio | null;
  });

/** swap_cache_get_folio(): the swap cache's folio for `entry`, with a reference, or null. */
export const swap_cache_get_folio = kernelFunction(swapStateC('swap_cache_get_folio', 'readahead statistics left out'),
  (t: Ctx, si: SwapInfo, cpu: Cpu, entry: SwpEntry): ThreadGen<SwapFolio | null> => filemap_get_folio(t, si, cpu, swp_offset(entry)));

/**
 * add_to_swap_cache() of a locked order-0 folio: the cache's reference (folio_ref_add()),
 * PG_swapcache and folio->swap, then the slot under the i_pages lock (xas_store(): a
 * store-release, so a lookup that finds the folio sees them).
 */
export const add_to_swap_cache = kernelFunction(swapStateC('add_to_swap_cache', 'an order-0 folio; no shadow entries'),
  function* (t: Ctx, si: SwapInfo, folio: SwapFolio, entry: SwpEntry): ThreadGen<void> {
    yield t.fetchAdd(folio._refcount, 1, Mode.Relaxed); // folio_ref_add(folio, nr)
    yield t.store(folio.PG_swapcache, 1); // folio_set_swapcache()
    yield t.store(folio.swap, entry); // folio->swap = entry
    yield t.lock(si.cache.xa_lock);
    yield* xas_store(t, si.cache, swp_offset(entry), folio.pfn);
    yield t.unlock(si.cache.xa_lock);
  });

/** __delete_from_swap_cache(): the slot emptied, folio->swap cleared, PG_swapcache cleared (i_pages lock held). */
export const __delete_from_swap_cache = kernelFunction(swapStateC('__delete_from_swap_cache', 'an order-0 folio; no shadow entries'),
  function* (t: Ctx, si: SwapInfo, folio: SwapFolio, entry: SwpEntry): ThreadGen<void> {
    yield* xas_store(t, si.cache, swp_offset(entry), 0);
    yield t.store(folio.swap, 0); // folio->swap.val = 0
    yield t.store(folio.PG_swapcache, 0); // folio_clear_swapcache()
  });

/**
 * delete_from_swap_cache() of a locked folio: out of the swap cache, then the entry's cache claim
 * goes (put_swap_folio(): SWAP_HAS_CACHE cleared, the slot freed if nothing else uses it) and the
 * cache's reference is dropped (the caller holds another).
 */
export const delete_from_swap_cache = kernelFunction(swapStateC('delete_from_swap_cache'),
  function* (t: Ctx, si: SwapInfo, folio: SwapFolio): ThreadGen<void> {
    const entry = yield t.load(folio.swap);
    yield t.lock(si.cache.xa_lock);
    yield* __delete_from_swap_cache(t, si, folio, entry);
    yield t.unlock(si.cache.xa_lock);
    yield* put_swap_folio(t, si, entry);
    yield t.fetchAdd(folio._refcount, -1, Mode.Relaxed); // folio_ref_sub(folio, nr)
  });

/** What __read_swap_cache_async() returns: the folio (with a reference) and whether it is new. */
export interface SwapCacheFolio {
  folio: SwapFolio;
  /** A new folio the caller must read from swap (and that is locked). */
  allocated: boolean;
}

/**
 * __read_swap_cache_async() of `entry` with `newFolio` as the page the allocator would hand out:
 * the swap cache's folio if there is one; else claim the entry (swapcache_prepare()), allocate
 * the folio, lock it (__folio_set_locked) and add it to the swap cache. Null if the entry was
 * freed meanwhile (ENOENT) or the device is going away. EEXIST (someone else is adding a folio
 * for the entry) makes the kernel sleep a tick and retry; the model ends the execution there (a
 * later retry is the same as this call made later).
 */
export const __read_swap_cache_async = kernelFunction(swapStateC('__read_swap_cache_async', 'the allocator hands out `newFolio` if it is free; memcg not modelled'),
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, entry: SwpEntry, newFolio: SwapFolio): ThreadGen<SwapCacheFolio | null> {
    if (!(yield* get_swap_device(t, si, cpu, entry))) return null;
    let got: SwapCacheFolio | null = null;
    const cached = yield* filemap_get_folio(t, si, cpu, swp_offset(entry));
    if (cached) {
      got = { folio: cached, allocated: false };
    } else if (yield* folio_alloc(t, newFolio)) {
      const err = yield* swapcache_prepare(t, si, entry);
      if (err === 0) {
        yield* folio_lock(t, newFolio); // __folio_set_locked(): nobody else can see it yet
        yield t.store(newFolio.mapping, 0); // a fresh page: not anon (free_pages_prepare() cleared it)
        yield* add_to_swap_cache(t, si, newFolio, entry);
        got = { folio: newFolio, allocated: true };
      } else {
        yield* folio_put(t, newFolio);
        yield t.assume(err !== 'EEXIST'); // schedule_timeout_uninterruptible(1); retry
      }
    }
    yield* put_swap_device(t, si, cpu);
    return got;
  });

/**
 * add_to_swap() of a locked folio (vmscan): a slot from folio_alloc_swap() (SWAP_HAS_CACHE set),
 * then the folio into the swap cache for it. Returns the entry, or 0 if no slot was free.
 */
export const add_to_swap = kernelFunction(swapStateC('add_to_swap'),
  function* (t: Ctx, si: SwapInfo, cpu: Cpu, folio: SwapFolio): ThreadGen<SwpEntry> {
    const entry = yield* folio_alloc_swap(t, si, cpu);
    if (!entry) return 0;
    yield* add_to_swap_cache(t, si, folio, entry);
    return entry; // folio_mark_dirty()
  });
