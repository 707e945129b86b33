// The page cache and its speculative lookup (mm/filemap.c filemap_get_entry, the xarray
// i_pages; docs/design/protocols.md §5). A flat AddressSpace has one slot per index; a slot holds a folio's
// pfn, plus a ghost version in bits 8+ that changes on every store so the invariant checks
// cannot be fooled by ABA. lib/xarray.ts has the stores (xas_store) and the xarray with nodes.
import type { Ctx, Loc, PropertyRef, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder, ObjInfo } from '../../engine/program.ts';
import { xasLoadSlot, xasReloadSlot, xas_store } from '../lib/xarray.ts';
import type { Cpu } from '../cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { ghostLoad } from '../ghost.ts';
import { checkNotFrozen, folio_get, folio_put, folio_try_get, type Folio } from '../include/linux/page_ref.ts';
import { I9 } from '../invariants.ts';
import { folio_test_uptodate } from '../include/linux/page-flags.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { newSpinlock } from '../include/linux/spinlock.ts';

/** struct address_space as a flat page cache: i_pages slots (folio pfn plus a ghost version) and the i_pages lock. */
export interface AddressSpace {
  name: string;
  /** i_pages[index] */
  slots: Loc[];
  /** xa_lock(&mapping->i_pages) */
  xa_lock: Loc;
  /** The address space as an object of the program (kind 'mapping'), for traces. */
  obj: ObjInfo;
}

