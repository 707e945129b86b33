// The pin tests of include/linux/mm.h: folio_maybe_dma_pinned() (may anyone hold a FOLL_PIN on
// this folio?) and gup_must_unshare() (may GUP pin this anon page read-only, or must it unshare it
// first?). Both sides of the AnonExclusive protocol (include/linux/page-flags.ts) use them.
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import { ghostLoad } from '../../ghost.ts';
import { folio_ref_count, type Folio } from './page_ref.ts';
import { PageAnonExclusive, type AnonFolio } from './page-flags.ts';
import { smp_rmb } from '../asm-generic/barrier.ts';
import { kernelFunction } from '../../kfn.ts';

/** GUP_PIN_COUNTING_BIAS: what a FOLL_PIN adds to the refcount of an order-0 folio. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/**
 * folio_maybe_dma_pinned() of an order-0 folio: folio_ref_count() >= GUP_PIN_COUNTING_BIAS (a
 * false positive is possible with 1024 ordinary references; a pin is never missed).
 */
export const folio_maybe_dma_pinned = kernelFunction({ name: 'folio_maybe_dma_pinned', file: 'include/linux/mm.h', version: 'v5.8–v6.18', note: 'order-0 folios (large ones count pins in _pincount)' },
  function* (t: Ctx, f: Folio): ThreadGen<boolean> {
    return (yield* folio_ref_count(t, f)) >= GUP_PIN_COUNTING_BIAS;
  });

/** Whether an anon folio is one the scenario models with PG_anon_exclusive (else: not anon). */
export function isAnon(f: Folio): f is AnonFolio {
  return (f as Partial<AnonFolio>).PG_anon_exclusive !== undefined;
}

/**
 * gup_must_unshare() for a FOLL_PIN without FOLL_WRITE (a writable PTE needs no check: an anon
 * page mapped writable is exclusive): the page may be pinned only while PageAnonExclusive. Since
 * 088b8aa537c2 an smp_rmb() orders the caller's PTE recheck before the flag's load, pairing with
 * the barrier after ClearPageAnonExclusive() in folio_try_share_anon_rmap_pte(); `noRmb`: the
 * code before it (v5.19–v6.0).
 */
export const gup_must_unshare = kernelFunction({ name: 'gup_must_unshare', file: 'include/linux/mm.h', version: 'v5.19–v6.18', note: 'noRmb: before 088b8aa537c2' },
  function* (t: Ctx, f: Folio, opts: { noRmb?: boolean } = {}): ThreadGen<boolean> {
    if (!isAnon(f)) return false; // !folio_test_anon(): only anon pages can be shared by COW
    if (!opts.noRmb) yield smp_rmb(t); // "Paired with a memory barrier in folio_try_share_anon_rmap_*()"
    return !(yield* PageAnonExclusive(t, f));
  });

/** The ghost side of I15 (model code): is the anon page exclusive right now? */
export function* ghostAnonExclusive(t: Ctx, f: AnonFolio): ThreadGen<boolean> {
  return (yield* ghostLoad(t, f.PG_anon_exclusive)) === 1;
}
