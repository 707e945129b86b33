// Page flags (include/linux/page-flags.h) the model's scenarios use: PG_anon_exclusive and
// PG_uptodate.
//
// PG_anon_exclusive (include/linux/page-flags.h, since 6c287605fd56, v5.19): on an anonymous page,
// "this page is mapped only by one process, and nobody may hold a reference through a pin that
// could see it change". GUP may pin an anon page only while it is exclusive (gup_must_unshare() in
// include/linux/mm.ts); fork() and try_to_migrate()/try_to_unmap() may clear it only after the
// page was found unpinned (folio_try_dup_anon_rmap_pte() / folio_try_share_anon_rmap_pte() in
// include/linux/rmap.ts), and a swap or migration entry remembers it while the page is unmapped
// (include/linux/swapops.ts). The model's anon folios are order-0: the flag of the folio's one page.
// PG_uptodate: folio_mark_uptodate() and folio_test_uptodate(), the pair that orders a folio's
// data before readers use it. The flags word is a field of the folio added by newFolioFlags, so that only
// scenarios that need it have it.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { Mode } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { folioField, newFolio, type Folio } from './page_ref.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { smp_rmb, smp_wmb } from '../asm-generic/barrier.ts';

/** An order-0 anonymous folio with its page's PG_anon_exclusive bit. */
export interface AnonFolio extends Folio {
  /** PG_anon_exclusive of the folio's page (1 = exclusive). */
  PG_anon_exclusive: Loc;
}

/** An anonymous order-0 folio at `pfn`; `exclusive` (default true): PG_anon_exclusive is set. */
export function newAnonFolio(b: Builder, name: string, pfn: number, refcount: number, opts: { exclusive?: boolean; data?: number; mapcount?: number } = {}): AnonFolio {
  const { exclusive: _, ...rest } = opts;
  const f = newFolio(b, name, pfn, refcount, rest);
  return { ...f, PG_anon_exclusive: folioField(b, f, 'PG_anon_exclusive', opts.exclusive === false ? 0 : 1, (v) => (v ? 'exclusive' : 'maybe shared')) };
}

const V = 'v5.19–v6.18';
const pageFlagsH = (name: string) => ({ name, file: 'include/linux/page-flags.h', version: V });

/** PageAnonExclusive(): test_bit(), a plain load of the flags word. */
export const PageAnonExclusive = kernelFunction(pageFlagsH('PageAnonExclusive'), function* (t: Ctx, f: AnonFolio): ThreadGen<boolean> {
  return (yield t.load(f.PG_anon_exclusive)) === 1;
});

/** SetPageAnonExclusive(): set_bit(), an atomic RMW that orders nothing by itself. */
export const SetPageAnonExclusive = kernelFunction(pageFlagsH('SetPageAnonExclusive'), function* (t: Ctx, f: AnonFolio): ThreadGen<void> {
  yield t.rmw(f.PG_anon_exclusive, () => 1, Mode.Relaxed);
});

/**
 * ClearPageAnonExclusive(): clear_bit(), an atomic RMW that orders nothing by itself (an
 * smp_mb__after_atomic() after it makes it a full barrier).
 */
export const ClearPageAnonExclusive = kernelFunction(pageFlagsH('ClearPageAnonExclusive'), function* (t: Ctx, f: AnonFolio): ThreadGen<void> {
  yield t.rmw(f.PG_anon_exclusive, () => 0, Mode.Relaxed);
});

/** The PG_uptodate bit of the model's flags word. */
export const PG_uptodate = 1;

/** `f`'s flags word (folio->flags), with `init` (0: not uptodate). */
export function newFolioFlags(b: Builder, f: Folio, init = 0): Loc {
  return folioField(b, f, 'flags', init, (v) => (v & PG_uptodate ? 'uptodate' : 'not uptodate'));
}

const src = (name: string, note?: string) => ({ name, file: 'include/linux/page-flags.h', version: MAINLINE, ...(note ? { note } : {}) });

/**
 * folio_mark_uptodate(): smp_wmb(), so that the stores that brought the folio up to date are
 * visible before the flag, then set_bit(PG_uptodate) (an atomic bitop that returns nothing: no
 * ordering of its own).
 */
export const folio_mark_uptodate = kernelFunction(src('folio_mark_uptodate'), function* (t: Ctx, flags: Loc): ThreadGen<void> {
  yield smp_wmb(t);
  yield t.rmw(flags, (v) => v | PG_uptodate, Mode.Relaxed);
});

/**
 * folio_test_uptodate(): test_bit(PG_uptodate), then, if set, smp_rmb(): "the data we read out of
 * the folio is loaded _after_ we've loaded folio->flags". `rmb: false` is a hypothetical change
 * that leaves the barrier out (the read side of the pair, relying on what follows it instead).
 */
export const folio_test_uptodate = kernelFunction(src('folio_test_uptodate', 'rmb false: a hypothetical change without the smp_rmb()'),
  function* (t: Ctx, flags: Loc, rmb = true): ThreadGen<boolean> {
    const up = ((yield t.load(flags)) & PG_uptodate) !== 0;
    if (up && rmb) yield smp_rmb(t);
    return up;
  });
