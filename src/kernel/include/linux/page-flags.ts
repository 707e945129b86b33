// PG_anon_exclusive (include/linux/page-flags.h, since 6c287605fd56, v5.19): on an anonymous page,
// "this page is mapped only by one process, and nobody may hold a reference through a pin that
// could see it change". GUP may pin an anon page only while it is exclusive (gup_must_unshare() in
// include/linux/mm.ts); fork() and try_to_migrate()/try_to_unmap() may clear it only after the
// page was found unpinned (folio_try_dup_anon_rmap_pte() / folio_try_share_anon_rmap_pte() in
// include/linux/rmap.ts), and a swap or migration entry remembers it while the page is unmapped
// (include/linux/swapops.ts). The model's anon folios are order-0: the flag of the folio's one page.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { Mode } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { folioField, newFolio, type Folio } from './page_ref.ts';
import { kernelFunction } from '../../kfn.ts';

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
