// userfaultfd's UFFDIO_COPY (mm/userfaultfd.c mfill_atomic(), mfill_atomic_pte_copy(),
// mfill_atomic_install_pte()): resolves a missing fault by installing a freshly filled page. It
// holds only the mmap lock for read (or the per-VMA lock), so it runs concurrently with
// khugepaged's retract_page_tables(), which holds neither: the installer maps its PTE with
// pte_offset_map_lock() (which rechecks the PMD after taking the PTL), and on a MAP_PRIVATE VMA
// it sets vma->anon_vma first, which retract rechecks under that PTL.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { kernelFunction } from '../kfn.ts';
import type { Cpu } from '../cpus.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import { _PAGE_PRESENT, _PAGE_RW, mk_pte, pmd_is_table, pmd_none, pmd_trans_huge } from '../include/linux/pgtable.ts';
import { pte_offset_map_lock, pte_unmap, set_pte_at } from './pgtable-generic.ts';
import { anon_vma_prepare } from './rmap.ts';
import { modelStep } from '../kfn.ts';
import { ghostLoad } from '../ghost.ts';
import { I18 } from '../invariants.ts';
import type { Mm } from './mm.ts';
import { folio_put } from '../include/linux/page_ref.ts';
import { folio_lock, folio_trylock, folio_unlock } from '../include/linux/pagemap.ts';
import { PTE_NONE, pte_none, pte_present, type PageTable } from '../include/linux/pgtable.ts';
import { non_swap_entry, pte_swp_exclusive, pte_to_swp_entry, showSwpEntry, swp_offset, type SwpEntry } from '../include/linux/swapops.ts';
import { slotPfn } from './filemap.ts';
import { folio_move_anon_rmap } from './rmap.ts';
import { filemap_get_folio, type AnonIdentity, type SwapFolio } from './swap_state.ts';
import { SWAP_HAS_CACHE, get_swap_device, put_swap_device, type SwapInfo } from './swapfile.ts';

/** What the ioctl returned for the page (0 = installed; the errno otherwise). */
export type MfillResult = 0 | 'EEXIST' | 'EAGAIN' | 'pte_alloc';

/**
 * mfill_atomic_install_pte() of an anonymous copy: under pte_offset_map_lock() (NULL if the table
 * went away: -EAGAIN), install the PTE if the entry is still none.
 */
export const mfill_atomic_install_pte = kernelFunction({
  name: 'mfill_atomic_install_pte', file: 'mm/userfaultfd.c', version: 'v6.5–v6.18', note: 'anon copy only; rmap and counters not modelled',
}, function* (t: Ctx, cpu: Cpu, vma: Vma, idx: number, page: Folio): ThreadGen<MfillResult> {
  const m = yield* pte_offset_map_lock(t, cpu, vma.mmAtPmd);
  if (!m) return 'EAGAIN';
  let ret: MfillResult = 'EEXIST';
  if ((yield t.load(m.T.entries[idx])) === 0) { // pte_none_mostly(ptep_get(dst_pte))
    yield* set_pte_at(t, vma.mmAtPmd, m.T, idx, mk_pte(page.pfn, _PAGE_PRESENT | _PAGE_RW));
    ret = 0;
  }
  yield t.unlock(m.T.ptl);
  yield* pte_unmap(t, cpu);
  return ret;
});

/** mfill_atomic_pte_copy(): the page is filled from the user buffer (not modelled), then installed. */
const mfill_atomic_pte_copy = kernelFunction({ name: 'mfill_atomic_pte_copy', file: 'mm/userfaultfd.c', version: 'v6.5–v6.18', note: 'the copy from the user buffer not modelled' },
  (t: Ctx, cpu: Cpu, vma: Vma, idx: number, page: Folio): ThreadGen<MfillResult> => mfill_atomic_install_pte(t, cpu, vma, idx, page));

/**
 * mfill_atomic() for one page of UFFDIO_COPY into a MAP_PRIVATE VMA (mmap lock for read held by
 * the caller): anon_vma_prepare(), then check the PMD, then mfill_atomic_pte_copy() (the page
 * was filled from the user buffer beforehand) and mfill_atomic_install_pte(). A none PMD would be
 * given a new table by __pte_alloc(); that table is not the one a racing retract works on, and
 * the model stops there ('pte_alloc').
 */
