// struct folio / struct page refcounting (include/linux/page_ref.h, include/linux/mm.h; docs/design/protocols.md §6).
// The allocator's side is in include/linux/gfp.ts (folio_alloc) and mm/swap.ts (__folio_put).
//
// A folio is a handful of engine locations: the refcount, plus ghost words the invariants need
// (a generation bumped when the allocator hands the memory to a new owner, a "frozen by" word,
// the data the folio holds). Refcount 0 means "free in the allocator" or "frozen".
import type { Ctx, Loc, ThreadGen, Val } from '../../../engine/ops.ts';
import { Mode } from '../../../engine/ops.ts';
import type { Builder, LocDisplay, ObjInfo } from '../../../engine/program.ts';
import type { ObjectFields, TypedValue } from '../../../trace-format/index.ts';
import { GUP_PIN_COUNTING_BIAS } from '../../mm/gup.ts';
import { ghostLoad } from '../../ghost.ts';
import { I3, I4, I5 } from '../../invariants.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { __folio_put } from '../../mm/swap.ts';

/** A structural reference to a folio (a PTE, a page-cache slot) that must be gone when the folio is freed (I7). */
export interface Holder {
  /** A location that keeps a structural reference to the folio while `holds(value)` is true. */
  loc: Loc;
  holds: (v: number) => boolean;
  what: string;
}

/** struct folio as the model needs it: the refcount, the data, and ghost words for the invariants. */
export interface Folio {
  name: string;
  pfn: number;
  _refcount: Loc;
  /** Ghost: incarnation of this memory; the allocator bumps it when it hands the page out again. */
  gen: Loc;
  /** Ghost: id of the CPU that froze the folio, plus one (0 = not frozen). */
  frozen: Loc;
  /** Ghost: 1 while the folio is in the allocator. */
  freed: Loc;
  /** The contents (one small integer stands for the page's data). */
  data: Loc;
  /** Structural references checked when the folio is freed (I7): PTEs, page-cache slots. */
  holders: Holder[];
  /** The page's mapcount (the number of PTEs mapping it), where a scenario models it (newFolio's `mapcount`). */
  _mapcount?: Loc;
  /** The folio as an object of the program (kind 'folio'; no lifetime: a folio's memory is never freed in the model). */
  obj: ObjInfo;
}

/** The value type of a refcount (a folio's, a struct page's): the count, and as data also the pins it holds. */
export const REFCOUNT: TypedValue<'refcount'> = {
  type: 'refcount',
  show: (v) => String(v),
  decode: (v) => ({ count: v, pins: v >= GUP_PIN_COUNTING_BIAS ? Math.floor(v / GUP_PIN_COUNTING_BIAS) : 0 }),
};
const FROZEN_BY: TypedValue<'frozen-by'> = {
  type: 'frozen-by', show: (v) => (v ? `frozen by CPU${v - 1}` : 'not frozen'), decode: (v) => (v ? v - 1 : null),
};
const IN_ALLOCATOR: TypedValue<'in-allocator'> = {
  type: 'in-allocator', show: (v) => (v ? 'in the allocator' : 'allocated'), decode: (v) => v !== 0,
};

/** A folio at `pfn` with `refcount` references (0: free in the allocator) and, optionally, its data. */
export function newFolio(b: Builder, name: string, pfn: number, refcount: number, opts: { data?: number; mapcount?: number } = {}): Folio {
  const fields: ObjectFields['folio'] = {
    _refcount: b.loc(`${name}._refcount`, refcount, REFCOUNT),
    gen: b.loc(`${name}.gen`, 0, (v) => `generation ${v}`),
    frozen_by: b.loc(`${name}.frozen_by`, 0, FROZEN_BY),
    freed: b.loc(`${name}.freed`, refcount === 0 ? 1 : 0, IN_ALLOCATOR),
    data: b.loc(`${name}.data`, opts.data ?? 0),
  };
  const obj = b.object('folio', name, fields);
  const f: Folio = { name, pfn, _refcount: fields._refcount, gen: fields.gen, frozen: fields.frozen_by, freed: fields.freed, data: fields.data, holders: [], obj };
  if (opts.mapcount !== undefined) f._mapcount = folioField(b, f, '_mapcount', opts.mapcount);
  return f;
}

/** A further field of folio `f` (its order, index, a page flag …): the location `<name>.<field>`. */
export function folioField(b: Builder, f: Folio, field: string, init: Val, show?: LocDisplay): Loc {
  const loc = b.loc(`${f.name}.${field}`, init, show);
  b.addField(f.obj, field, loc);
  return loc;
}

