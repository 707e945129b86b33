// struct anon_vma and its lock (include/linux/rmap.h): the root of the reverse map of anonymous
// pages. Every VMA that may map one of its pages is linked to it (through anon_vma_chains, here a
// list in interval-tree order: the order anon_vma_interval_tree_foreach visits them). Anon rmap
// walks (rmap_walk_anon(), the pre-v4.5 split_huge_page()) take the lock; the kernel's anon_vma
// lock is the root anon_vma's rwsem, one per tree.
//
// The anon-exclusive side of the rmap helpers (include/linux/rmap.h): clearing PG_anon_exclusive
// when a page becomes possibly shared, which is allowed only while the page is not (maybe) pinned.
// folio_try_share_anon_rmap_pte() runs when a PTE is taken away for a while (try_to_migrate_one(),
// try_to_unmap_one(), KSM, migrate_vma_collect_pmd()); folio_try_dup_anon_rmap_pte() when fork()
// shares the page with the child. A pin taken by GUP-fast races with the first: the barriers of
// 088b8aa537c2 make the PTE clear, the pin check, the pin and the PTE recheck a store-buffering
// pair (see the comment of __folio_try_share_anon_rmap() in the kernel).
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { Mode } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { Vma } from './mm_types.ts';
import { kernelFunction } from '../../kfn.ts';
import { newRwsem, rwsemDownRead, rwsemDownWrite, rwsemUpRead, rwsemUpWrite, type RwSemaphore } from './rwsem.ts';
import { ClearPageAnonExclusive, PageAnonExclusive, type AnonFolio } from './page-flags.ts';
import { folio_maybe_dma_pinned } from './mm.ts';
import { smp_mb, smp_mb__after_atomic } from '../asm-generic/barrier.ts';

/** A struct anon_vma (its root's rwsem) and the VMAs linked to it. */
export interface AnonVma {
  name: string;
  /** anon_vma->root->rwsem */
  rwsem: RwSemaphore;
  /** The VMAs linked to it, in walk order; newVma() appends a VMA whose anon_vma is set. */
  vmas: Vma[];
}

/** An anon_vma named `name` with no VMA yet (newVma() links them). */
export function newAnonVma(b: Builder, name: string): AnonVma {
  return { name, rwsem: newRwsem(b, `${name}.rwsem`), vmas: [] };
}

const rmapH = (name: string) => ({ name, file: 'include/linux/rmap.h', version: 'v3.0–v6.18' });

/** anon_vma_lock_read(): down_read(&anon_vma->root->rwsem). */
export const anon_vma_lock_read = kernelFunction(rmapH('anon_vma_lock_read'), (t: Ctx, av: AnonVma) => rwsemDownRead(t, av.rwsem));
/** anon_vma_unlock_read() */
export const anon_vma_unlock_read = kernelFunction(rmapH('anon_vma_unlock_read'), (t: Ctx, av: AnonVma) => rwsemUpRead(t, av.rwsem));
/** anon_vma_lock_write(): down_write(&anon_vma->root->rwsem). */
export const anon_vma_lock_write = kernelFunction(rmapH('anon_vma_lock_write'), (t: Ctx, av: AnonVma) => rwsemDownWrite(t, av.rwsem));
/** anon_vma_unlock_write() */
export const anon_vma_unlock_write = kernelFunction(rmapH('anon_vma_unlock_write'), (t: Ctx, av: AnonVma) => rwsemUpWrite(t, av.rwsem));

/** -EBUSY: the page may be pinned; the caller restores the PTE and backs off. */
export const EBUSY = -16;

/**
 * __folio_try_share_anon_rmap() of an exclusive order-0 anon page whose PTE the caller has just
 * cleared (A1): smp_mb() (pairs with the barrier after GUP-fast's pin), (A2) if the folio may be
 * pinned return -EBUSY, (A3) ClearPageAnonExclusive(), then smp_mb__after_atomic() ("conceptually
 * a smp_wmb()" before the caller's (A4), paired with gup_must_unshare()'s smp_rmb()).
 * `barriers: false` is the code before 088b8aa537c2, which relied on the caller's TLB flush.
 */
function* tryShare(t: Ctx, f: AnonFolio, barriers: boolean): ThreadGen<number> {
  if (barriers) yield smp_mb(t);
  if (yield* folio_maybe_dma_pinned(t, f)) return EBUSY;
  yield* ClearPageAnonExclusive(t, f);
  if (barriers) yield smp_mb__after_atomic(t);
  return 0;
}

/** folio_try_share_anon_rmap_pte() (v6.9+; page_try_share_anon_rmap() before): 0, or -EBUSY if maybe pinned. */
export const folio_try_share_anon_rmap_pte = kernelFunction({ name: 'folio_try_share_anon_rmap_pte', file: 'include/linux/rmap.h', version: 'v6.9–v6.18' },
  (t: Ctx, f: AnonFolio): ThreadGen<number> => tryShare(t, f, true));

/**
 * page_try_share_anon_rmap() (v5.19–v6.8): the same; `noBarriers` is its code before
 * 088b8aa537c2 (v5.19–v6.0), with neither smp_mb() nor smp_mb__after_atomic().
 */
export const page_try_share_anon_rmap = kernelFunction({ name: 'page_try_share_anon_rmap', file: 'include/linux/rmap.h', version: 'v5.19–v6.8', note: 'noBarriers: before 088b8aa537c2' },
  (t: Ctx, f: AnonFolio, opts: { noBarriers?: boolean } = {}): ThreadGen<number> => tryShare(t, f, !opts.noBarriers));

/**
 * folio_try_dup_anon_rmap_pte() (v6.9+; page_try_dup_anon_rmap() v5.19–v6.8) in fork()'s
 * copy_present_pte(): if the parent may have pinned the exclusive page (folio_needs_cow_for_dma():
 * MMF_HAS_PINNED and folio_maybe_dma_pinned()), -EBUSY (the child gets a copy); otherwise the page
 * becomes possibly shared (ClearPageAnonExclusive()) and gains the child's mapping. Runs under the
 * parent's PTL and inside fork's write_protect_seq section (GUP-fast's side of the race).
 */
export const folio_try_dup_anon_rmap_pte = kernelFunction({ name: 'folio_try_dup_anon_rmap_pte', file: 'include/linux/rmap.h', version: 'v5.19–v6.18', note: 'page_try_dup_anon_rmap() before v6.9; mapcount not modeled' },
  function* (t: Ctx, f: AnonFolio, MMF_HAS_PINNED?: Loc): ThreadGen<number> {
    // folio_needs_cow_for_dma(): test_bit(MMF_HAS_PINNED) (set unless the scenario models it), then the pin check
    const maybePinned = (MMF_HAS_PINNED === undefined || (yield t.load(MMF_HAS_PINNED)) !== 0) && (yield* folio_maybe_dma_pinned(t, f));
    const exclusive = yield* PageAnonExclusive(t, f);
    if (maybePinned && exclusive) return EBUSY;
    if (exclusive) yield* ClearPageAnonExclusive(t, f);
    if (f._mapcount !== undefined) yield t.fetchAdd(f._mapcount, 1, Mode.Relaxed); // atomic_inc(&page->_mapcount)
    return 0;
  });
