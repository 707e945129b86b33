// The page cache and its speculative lookup (mm/filemap.c filemap_get_entry, the xarray
// i_pages; docs/design/protocols.md §5). A slot holds a folio's pfn, plus a ghost version in bits 8+ that
// changes on every store so the invariant checks cannot be fooled by ABA.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { Cpu } from '../rcu.ts';
import { rcu_read_lock, rcu_read_unlock } from '../rcu.ts';
import { ghostLoad } from '../ghost.ts';
import { check_not_frozen, folio_get, folio_put, folio_try_get, type Folio } from '../include/linux/page_ref.ts';
import { I9 } from '../invariants.ts';

/** struct address_space as a flat page cache: i_pages slots (folio pfn plus a ghost version) and the i_pages lock. */
export interface AddressSpace {
  name: string;
  /** i_pages[index] */
  slots: Loc[];
  /** xa_lock(&mapping->i_pages) */
  xa_lock: Loc;
}

/** The folio pfn a page-cache slot holds (0: empty), without its ghost version. */
export const slot_pfn = (v: number): number => v & 0xff;
/** A slot value as traces print it: "folio pfn 1 #2" or "empty". */
export const showSlot = (v: number): string => (slot_pfn(v) ? `folio pfn ${slot_pfn(v)}${v >> 8 ? ` #${v >> 8}` : ''}` : 'empty');

/** An address space `name` whose slots hold the pfns `init` (0: empty). */
export function newAddressSpace(b: Builder, name: string, init: number[]): AddressSpace {
  return {
    name,
    slots: init.map((v, i) => b.loc(`${name}.i_pages[${i}]`, v, showSlot)),
    xa_lock: b.loc(`${name}.i_pages.xa_lock`, 0, (v) => (v ? 'locked' : 'unlocked')),
  };
}

/**
 * xas_store() under the i_pages lock; bumps the slot's ghost version. The slot is written with
 * rcu_assign_pointer() (lib/xarray.c xas_store()), a store-release: everything the writer did to
 * the folio before (its mapping, index, reference) is visible to a lookup that finds it.
 * `release: false` is the barrier-drop knob (a plain WRITE_ONCE).
 */
export function* xas_store(t: Ctx, m: AddressSpace, index: number, pfn: number, release = true): ThreadGen<void> {
  const old = yield t.load(m.slots[index]);
  yield t.store(m.slots[index], pfn | (((old >> 8) + 1) << 8), release ? Mode.Release : Mode.Once);
}

/** The unsafe variants of filemap_get_entry() (rows U5 of docs/design/variants.md). */
export interface LookupKnobs {
  /** U5.a: return the folio without xas_reload(). */
  noReload?: boolean;
  /** U5.b: folio_get() (plain increment) instead of folio_try_get(). */
  plainGet?: boolean;
}

/**
 * Where a lookup finds index's entry (an xa_state): the i_pages slot of a flat AddressSpace, or a
 * node of lib/xarray.ts. `xas_reload()` rereads the place `xas_load()` read; `truth()` is the
 * ghost view of what the mapping holds now, for I9.
 */
export interface XaCursor {
  /** e.g. 'A.i_pages[0]', for messages. */
  name: string;
  /** The entry's pfn, 0 = empty. */
  xas_load(): ThreadGen<number>;
  xas_reload(): ThreadGen<number>;
  truth(): ThreadGen<{ pfn: number; text: string }>;
}

/** The cursor of a flat AddressSpace: one slot per index. */
export function slotCursor(t: Ctx, m: AddressSpace, index: number): XaCursor {
  const slot = m.slots[index];
  return {
    name: `${m.name}.i_pages[${index}]`,
    *xas_load() { return slot_pfn(yield t.load(slot)); },
    *xas_reload() { return slot_pfn(yield t.load(slot)); },
    *truth() { const v = yield* ghostLoad(t, slot); return { pfn: slot_pfn(v), text: showSlot(v) }; },
  };
}

/**
 * filemap_get_entry(mapping, index): RCU{ load slot; try-get; reload slot == folio else put and
 * retry }. Returns the folio with a reference held, or null for an empty slot.
 * I9 instrumentation: a ghost read of the slot right before the reference is taken; at return
 * the slot must still have held the folio then (any change before the get is a violation).
 */
export function filemap_get_entry(t: Ctx, cpu: Cpu, m: AddressSpace, index: number,
  folios: (pfn: number) => Folio, knobs: LookupKnobs = {}): ThreadGen<Folio | null> {
  return filemap_get_entry_at(t, cpu, slotCursor(t, m, index), `${m.name}, ${index}`, folios, knobs);
}

/** filemap_get_entry() through any cursor; `what` names the lookup in messages ('A, 0'). */
export function* filemap_get_entry_at(t: Ctx, cpu: Cpu, xas: XaCursor, what: string,
  folios: (pfn: number) => Folio, knobs: LookupKnobs = {}): ThreadGen<Folio | null> {
  yield* t.call('rcu_read_lock', rcu_read_lock(t, cpu));
  for (;;) {
    const pfn = yield* xas.xas_load();
    if (!pfn) { yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu)); return null; }
    // xas_load() -> folio fields: an address dependency (rcu_dereference()); the successful
    // folio_try_get() below is a fully ordered atomic, which orders them anyway.
    const folio = folios(pfn);
    const truth = yield* xas.truth();
    if (knobs.plainGet) {
      yield* t.call('folio_get', folio_get(t, folio));
    } else if (!(yield* t.call('folio_try_get', folio_try_get(t, folio)))) {
      // Freed or frozen: the kernel goes back to xas_load. The failed attempt wrote nothing, so
      // retrying is equivalent to this lookup having started later, which exploration also
      // covers: the spin-loop reduction ends this execution here instead of unrolling the loop.
      yield t.assume(false);
      return null;
    }
    yield* check_not_frozen(t, folio, `filemap_get_entry(${what})`);
    if (!knobs.noReload) {
      if ((yield* xas.xas_reload()) !== pfn) {
        yield* t.call('folio_put', folio_put(t, folio));
        continue;
      }
    }
    yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu));
    yield t.assert(truth.pfn === pfn, I9, () => `filemap_get_entry(${what}) on CPU${t.tid} returned ${folio.name}, but ${xas.name} no longer held it when the reference was taken (${truth.text})`);
    return folio;
  }
}