const pageRefH = (name: string) => ({ name, file: 'include/linux/page_ref.h', version: MAINLINE });
const mmH = (name: string) => ({ name, file: 'include/linux/mm.h', version: MAINLINE });

/** folio_ref_count(): atomic_read() of the refcount. */
export const folio_ref_count = kernelFunction(pageRefH('folio_ref_count'), function* (t: Ctx, f: Folio): ThreadGen<number> {
  return yield t.load(f._refcount);
});

/** folio_ref_add_unless(f, nr, 0): fails on a free or frozen folio; fully ordered on success. */
function* addUnlessZero(t: Ctx, f: Folio, nr: number): ThreadGen<boolean> {
  const old = yield t.addUnless(f._refcount, nr, 0);
  return old !== 0;
}

/** folio_try_get(): add-unless-zero of one reference. */
export const folio_try_get = kernelFunction(pageRefH('folio_try_get'), (t: Ctx, f: Folio): ThreadGen<boolean> => addUnlessZero(t, f, 1));

/** folio_ref_try_add(): add-unless-zero of `count` references (GUP-fast's grab). */
export const folio_ref_try_add = kernelFunction(pageRefH('folio_ref_try_add'),
  (t: Ctx, f: Folio, count: number): ThreadGen<boolean> => addUnlessZero(t, f, count));

/**
 * folio_get(): a plain increment, only legal when the caller already holds a reference.
 * folio_ref_inc() -> atomic_inc(): a non-value-returning atomic, no ordering (Mode.Relaxed).
 */
export const folio_get = kernelFunction(mmH('folio_get'), function* (t: Ctx, f: Folio): ThreadGen<void> {
  const old = yield t.fetchAdd(f._refcount, 1, Mode.Relaxed);
  yield t.assert(old !== 0, I3, () => `${f.name} refcount incremented from 0 by CPU${t.tid} in folio_get`);
});

/** The put itself: a value-returning (fully ordered) sub; the one that reaches 0 frees the folio. */
function* putRefs(t: Ctx, f: Folio, nr: number): ThreadGen<void> {
  const old = yield t.fetchSub(f._refcount, nr);
  if (old - nr < 0) {
    // A reference that a freezer did not count: report the broken freeze, not only the underflow.
    const fz = yield* ghostLoad(t, f.frozen);
    yield t.assert(fz === 0 || fz === t.tid + 1, I5, () => `CPU${t.tid} drops a reference on ${f.name} that CPU${fz - 1}'s freeze did not count (refcount ${old} while frozen)`);
  }
  yield t.assert(old - nr >= 0, I4, () => `${f.name} refcount went negative (${old} - ${nr}) in folio_put on CPU${t.tid}`);
  if (old === nr) yield* __folio_put(t, f);
}

/** folio_put(): drops one reference; the put that reaches 0 frees the folio (__folio_put). */
export const folio_put = kernelFunction(mmH('folio_put'), (t: Ctx, f: Folio): ThreadGen<void> => putRefs(t, f, 1));

/** folio_put_refs(): drops `refs` references at once (GUP's pins, a failed grab). */
export const folio_put_refs = kernelFunction(mmH('folio_put_refs'), (t: Ctx, f: Folio, refs: number): ThreadGen<void> => putRefs(t, f, refs));

/** folio_ref_freeze(): cmpxchg(expected -> 0). */
export const folio_ref_freeze = kernelFunction(pageRefH('folio_ref_freeze'), function* (t: Ctx, f: Folio, count: number): ThreadGen<boolean> {
  const old = yield t.cmpxchg(f._refcount, count, 0);
  if (old !== count) return false;
  yield t.store(f.frozen, t.tid + 1);
  return true;
});

/** folio_ref_unfreeze(): store-release of the new count. */
export const folio_ref_unfreeze = kernelFunction(pageRefH('folio_ref_unfreeze'), function* (t: Ctx, f: Folio, count: number): ThreadGen<void> {
  yield t.store(f.frozen, 0);
  yield t.store(f._refcount, count, Mode.Release);
});

/**
 * The ghost side of I5 (model code, not the kernel's): a thread that just got a reference checks
 * that nobody had the folio frozen at that moment. Sound because the getter holds its reference
 * while it looks.
 */
export function* checkNotFrozen(t: Ctx, f: Folio, where: string): ThreadGen<void> {
  const fz = yield* ghostLoad(t, f.frozen);
  yield t.assert(fz === 0 || fz === t.tid + 1,
    I5, () => `CPU${t.tid} holds a reference on ${f.name} (${where}) while CPU${fz - 1} has it frozen`);
}