export const mfill_atomic_copy = kernelFunction({
  name: 'mfill_atomic', file: 'mm/userfaultfd.c', version: 'v6.5–v6.18', note: 'UFFDIO_COPY of one page into a MAP_PRIVATE VMA',
}, function* (t: Ctx, cpu: Cpu, vma: Vma, idx: number, page: Folio, page_table_lock: Loc): ThreadGen<MfillResult> {
  if (!vma.shared) yield* anon_vma_prepare(t, vma, page_table_lock);
  if (pmd_none(yield t.load(vma.pmd.pmd))) return 'pte_alloc'; // pmdp_get_lockless(dst_pmd)
  const pmd = yield t.load(vma.pmd.pmd); // again, after the __pte_alloc() it did not need
  if (!pmd_is_table(pmd) || pmd_trans_huge(pmd)) return 'EEXIST';
  return yield* mfill_atomic_pte_copy(t, cpu, vma, idx, page);
});

// ---------------------------------------------------------------- UFFDIO_MOVE of a swap PTE

/** One PTE of a UFFDIO_MOVE: T[idx] of the mm, and the anon identity a folio gets there. */
export interface UffdMovePte {
  T: PageTable;
  idx: number;
  vma: AnonIdentity;
}

/** UFFDIO_MOVE's one-page move: the mm (whose PMD maps dst's table), the source and the destination. */
export interface UffdMove {
  mm: Mm;
  src: UffdMovePte;
  dst: UffdMovePte;
}

/** What move_pages_pte() returned: 0 (moved), an errno, or 'present' (a present PTE: move_present_pte(), not modelled). */
export type MovePteResult = 0 | 'EAGAIN' | 'EEXIST' | 'ENOENT' | 'EBUSY' | 'EFAULT' | 'present';

/**
 * The code of move_pages_pte(): before 0ea148a79919 (v6.14–v6.15, with c50f8e6053b0), after it,
 * or one of the fix's two checks alone (a step of the fix, no kernel's code).
 */
export type UffdMoveVersion = 'v6.15' | 'v6.16' | 'folio-recheck-only' | 'has-cache-check-only';

const UFFD_PRE = 'v6.14–v6.15 (c50f8e6053b0 to before 0ea148a79919)';
const UFFD_FIXED = 'v6.16 (0ea148a79919)';
const UFFD_STEP = 'half of 0ea148a79919 (a step of the fix, no kernel)';
/** The fix's two checks: the locked folio is still the swap cache's for the entry; SWAP_HAS_CACHE under the PTL. */
const uffdChecks = (v: UffdMoveVersion) => ({ folio: v === 'v6.16' || v === 'folio-recheck-only', hasCache: v === 'v6.16' || v === 'has-cache-check-only' });
const uffdVersion = (v: UffdMoveVersion): string => (v === 'v6.15' ? UFFD_PRE : v === 'v6.16' ? UFFD_FIXED : UFFD_STEP);

/** double_pt_lock(): both PTLs, once if they are the same table's. */
const double_pt_lock = kernelFunction({ name: 'double_pt_lock', file: 'mm/userfaultfd.c', version: 'v6.8–v6.18' },
  function* (t: Ctx, dst: PageTable, src: PageTable): ThreadGen<void> {
    yield t.lock(dst.ptl);
    if (src !== dst) yield t.lock(src.ptl);
  });
const double_pt_unlock = kernelFunction({ name: 'double_pt_unlock', file: 'mm/userfaultfd.c', version: 'v6.8–v6.18' },
  function* (t: Ctx, dst: PageTable, src: PageTable): ThreadGen<void> {
    if (src !== dst) yield t.unlock(src.ptl);
    yield t.unlock(dst.ptl);
  });

/**
 * is_pte_pages_stable(): with both PTLs held, are src_pte, dst_pte and *dst_pmd still what the
 * lockless reads saw? It compares raw values: a swap PTE that went S1 -> present -> S1 again
 * passes.
 */