/** The folio pfn a slot holds (0 = empty), without the ghost version. */
export const slotPfn = (v: number): number => v & 0xff;
/** A slot value as traces print it: "folio pfn 1 #2" or "empty". */
export const showSlot = (v: number): string => (slotPfn(v) ? `folio pfn ${slotPfn(v)}${v >> 8 ? ` #${v >> 8}` : ''}` : 'empty');

/**
 * An address space `name` whose slots hold `init` (folio pfns, 0: empty). `show`: how traces print
 * a slot (default: a folio pfn); `invariant`: what an access to its freed slots breaks, when
 * something frees it (the swap cache: swapoff).
 */
export function newAddressSpace(b: Builder, name: string, init: number[], opts: { show?: (v: number) => string; invariant?: PropertyRef } = {}): AddressSpace {
  const fields: ObjectFields['mapping'] = {
    i_pages: init.map((v, i) => b.loc(`${name}.i_pages[${i}]`, v, opts.show ?? showSlot)),
    xa_lock: newSpinlock(b, `${name}.i_pages.xa_lock`),
  };
  const obj = b.object('mapping', name, fields, opts.invariant === undefined ? {} : { invariant: opts.invariant });
  return { name, slots: fields.i_pages, xa_lock: fields.xa_lock, obj };
}

/** The unsafe variants of filemap_get_entry() (rows U5 of docs/design/variants.md). */
export interface LookupKnobs {
  /** U5.a: return the folio without xas_reload(). */
  noReload?: boolean;
  /** U5.b: folio_get() (plain increment) instead of folio_try_get(). */
  plainGet?: boolean;
}

/**
 * Where a lookup finds index's entry (its XA_STATE(xas, &mapping->i_pages, index)): the i_pages
 * slot of a flat AddressSpace (slotCursor), or a node of lib/xarray.ts (xaCursor). `xas_reload()`
 * rereads the place `xas_load()` read; `truth()` is the ghost view of what the mapping holds now,
 * for I9.
 */
export interface XaCursor {
  /** e.g. 'A.i_pages[0]', for messages. */
  name: string;
  /** The lookup's (mapping, index) for messages, e.g. 'A, 0'. */
  what: string;
  /** The entry's pfn, 0 = empty. */
  xas_load(): ThreadGen<number>;
  xas_reload(): ThreadGen<number>;
  truth(): ThreadGen<{ pfn: number; text: string }>;
  /**
   * Ghost: does `folio` cover the lookup's index (folio->index <= index < folio->index + nr)? A
   * multi-index xarray (lib/xarray.ts xaCursor with identities) answers; a flat one has no need.
   */
  covers?(folio: Folio): ThreadGen<{ ok: boolean; text: string }>;
}

/** The cursor of a flat AddressSpace: one slot per index. */
export function slotCursor(t: Ctx, m: AddressSpace, index: number): XaCursor {
  const slot = m.slots[index];
  return {
    name: `${m.name}.i_pages[${index}]`,
    what: `${m.name}, ${index}`,
    xas_load: () => xasLoadSlot(t, slot),
    xas_reload: () => xasReloadSlot(t, slot),
    *truth() { const v = yield* ghostLoad(t, slot); return { pfn: slotPfn(v), text: showSlot(v) }; },
  };
}

/**
 * filemap_get_entry(mapping, index), the index's place given as its xa_state (slotCursor(t, m,
 * index) for a flat AddressSpace): RCU{ load slot; try-get; reload slot == folio else put and
 * retry }. Returns the folio with a reference held, or null for an empty slot.
 * I9 instrumentation: a ghost read of the slot right before the reference is taken; at return
 * the slot must still have held the folio then (any change before the get is a violation).
 */
export const filemap_get_entry = kernelFunction({ name: 'filemap_get_entry', file: 'mm/filemap.c', version: MAINLINE },
  function* (t: Ctx, cpu: Cpu, xas: XaCursor, folios: (pfn: number) => Folio, knobs: LookupKnobs = {}): ThreadGen<Folio | null> {
  const what = xas.what;
  yield* rcu_read_lock(t, cpu);
  for (;;) {
    const pfn = yield* xas.xas_load();
    if (!pfn) { yield* rcu_read_unlock(t, cpu); return null; }
    // xas_load() -> folio fields: an address dependency (rcu_dereference()); the successful
    // folio_try_get() below is a fully ordered atomic, which orders them anyway.
    const folio = folios(pfn);
    const truth = yield* xas.truth();
    if (knobs.plainGet) {
      yield* folio_get(t, folio);
    } else if (!(yield* folio_try_get(t, folio))) {
      // Freed or frozen: the kernel goes back to xas_load. The failed attempt wrote nothing, so
      // retrying is equivalent to this lookup having started later, which exploration also
      // covers: the spin-loop reduction ends this execution here instead of unrolling the loop.
      yield t.assume(false);
      return null;
    }
    yield* checkNotFrozen(t, folio, `filemap_get_entry(${what})`);
    // xas_reload() reads the slot after the reference was taken: if it still names the folio,
    // that read is I9's witness, even if the slot went away and came back in between (an ABA on
    // the slot, which the kernel tolerates: the folio is in the slot while the reference is held).
    let reloaded = false;
    if (!knobs.noReload) {
      if ((yield* xas.xas_reload()) !== pfn) {
        yield* folio_put(t, folio);
        continue;
      }
      reloaded = true;
    }
    yield* rcu_read_unlock(t, cpu);
    yield t.assert(reloaded || truth.pfn === pfn, I9, () => `filemap_get_entry(${what}) on CPU${t.tid} returned ${folio.name}, but ${xas.name} no longer held it when the reference was taken (${truth.text})`);
    if (xas.covers) {
      const c = yield* xas.covers(folio);
      yield t.assert(c.ok, I9, () => `filemap_get_entry(${what}) on CPU${t.tid} returned ${folio.name} for the wrong index: ${c.text}`);
    }
    return folio;
  }
});

const filemapC = (name: string, note?: string) => ({ name, file: 'mm/filemap.c', version: MAINLINE, ...(note ? { note } : {}) });

/**
 * filemap_get_read_batch() for one index, as filemap_read() -> filemap_get_pages() uses it: under
 * RCU, xas_load, folio_try_get (a failed one retries: see filemap_get_entry), xas_reload, then
 * folio_test_uptodate(), which ends the batch at a folio that is not uptodate. The folio comes
 * back with a reference and whether it was uptodate; the caller copies its data after
 * rcu_read_unlock(). `rmb` is folio_test_uptodate()'s barrier (page-flags.ts).
 */
export const filemap_get_read_batch = kernelFunction(filemapC('filemap_get_read_batch', 'one index, no readahead flag'),
  function* (t: Ctx, cpu: Cpu, xas: XaCursor, folios: (pfn: number) => Folio, flags: (f: Folio) => Loc, rmb = true): ThreadGen<{ folio: Folio; uptodate: boolean } | null> {
    yield* rcu_read_lock(t, cpu);
    const pfn = yield* xas.xas_load();
    if (!pfn) { yield* rcu_read_unlock(t, cpu); return null; }
    const folio = folios(pfn);
    if (!(yield* folio_try_get(t, folio))) { yield t.assume(false); return null; } // retry: as in filemap_get_entry
    if ((yield* xas.xas_reload()) !== pfn) {
      yield* folio_put(t, folio);
      yield t.assume(false); // put_folio, then retry: the lookup starting later, which exploration covers
      return null;
    }
    const uptodate = yield* folio_test_uptodate(t, flags(folio), rmb);
    yield* rcu_read_unlock(t, cpu);
    return { folio, uptodate };
  });

/** __filemap_remove_folio(): the slot is emptied (page_cache_delete() -> xas_store(NULL)); xa_lock held. */
export const __filemap_remove_folio = kernelFunction(filemapC('__filemap_remove_folio'),
  (t: Ctx, m: AddressSpace, index: number): ThreadGen<void> => xas_store(t, m, index, 0));

/** filemap_remove_folio(): __filemap_remove_folio() under the i_pages lock (the cache's put is the caller's). */
export const filemap_remove_folio = kernelFunction(filemapC('filemap_remove_folio', "the page cache's reference is put by the caller"),
  function* (t: Ctx, m: AddressSpace, index: number): ThreadGen<void> {
    yield t.lock(m.xa_lock);
    yield* __filemap_remove_folio(t, m, index);
    yield t.unlock(m.xa_lock);
  });

/** filemap_add_folio() of the folio at `pfn` whose reference the page cache takes over. */
export const filemap_add_folio = kernelFunction(filemapC('filemap_add_folio', "the caller's reference becomes the page cache's"),
  function* (t: Ctx, m: AddressSpace, index: number, pfn: number): ThreadGen<void> {
    yield t.lock(m.xa_lock);
    yield* xas_store(t, m, index, pfn);
    yield t.unlock(m.xa_lock);
  });

/**
 * __filemap_add_folio(): the page cache's reference (folio_ref_add), folio->mapping and ->index
 * (the word `indexLoc`), then the slot under the i_pages lock. `release: false` is the
 * barrier-drop knob of xas_store().
 */
export const __filemap_add_folio = kernelFunction(filemapC('__filemap_add_folio'),
  function* (t: Ctx, m: AddressSpace, index: number, f: Folio, indexLoc: Loc, release = true): ThreadGen<void> {
    yield t.fetchAdd(f._refcount, 1, Mode.Relaxed); // folio_ref_add(): the page cache's reference
    yield t.store(indexLoc, index); // folio->mapping = m; folio->index = index
    yield t.lock(m.xa_lock);
    yield* xas_store(t, m, index, f.pfn, release);
    yield t.unlock(m.xa_lock);
  });
