// The page cache and its speculative lookup (mm/filemap.c filemap_get_entry, the xarray
// i_pages; kernel-spec §5). A slot holds a folio's pfn, plus a ghost version in bits 8+ that
// changes on every store so the invariant checks cannot be fooled by ABA.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { Cpu } from '../rcu.ts';
import { rcu_read_lock, rcu_read_unlock } from '../rcu.ts';
import { ghostLoad } from '../ghost.ts';
import { check_not_frozen, folio_get, folio_put, folio_try_get, type Folio } from '../include/linux/page_ref.ts';

export interface AddressSpace {
  name: string;
  /** i_pages[index] */
  slots: Loc[];
  /** xa_lock(&mapping->i_pages) */
  xa_lock: Loc;
}

export const slot_pfn = (v: number): number => v & 0xff;
export const showSlot = (v: number): string => (slot_pfn(v) ? `folio pfn ${slot_pfn(v)}${v >> 8 ? ` #${v >> 8}` : ''}` : 'empty');

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

export interface LookupKnobs {
  /** U5.a: return the folio without xas_reload(). */
  noReload?: boolean;
  /** U5.b: folio_get() (plain increment) instead of folio_try_get(). */
  plainGet?: boolean;
}

/**
 * filemap_get_entry(mapping, index): RCU{ load slot; try-get; reload slot == folio else put and
 * retry }. Returns the folio with a reference held, or null for an empty slot.
 * I9 instrumentation: a ghost read of the slot right before the reference is taken; at return
 * the slot must still have held the folio then (any change before the get is a violation).
 */
export function* filemap_get_entry(t: Ctx, cpu: Cpu, m: AddressSpace, index: number,
  folios: (pfn: number) => Folio, knobs: LookupKnobs = {}): ThreadGen<Folio | null> {
  yield* t.call('rcu_read_lock', rcu_read_lock(t, cpu));
  for (;;) {
    const e = yield t.load(m.slots[index]); // xas_load
    const pfn = slot_pfn(e);
    if (!pfn) { yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu)); return null; }
    // xas_load() -> folio fields: an address dependency (rcu_dereference()); the successful
    // folio_try_get() below is a fully ordered atomic, which orders them anyway.
    const folio = folios(pfn);
    const ghost = yield* ghostLoad(t, m.slots[index]);
    if (knobs.plainGet) {
      yield* t.call('folio_get', folio_get(t, folio));
    } else if (!(yield* t.call('folio_try_get', folio_try_get(t, folio)))) {
      // Freed or frozen: the kernel goes back to xas_load. The failed attempt wrote nothing, so
      // retrying is equivalent to this lookup having started later, which exploration also
      // covers: the spin-loop reduction ends this execution here instead of unrolling the loop.
      yield t.assume(false);
      return null;
    }
    yield* check_not_frozen(t, folio, `filemap_get_entry(${m.name}, ${index})`);
    if (!knobs.noReload) {
      const again = yield t.load(m.slots[index]); // xas_reload
      if (slot_pfn(again) !== pfn) {
        yield* t.call('folio_put', folio_put(t, folio));
        continue;
      }
    }
    yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu));
    yield t.assert(slot_pfn(ghost) === pfn, () => `I9: filemap_get_entry(${m.name}, ${index}) on CPU${t.tid} returned ${folio.name}, but ${m.name}.i_pages[${index}] no longer held it when the reference was taken (${showSlot(ghost)})`);
    return folio;
  }
}