export const is_pte_pages_stable = kernelFunction({ name: 'is_pte_pages_stable', file: 'mm/userfaultfd.c', version: 'v6.13–v6.18' },
  function* (t: Ctx, m: UffdMove, orig_dst_pte: number, orig_src_pte: number, dst_pmdval: number): ThreadGen<boolean> {
    return (yield t.load(m.src.T.entries[m.src.idx])) === orig_src_pte &&
      (yield t.load(m.dst.T.entries[m.dst.idx])) === orig_dst_pte &&
      (yield t.load(m.mm.pmd)) === dst_pmdval; // pmd_same(dst_pmdval, pmdp_get_lockless(dst_pmd))
  });

/**
 * The ghost side of I18 where a swap PTE's move commits (both PTLs held): the folio re-homed is
 * the swap cache's folio for the entry, and without one re-homed no folio with an anon identity
 * is in the swap cache for it (it would keep the source's identity while dst holds its entry).
 */
const checkSwapMoveIdentity = modelStep('(check)', function* (t: Ctx, si: SwapInfo, entry: SwpEntry, src_folio: SwapFolio | null): ThreadGen<void> {
  const cachedPfn = slotPfn(yield* ghostLoad(t, si.cache.slots[swp_offset(entry)]));
  const cached = si.folios.find((f) => f.pfn === cachedPfn) ?? null;
  const what = `${showSwpEntry(entry)}'s swap-cache folio is ${cached ? cached.name : 'none'}`;
  if (src_folio) {
    yield t.assert(cached === src_folio, I18, () => `CPU${t.tid} moves ${src_folio.name} with swap entry ${showSwpEntry(entry)} (folio_move_anon_rmap), but ${what}: ${src_folio.name} is not the folio the entry names`);
  } else if (cached) {
    const anon = yield* ghostLoad(t, cached.mapping);
    yield t.assert(!anon, I18, () => `CPU${t.tid} moves swap entry ${showSwpEntry(entry)} to the destination without its folio: ${what}, which keeps the source's anon identity`);
  }
});

/**
 * move_swap_pte(): with both PTLs held, if the PTEs are stable, re-home the swap-cache folio
 * (folio_move_anon_rmap(), ->index) and move the swap PTE. The fix (0ea148a79919) first checks
 * that the locked folio is still the swap cache's for this entry, and without a folio rechecks
 * SWAP_HAS_CACHE under the PTL (a folio swapped in and out again may sit in the swap cache).
 */
const moveSwapPte = (version: UffdMoveVersion) => kernelFunction({ name: 'move_swap_pte', file: 'mm/userfaultfd.c', version: uffdVersion(version) },
  function* (t: Ctx, si: SwapInfo, m: UffdMove, orig_dst_pte: number, orig_src_pte: number, dst_pmdval: number, src_folio: SwapFolio | null, entry: SwpEntry): ThreadGen<MovePteResult> {
    const checks = uffdChecks(version);
    if (checks.folio && src_folio) {
      // "Check if the folio still belongs to the target swap entry after acquiring the lock."
      if (!(yield t.load(src_folio.PG_swapcache)) || entry !== (yield t.load(src_folio.swap))) return 'EAGAIN';
    }
    yield* double_pt_lock(t, m.dst.T, m.src.T);
    if (!(yield* is_pte_pages_stable(t, m, orig_dst_pte, orig_src_pte, dst_pmdval))) {
      yield* double_pt_unlock(t, m.dst.T, m.src.T);
      return 'EAGAIN';
    }
    if (src_folio) {
      yield* checkSwapMoveIdentity(t, si, entry, src_folio);
      yield* folio_move_anon_rmap(t, src_folio, m.dst.vma);
      yield t.store(src_folio.index, m.dst.vma.index); // src_folio->index = linear_page_index(dst_vma, dst_addr)
    } else {
      if (checks.hasCache && ((yield t.load(si.swap_map[swp_offset(entry)])) & SWAP_HAS_CACHE)) { // READ_ONCE(si->swap_map[offset])
        yield* double_pt_unlock(t, m.dst.T, m.src.T);
        return 'EAGAIN';
      }
      yield* checkSwapMoveIdentity(t, si, entry, null);
    }
    const pte = yield t.xchg(m.src.T.entries[m.src.idx], PTE_NONE); // ptep_get_and_clear()
    yield* set_pte_at(t, m.mm, m.dst.T, m.dst.idx, pte);
    yield* double_pt_unlock(t, m.dst.T, m.src.T);
    return 0;
  });

/**
 * move_pages_pte() of one page whose source PTE holds a swap entry (v6.14–v6.15, or with
 * 0ea148a79919): read both PTEs under their PTLs, then for a swap entry pin the device, look the
 * entry up in the swap cache (lockless: filemap_get_folio()), lock the folio found (or sleep on
 * it and start over, rechecking the PTE against the one the folio was found for), and
 * move_swap_pte(). The tables are the ones the PMD maps (pte_offset_map_rw_nolock(): the PMD walk
 * is not modelled; dst_pmdval is read for is_pte_pages_stable()). A present source PTE takes
 * move_present_pte(), not modelled ('present').
 */
const movePagesPte = (version: UffdMoveVersion) => {
  const move_swap_pte = moveSwapPte(version);
  return kernelFunction({
    name: 'move_pages_pte', file: 'mm/userfaultfd.c', version: uffdVersion(version), note: 'the swap-entry branch; the PMD walk and move_present_pte() not modelled',
  }, function* (t: Ctx, cpu: Cpu, si: SwapInfo, m: UffdMove): ThreadGen<MovePteResult> {
    let src_folio: SwapFolio | null = null;
    let src_folio_pte = 0;
    let pinned = false;
    let err: MovePteResult;
    for (;;) { // retry:
      const dst_pmdval = yield t.load(m.mm.pmd); // pte_offset_map_rw_nolock(mm, dst_pmd, dst_addr, &dst_pmdval, &dst_ptl)
      yield t.lock(m.dst.T.ptl);
      const orig_dst_pte = yield t.load(m.dst.T.entries[m.dst.idx]);
      yield t.unlock(m.dst.T.ptl);
      if (!pte_none(orig_dst_pte)) { err = 'EEXIST'; break; }
      yield t.lock(m.src.T.ptl);
      const orig_src_pte = yield t.load(m.src.T.entries[m.src.idx]);
      yield t.unlock(m.src.T.ptl);
      if (pte_none(orig_src_pte)) { err = 'ENOENT'; break; }
      // "If PTE changed after we locked the folio them start over"
      if (src_folio && orig_src_pte !== src_folio_pte) { err = 'EAGAIN'; break; }
      if (pte_present(orig_src_pte)) { err = 'present'; break; }
      const entry = pte_to_swp_entry(orig_src_pte);
      if (non_swap_entry(entry)) { err = 'EFAULT'; break; } // migration_entry_wait(): -EAGAIN; not modelled
      if (!pte_swp_exclusive(orig_src_pte)) { err = 'EBUSY'; break; }
      if (!(yield* get_swap_device(t, si, cpu, entry))) { err = 'EAGAIN'; break; }
      pinned = true;
      const folio: SwapFolio | null = src_folio ? null : yield* filemap_get_folio(t, si, cpu, swp_offset(entry));
      if (folio) {
        src_folio = folio; // folio_test_large(): order-0 only
        src_folio_pte = orig_src_pte;
        if (!(yield* folio_trylock(t, folio))) {
          yield* put_swap_device(t, si, cpu);
          pinned = false;
          yield* folio_lock(t, folio); // "now we can block and wait"
          continue; // goto retry
        }
      }
      err = yield* move_swap_pte(t, si, m, orig_dst_pte, orig_src_pte, dst_pmdval, src_folio, entry);
      break;
    }
    if (src_folio) { // out:
      yield* folio_unlock(t, src_folio);
      yield* folio_put(t, src_folio);
    }
    if (pinned) yield* put_swap_device(t, si, cpu);
    return err;
  });
};

/** move_pages_pte() before 0ea148a79919 (v6.14–v6.15). */
export const move_pages_pte_v6_15 = movePagesPte('v6.15');
/** move_pages_pte() with 0ea148a79919 (v6.16). */
export const move_pages_pte = movePagesPte('v6.16');
/** move_pages_pte() with one of 0ea148a79919's two checks (a step of the fix, for the catalog). */
export const move_pages_pte_step = { 'folio-recheck-only': movePagesPte('folio-recheck-only'), 'has-cache-check-only': movePagesPte('has-cache-check-only') };
