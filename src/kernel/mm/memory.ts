// Zapping user mappings (mm/memory.c zap_pte_range, simplified to one entry; docs/design/protocols.md §1, §4),
// fork's copy of a PTE with the parent's COW fault after it (copy_present_pte, do_wp_page), and
// the publication of a new PTE table (pmd_install), and munmap's lockless zap_pmd_range() with
// free_pgtables(); an anonymous fault mapping a new page (do_anonymous_page); the fault path on a
// 32-bit PAE entry read locklessly with IRQs on (handle_pte_fault, pte_unmap_same, do_swap_page).
// The reclaim of the emptied table (reclaim_pt) is in mm/pt_reclaim.ts. Before v6.5: truncation's
// unmap_mapping_range(), a file rmap walk, with the pte_offset_map_lock() of that time.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { PAE_PRESENT, type PaePte } from '../arch/x86/include/asm/pgtable-3level.ts';
import { I13 } from '../invariants.ts';
import { folio_get, folio_put, folio_ref_count, type Folio } from '../include/linux/page_ref.ts';
import { folio_alloc } from '../include/linux/gfp.ts';
import { PageAnonExclusive, SetPageAnonExclusive } from '../include/linux/page-flags.ts';
import { folio_maybe_dma_pinned, isAnon } from '../include/linux/mm.ts';
import { folio_try_dup_anon_rmap_pte, EBUSY } from '../include/linux/rmap.ts';
import { is_readable_migration_entry, make_readable_migration_entry } from '../include/linux/swapops.ts';
import { raw_write_seqcount_begin, raw_write_seqcount_end } from '../include/linux/seqlock.ts';
import { PTE_NONE, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, is_migration_entry, mk_pte, pte_none, ptep_get_lockless, pmd_is_table, pmd_none, pmd_table, pmd_table_id, pte_present, pte_pfn, pte_write, type PageTable } from '../include/linux/pgtable.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { pmd_populate } from '../arch/x86/include/asm/pgtable.ts';
import { smp_mb, smp_wmb } from '../include/asm-generic/barrier.ts';
import { folio as folioAt, table, type Mm } from './mm.ts';
import { pte_free_tlb, tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.ts';
import { tlb_remove_page, tlb_remove_tlb_entry, type MmuGather } from '../include/asm-generic/tlb.ts';
import { lockPtl, set_pte_at } from './pgtable-generic.ts';
import { i_mmap_lock_read, i_mmap_unlock_read, type AddressSpaceRmap } from '../include/linux/fs.ts';
import { MAINLINE, kernelFunction, modelStep } from '../kfn.ts';
import { folio_lock, folio_unlock } from '../include/linux/pagemap.ts';
import { non_swap_entry, pte_swp_exclusive, pte_to_swp_entry } from '../include/linux/swapops.ts';
import { __read_swap_cache_async, swap_cache_get_folio, type AnonIdentity, type SwapFolio } from './swap_state.ts';
import { folio_free_swap, free_swap_and_cache, free_swap_and_cache_v6_8, get_swap_device, put_swap_device, swap_free, type SwapInfo } from './swapfile.ts';
import { pte_offset_map_lock, pte_unmap } from './pgtable-generic.ts';
import { folio_add_anon_rmap_pte, folio_remove_rmap_pte } from './rmap.ts';

/** Where zap_pte_range() comes from (mm/pt_reclaim.ts declares its reclaim_pt part too). */
export const ZAP_PTE_RANGE = { name: 'zap_pte_range', file: 'mm/memory.c', version: MAINLINE };

/**
 * zap_pte_range() for entry `idx` of T under its PTL: ptep_get_and_clear; a present PTE's page
 * leaves the rmap (the mapcount, where modeled), its address goes into the mmu_gather's range
 * (tlb_remove_tlb_entry()) and the page to the gather (tlb_remove_page()); after the TLB flush
 * (which on broadcast-flush architectures does not wait for IRQs-off walkers) tlb_finish_mmu()
 * drops the page's mapping reference. A migration or swap entry is cleared without a range to
 * flush. The caller's tlb_gather_mmu() / tlb_finish_mmu() (zap_page_range_single()) are folded
 * in. `flush`: the architecture's flush of the gathered range, where the scenario models one.
 */
export const zap_pte_range = kernelFunction({ ...ZAP_PTE_RANGE, note: 'one entry; with its caller\'s tlb_gather_mmu() / tlb_finish_mmu()' }, function* (t: Ctx, mm: Mm, T: PageTable, idx: number, flush?: () => ThreadGen<void>): ThreadGen<void> {
  const tlb = yield* tlb_gather_mmu(t, flush ? { mm, archFlush: () => flush() } : { mm });
  yield t.lock(T.ptl);
  const pte = yield t.xchg(T.entries[idx], PTE_NONE);
  if (pte_present(pte)) {
    yield* tlb_remove_tlb_entry(t, tlb, idx);
    yield* folio_remove_rmap_pte(t, folioAt(mm, pte_pfn(pte))); // the mapcount, where modeled
  }
  yield t.unlock(T.ptl);
  if (pte_present(pte)) yield* tlb_remove_page(t, tlb, folioAt(mm, pte_pfn(pte)));
  yield* tlb_finish_mmu(t, tlb);
});

/** zap_page_range_single(): tlb_gather_mmu(), unmap_single_vma() -> zap_pte_range(), tlb_finish_mmu() (the model's zap_pte_range() holds the gather). */
export const zap_page_range_single = kernelFunction({ name: 'zap_page_range_single', file: 'mm/memory.c', version: 'v5.x–v6.18', note: 'one PTE; mmu notifiers not modeled' },
  (t: Ctx, mm: Mm, T: PageTable, idx: number, flush?: () => ThreadGen<void>): ThreadGen<void> => zap_pte_range(t, mm, T, idx, flush));

// ---------------------------------------------------------------- fork(): copy_page_range()

/** One PTE of fork()'s copy: the mm, its table and the entry's index. */
export interface PteSlot {
  mm: Mm;
  T: PageTable;
  idx: number;
}

/** Which kernel's fork() the copy follows. */
export interface ForkOpts {
  /**
   * 'v5.19' (default; v5.19+): folio_try_dup_anon_rmap_pte() and PG_anon_exclusive;
   * 'v5.9': copy_present_page() of v5.9–v5.18, mm->has_pinned and page_maybe_dma_pinned(), no
   * AnonExclusive.
   */
  version?: 'v5.9' | 'v5.19';
  /** Before 57efa1fe5957 (v5.9–v5.10): no mm->write_protect_seq section around the copy. */
  noWriteProtectSeq?: boolean;
  /** The page copy_present_page() gives the child when the parent's may be pinned (if modeled). */
  childCopy?: Folio;
  /**
   * The fix proposed for docs/weak-memory-findings.md §2 (in no kernel): smp_mb() after
   * raw_write_seqcount_begin(), so the odd count is visible before fork reads MMF_HAS_PINNED and
   * the pin count.
   */
  mbAfterSeqBegin?: boolean;
}

/**
 * copy_present_page() (mm/memory.c; the "copy for the child" path): the parent's page may be
 * pinned, so the child gets its own copy now and the parent keeps its page writable and exclusive.
 */
const copy_present_page = kernelFunction({ name: 'copy_present_page', file: 'mm/memory.c', version: 'v5.9–v6.18' },
  function* (t: Ctx, src: PteSlot, dst: PteSlot | null, folio: Folio, opts: ForkOpts): ThreadGen<void> {
    const c = opts.childCopy;
    if (!dst || !c) return; // the child's side is not modeled
    yield* folio_alloc(t, c);
    yield t.store(c.data, yield t.load(folio.data)); // copy_user_highpage()
    if (isAnon(c)) yield* SetPageAnonExclusive(t, c); // folio_add_new_anon_rmap(RMAP_EXCLUSIVE)
    yield t.store(dst.T.entries[dst.idx], mk_pte(c.pfn, _PAGE_PRESENT | _PAGE_RW));
  });

/**
 * copy_present_pte() of the parent's present PTE `pte` at src (both PTLs held): an anon page that
 * the parent may have pinned is copied for the child (v5.19+: folio_try_dup_anon_rmap_pte(),
 * which also clears PG_anon_exclusive when it shares; v5.9–v5.18: copy_present_page()'s check of
 * mm->has_pinned and page_maybe_dma_pinned()); otherwise the child gets a reference and a mapping,
 * and a writable COW PTE is write-protected in both.
 */
export const copy_present_pte = kernelFunction({ name: 'copy_present_pte', file: 'mm/memory.c', version: 'v5.9–v6.18', note: 'order-0 anon pages in a COW mapping' },
  function* (t: Ctx, src: PteSlot, dst: PteSlot | null, pte: number, opts: ForkOpts = {}): ThreadGen<void> {
    const folio = folioAt(src.mm, pte_pfn(pte));
    const flag = src.mm.MMF_HAS_PINNED;
    if ((opts.version ?? 'v5.19') === 'v5.19') {
      yield* folio_get(t, folio);
      if (isAnon(folio) && (yield* folio_try_dup_anon_rmap_pte(t, folio, flag)) === EBUSY) {
        // "Page may be pinned, we have to copy."
        yield* folio_put(t, folio);
        yield* copy_present_page(t, src, dst, folio, opts);
        return;
      }
    } else {
      // copy_present_page() first: "The page pinning checks are just 'has this mm ever seen
      // pinning', along with the (inexact) check of the page count."
      if (isAnon(folio) && (flag === undefined || (yield t.load(flag)) !== 0) && (yield* folio_maybe_dma_pinned(t, folio))) {
        yield* copy_present_page(t, src, dst, folio, opts);
        return;
      }
      yield* folio_get(t, folio); // get_page()
      if (folio._mapcount !== undefined) yield t.fetchAdd(folio._mapcount, 1, Mode.Relaxed); // page_dup_rmap(): atomic_inc()
    }
    let child = pte;
    if (pte_write(pte)) { // is_cow_mapping(vm_flags) && pte_write(pte)
      yield t.rmw(src.T.entries[src.idx], (v) => v & ~_PAGE_RW, Mode.Relaxed); // ptep_set_wrprotect()
      child = pte & ~_PAGE_RW;
    }
    if (dst) yield t.store(dst.T.entries[dst.idx], child); // set_pte_at(dst_mm)
  });

/**
 * copy_nonpresent_pte() of a migration entry: a writable or exclusive entry of a COW mapping
 * becomes a readable one in the parent ("A previously exclusive entry is now shared"), and the
 * child gets the same; the page is neither pinned-checked nor referenced here.
 */
export const copy_nonpresent_pte = kernelFunction({ name: 'copy_nonpresent_pte', file: 'mm/memory.c', version: 'v5.19–v6.18', note: 'migration entries only' },
  function* (t: Ctx, src: PteSlot, dst: PteSlot | null, pte: number): ThreadGen<void> {
    let e = pte;
    if (is_migration_entry(pte) && !is_readable_migration_entry(pte)) {
      e = make_readable_migration_entry(pte_pfn(pte));
      yield t.store(src.T.entries[src.idx], e); // set_pte_at(src_mm)
    }
    if (dst) yield t.store(dst.T.entries[dst.idx], e);
  });

/**
 * copy_page_range() of one COW VMA with one PTE (fork's dup_mmap() calls it with both mmap locks
 * held for write): inside the mm->write_protect_seq section (57efa1fe5957) that GUP-fast's FOLL_PIN
 * checks, copy_pte_range() under the child's and the parent's PTL.
 */
export const copy_page_range = kernelFunction({ name: 'copy_page_range', file: 'mm/memory.c', version: 'v5.9–v6.18', note: 'copy_pte_range() inlined; one PTE' },
  function* (t: Ctx, src: PteSlot, dst: PteSlot | null, opts: ForkOpts = {}): ThreadGen<void> {
    const seq = opts.noWriteProtectSeq ? undefined : src.mm.write_protect_seq;
    if (seq !== undefined) {
      yield* raw_write_seqcount_begin(t, seq);
      if (opts.mbAfterSeqBegin) yield smp_mb(t);
    }
    if (dst) yield t.lock(dst.T.ptl); // copy_pte_range(): pte_alloc_map_lock(dst_mm)
    yield t.lock(src.T.ptl); // spin_lock_nested(src_ptl)
    const pte = yield t.load(src.T.entries[src.idx]); // ptep_get(src_pte)
    if (pte_present(pte)) yield* copy_present_pte(t, src, dst, pte, opts);
    else if (pte !== PTE_NONE) yield* copy_nonpresent_pte(t, src, dst, pte);
    yield t.unlock(src.T.ptl);
    if (dst) yield t.unlock(dst.T.ptl);
    if (seq !== undefined) yield* raw_write_seqcount_end(t, seq);
  });

// ---------------------------------------------------------------- the write fault on a COW PTE

/**
 * How do_wp_page() decides whether the faulting process may reuse the page instead of copying it:
 * 'mapcount' (up to v5.8: reuse_swap_page(), the page is mapped once), 'page_count' (v5.9–v5.18,
 * 09854ba94c6a: nobody else holds a reference), 'anon-exclusive' (v5.19+: PageAnonExclusive, else
 * wp_can_reuse_anon_folio()'s reference count).
 */
export type CowReuse = 'mapcount' | 'page_count' | 'anon-exclusive';

/**
 * do_wp_page() for a write fault on the read-only present PTE T[idx] -> P: reuse the page (make
 * the PTE writable: wp_page_reuse()) when the kernel's rule says nobody else can see it, else
 * wp_page_copy(): allocate C, copy P into it, map C writable, drop the mapping's reference on P.
 * Returns what it did ('none' when the PTE no longer maps P read-only: the fault is spurious).
 */
export const do_wp_page = kernelFunction({ name: 'do_wp_page', file: 'mm/memory.c', version: 'v4.x–v6.18', note: 'with wp_page_reuse() and wp_page_copy(); the reuse rule per CowReuse; the copy is made under the PTL' },
  function* (t: Ctx, T: PageTable, idx: number, P: Folio, C: Folio, reuse: CowReuse = 'anon-exclusive'): ThreadGen<'reuse' | 'copy' | 'none'> {
    yield t.lock(T.ptl);
    const pte = yield t.load(T.entries[idx]);
    if (!pte_present(pte) || pte_write(pte) || pte_pfn(pte) !== P.pfn) { yield t.unlock(T.ptl); return 'none'; }
    let mine: boolean;
    if (reuse === 'mapcount') mine = P._mapcount !== undefined && (yield t.load(P._mapcount)) === 1; // reuse_swap_page()
    else if (reuse === 'page_count') mine = (yield* folio_ref_count(t, P)) === 1;
    else if (isAnon(P) && (yield* PageAnonExclusive(t, P))) mine = true;
    else {
      mine = (yield* folio_ref_count(t, P)) === 1; // wp_can_reuse_anon_folio()
      if (mine && isAnon(P)) yield* SetPageAnonExclusive(t, P); // folio_move_anon_rmap(); SetPageAnonExclusive()
    }
    if (mine) {
      yield t.store(T.entries[idx], pte | _PAGE_RW | _PAGE_DIRTY); // wp_page_reuse(): ptep_set_access_flags()
      yield t.unlock(T.ptl);
      return 'reuse';
    }
    yield* folio_alloc(t, C); // wp_page_copy(): vma_alloc_zeroed_movable_folio() ...
    yield t.store(C.data, yield t.load(P.data)); // ... __wp_page_copy_user()
    if (isAnon(C)) yield* SetPageAnonExclusive(t, C); // folio_add_new_anon_rmap(RMAP_EXCLUSIVE)
    yield t.store(T.entries[idx], mk_pte(C.pfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY)); // set_pte_at_notify()
    yield* folio_remove_rmap_pte(t, P);
    yield t.unlock(T.ptl);
    yield* folio_put(t, P); // the old page's mapping reference
    return 'copy';
  });

/** pte_alloc_one() (include/asm-generic/pgalloc.h): the new table's page is cleared. */
export const pte_alloc_one = kernelFunction({ name: 'pte_alloc_one', file: 'include/asm-generic/pgalloc.h', version: MAINLINE, note: 'the clearing of a page that held other data' },
  function* (t: Ctx, T: PageTable): ThreadGen<void> {
    for (const e of T.entries) yield t.store(e, PTE_NONE);
  });

/**
 * pmd_install(): under the PMD lock, if *pmd is still none, smp_wmb() ("Ensure all pte setup
 * (eg. pte page lock and page clearing) are visible before the pte is made visible to other
 * CPUs") and pmd_populate(). `noWmb`: the barrier-drop variant.
 */
export const pmd_install = kernelFunction({ name: 'pmd_install', file: 'mm/memory.c', version: MAINLINE },
  function* (t: Ctx, mm: Mm, T: PageTable, opts: { noWmb?: boolean } = {}): ThreadGen<void> {
    yield t.lock(mm.pml);
    if (pmd_none(yield t.load(mm.pmd))) {
      if (!opts.noWmb) yield smp_wmb(t);
      yield* pmd_populate(t, mm, pmd_table(T.id));
    }
    yield t.unlock(mm.pml);
  });

/**
 * zap_pmd_range() of one PMD, locklessly reading *pmd: a none entry is skipped; a huge or
 * invalidated-huge one goes to zap_huge_pmd() under the PMD lock (rechecked there); a table
 * goes to zap_pte_range() for its entry 0. HP is the folio the PMD (or its table) maps.
 */
export const zap_pmd_range = kernelFunction({ name: 'zap_pmd_range', file: 'mm/memory.c', version: MAINLINE, note: 'zap_huge_pmd() and zap_pte_range() inlined, one entry' },
  function* (t: Ctx, mm: Mm, T: PageTable, HP: Folio): ThreadGen<void> {
    const pmd = yield t.load(mm.pmd);
    if (pmd_none(pmd)) return; // nothing mapped here
    if (!pmd_is_table(pmd)) { // huge or invalidated-huge: zap_huge_pmd() under the PMD lock
      yield t.lock(mm.pml);
      const again = yield t.load(mm.pmd);
      if (!pmd_is_table(again)) {
        if (!pmd_none(again)) { yield t.store(mm.pmd, 0); yield* folio_put(t, HP); }
        yield t.unlock(mm.pml);
        return;
      }
      yield t.unlock(mm.pml);
    }
    yield t.lock(T.ptl); // zap_pte_range()
    const pte = yield t.xchg(T.entries[0], PTE_NONE);
    yield t.unlock(T.ptl);
    if (pte_present(pte)) yield* folio_put(t, HP);
  });

/**
 * free_pgtables() of the range: a PTE table under the PMD is detached (pmd_clear()) and handed to
 * the caller's mmu_gather (pte_free_tlb()); it is freed at the caller's tlb_finish_mmu().
 */
export const free_pgtables = kernelFunction({ name: 'free_pgtables', file: 'mm/memory.c', version: MAINLINE, note: 'free_pte_range() inlined' },
  function* (t: Ctx, tlb: MmuGather, mm: Mm): ThreadGen<void> {
    const pmd = yield t.load(mm.pmd);
    if (!pmd_is_table(pmd)) return;
    yield t.store(mm.pmd, 0);
    yield* pte_free_tlb(t, tlb, table(mm, pmd_table_id(pmd)), 0);
  });

/**
 * unmap_region()'s teardown of the range's page tables (mm/vma.c; mm/mmap.c before v6.10):
 * tlb_gather_mmu(), free_pgtables(), tlb_finish_mmu() (the flush, then the RCU free of the table).
 */
export const unmap_region_pgtables = kernelFunction({ name: 'unmap_region', file: 'mm/vma.c', version: 'v6.11–v6.18', note: 'mm/mmap.c before v6.11; the page-table half (unmap_vmas() is zap_pmd_range())' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, mm: Mm): ThreadGen<void> {
    const tlb = yield* tlb_gather_mmu(t, { mm, cpus, cpu });
    yield* free_pgtables(t, tlb, mm);
    yield* tlb_finish_mmu(t, tlb);
  });

// ---------------------------------------------------------------- file rmap walk: truncation (v6.0)

/**
 * pte_offset_map_lock() before v6.5 (then a macro in include/linux/mm.h): *pmd read twice — once in
 * pte_lockptr() for the lock, once in pte_offset_map() for the table — with no RCU and no recheck.
 * Its callers hold a lock under which the PMD may not change (the mmap lock, the anon_vma lock or
 * i_mmap_rwsem: the rule 8d3c106e19e8 restored).
 */
export const pte_offset_map_lock_v6_0 = kernelFunction({ name: 'pte_offset_map_lock', file: 'include/linux/pgtable.h', version: 'v2.6.x–v6.4', note: 'then in include/linux/mm.h' },
  function* (t: Ctx, mm: Mm): ThreadGen<{ T: PageTable; ptl: PageTable }> {
    const ptl = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_lockptr(mm, pmd): the table whose lock
    const T = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_offset_map(pmd, address)
    yield* lockPtl(t, ptl);
    return { T, ptl };
  });

/** zap_pte_range() of v6.0 for entry `idx`: the v6.0 pte_offset_map_lock(), clear a present entry. */
const zap_pte_range_v6_0 = kernelFunction({ ...ZAP_PTE_RANGE, version: 'v5.4–v6.4', note: 'one entry; the put is tlb_finish_mmu()\'s' },
  function* (t: Ctx, mm: Mm, idx: number): ThreadGen<number> {
    const { T, ptl } = yield* pte_offset_map_lock_v6_0(t, mm);
    const v = yield t.load(T.entries[idx]);
    if (pte_present(v)) yield t.store(T.entries[idx], PTE_NONE); // ptep_get_and_clear_full()
    yield t.unlock(ptl.ptl); // pte_unmap_unlock()
    return v;
  });

/**
 * unmap_mapping_range() as truncation calls it (v6.0): i_mmap_rwsem shared, then for each VMA
 * mapping the range zap_page_range_single() -> zap_pmd_range() -> zap_pte_range(), without the
 * mmap lock and without the folio lock. The page's reference is dropped by tlb_finish_mmu().
 */
export const unmap_mapping_range = kernelFunction({
  name: 'unmap_mapping_range', file: 'mm/memory.c', version: 'v5.4–v6.4', note: 'one PTE per VMA; mmu_gather batching left out',
}, function* (t: Ctx, mapping: AddressSpaceRmap, idx: number): ThreadGen<void> {
  yield* i_mmap_lock_read(t, mapping);
  for (const vma of mapping.i_mmap) {
    const mm = vma.mmAtPmd;
    const pmd = yield t.load(mm.pmd); // zap_pmd_range(): pmd_none_or_trans_huge_or_clear_bad()
    if (!pmd_is_table(pmd)) continue;
    const pte = yield* zap_pte_range_v6_0(t, mm, idx);
    if (pte_present(pte)) {
      const tlb = yield* tlb_gather_mmu(t, { mm });
      yield* tlb_remove_page(t, tlb, folioAt(mm, pte_pfn(pte)));
      yield* tlb_finish_mmu(t, tlb);
    }
  }
  yield* i_mmap_unlock_read(t, mapping);
});

/**
 * do_anonymous_page() for T[idx] once the new folio `f` is allocated (its one reference becomes
 * the mapping's): under the PTL, map it writable if the entry is still none; otherwise
 * (vmf_pte_changed(): another fault got there first) put the folio back. Returns whether it mapped.
 */
export const do_anonymous_page = kernelFunction({ name: 'do_anonymous_page', file: 'mm/memory.c', version: MAINLINE, note: 'the folio allocation is the caller\'s' },
  function* (t: Ctx, mm: Mm, T: PageTable, idx: number, f: Folio): ThreadGen<boolean> {
    yield t.lock(T.ptl);
    if (!pte_none(yield t.load(T.entries[idx]))) {
      yield t.unlock(T.ptl);
      yield* folio_put(t, f);
      return false;
    }
    yield* set_pte_at(t, mm, T, idx, mk_pte(f.pfn, _PAGE_PRESENT | _PAGE_RW));
    yield t.unlock(T.ptl);
    return true;
  });

// ---------------------------------------------------------------- the fault path on a PAE entry
// handle_pte_fault() reads vmf->orig_pte with ptep_get_lockless() and IRQs on (the table found by
// pte_offset_map_rw_nolock() under RCU only), so on 32-bit PAE the value may be torn: no flush IPI
// waits for this reader. Every handler rechecks the entry under the PTL before it acts (pte_same(),
// pte_unmap_same(), vmf_pte_changed()); I13 for this caller is that it never acts on a torn value.

/** A PAE PTE with the split PTL of its table, which every writer of the entry holds. */
export interface PaePteLocked extends PaePte {
  ptl: Loc;
}

/** A PAE PTE value as its two words, [low, high]. */
export type PaePteVal = [number, number];
const paeSame = (a: PaePteVal, b: PaePteVal): boolean => a[0] === b[0] && a[1] === b[1];
const paeNone = (v: PaePteVal): boolean => v[0] === 0 && v[1] === 0;

/** ptep_get() with the PTL held: every writer holds it too, so both words are one store's. */
function* ptepGetLocked(t: Ctx, p: PaePteLocked): ThreadGen<PaePteVal> {
  const lo = yield t.load(p.low);
  const hi = yield t.load(p.high);
  return [lo, hi];
}

/** The ghost side of I13 for a caller that acts on what it read: a whole value the entry held. */
const checkActsOnWhole = modelStep('(check)', function* (t: Ctx, v: PaePteVal, whole: PaePteVal[], what: string): ThreadGen<void> {
  yield t.assert(paeNone(v) || whole.some((w) => paeSame(w, v)), I13,
    () => `CPU${t.tid} ${what} on PTE (low 0x${v[0].toString(16)}, high 0x${v[1].toString(16)}), a value the entry never held: a torn read acted on`);
});

/** What the fault path leaves out (a change a patch could make). */
export interface FaultKnobs {
  /** do_swap_page() without pte_unmap_same()'s locked recheck (its PAE-only branch removed). */
  noPteUnmapSame?: boolean;
}

const FAULT_V = 'v6.13–v6.18';

/**
 * pte_unmap_same(): where sizeof(pte_t) > sizeof(long) (32-bit PAE), recheck orig_pte under the
 * PTL, then pte_unmap(). "handle_pte_fault chooses page fault handler according to an entry which
 * was read non-atomically."
 */
export const pte_unmap_same = kernelFunction({ name: 'pte_unmap_same', file: 'mm/memory.c', version: FAULT_V },
  function* (t: Ctx, cpu: Cpu, p: PaePteLocked, orig: PaePteVal): ThreadGen<boolean> {
    yield t.lock(p.ptl);
    const now = yield* ptepGetLocked(t, p);
    yield t.unlock(p.ptl);
    yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
    return paeSame(now, orig);
  });

/** do_swap_page(): orig_pte is neither none nor present: the swap entry the swap-in starts from. */
export const do_swap_page = kernelFunction({ name: 'do_swap_page', file: 'mm/memory.c', version: FAULT_V, note: 'up to pte_to_swp_entry()' },
  function* (t: Ctx, cpu: Cpu, p: PaePteLocked, orig: PaePteVal, whole: PaePteVal[], knobs: FaultKnobs): ThreadGen<void> {
    if (knobs.noPteUnmapSame) yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
    else if (!(yield* pte_unmap_same(t, cpu, p, orig))) return; // changed under us: the fault is retried
    yield* checkActsOnWhole(t, orig, whole, 'do_swap_page() looks up the swap entry'); // pte_to_swp_entry(vmf->orig_pte)
  });

/**
 * handle_pte_fault() for a PAE entry: vmf->orig_pte = ptep_get_lockless() with IRQs on, then the
 * handler for what it read. A none entry goes to do_pte_missing(), whose do_anonymous_page()
 * maps a page only if the entry is still none under the PTL (not modeled further: what it acts
 * on is none); a non-present one to do_swap_page(); a present one is rechecked with pte_same()
 * under the PTL before ptep_set_access_flags().
 */
export const handle_pte_fault = kernelFunction({ name: 'handle_pte_fault', file: 'mm/memory.c', version: FAULT_V, note: 'the present, swap and none paths; the new page of do_anonymous_page() not modeled' },
  function* (t: Ctx, cpu: Cpu, p: PaePteLocked, whole: PaePteVal[], knobs: FaultKnobs = {}): ThreadGen<void> {
    yield* t.call('pte_offset_map_rw_nolock', rcu_read_lock(t, cpu));
    const orig: PaePteVal = yield* ptep_get_lockless(t, p);
    if (paeNone(orig)) {
      yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
      return; // do_pte_missing()
    }
    if (!(orig[0] & PAE_PRESENT)) {
      yield* do_swap_page(t, cpu, p, orig, whole, knobs);
      return;
    }
    yield t.lock(p.ptl);
    const now = yield* ptepGetLocked(t, p);
    if (paeSame(now, orig)) yield* checkActsOnWhole(t, orig, whole, 'handle_pte_fault() sets the accessed bit'); // ptep_set_access_flags()
    yield t.unlock(p.ptl); // !pte_same(): update_mmu_tlb(); the fault is retried
    yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
  });

// ---------------------------------------------------------------- swap-in (do_swap_page)

/** Where a swap fault happens: the PTE (T[idx] of `mm`), the VMA's identity there, and the access. */
export interface SwapFault {
  mm: Mm;
  T: PageTable;
  idx: number;
  /** The anon identity a folio mapped here gets (folio->mapping, ->index). */
  vma: AnonIdentity;
  /** FAULT_FLAG_WRITE */
  write: boolean;
}

/** What do_swap_page() did: mapped the page, or gave up (the fault is retried, or it found nothing). */
export type SwapFaultResult = 'mapped' | 'retry';

/**
 * should_try_to_free_swap(): after mapping it writable, is the swap-cache folio only ours (our
 * reference and the cache's)? Then free its swap entry. mem_cgroup_swap_full(), VM_LOCKED and
 * mlock are false.
 */
const should_try_to_free_swap = kernelFunction({ name: 'should_try_to_free_swap', file: 'mm/memory.c', version: 'v6.1–v6.15', note: 'mem_cgroup_swap_full() false, not mlocked' },
  function* (t: Ctx, folio: SwapFolio, write: boolean): ThreadGen<boolean> {
    if (!(yield t.load(folio.PG_swapcache))) return false;
    return write && (yield t.load(folio._refcount)) === 2; // folio_ref_count(folio) == 2
  });

/**
 * do_swap_page() of an order-0 page through the swap cache (v6.8–v6.15; the swapin_readahead()
 * path, not SWP_SYNCHRONOUS_IO): pin the device, find the folio in the swap cache or read it in
 * (`newFolio` is the page the allocator hands out), lock it and recheck that it is still the swap
 * cache's folio for the entry, recheck the PTE under the PTL (pte_same()), drop the PTE's swap
 * reference (swap_free()), free the swap-cache copy if we are its only user, and map the page
 * (folio_add_anon_rmap_pte(), which checks an anon folio's identity). The fault's reference
 * becomes the mapping's. KSM, memcg, readahead and the write-fault's do_wp_page() are not
 * modelled. Export name: the PAE fault path above has its own do_swap_page() (v6.13+, up to
 * pte_to_swp_entry()).
 */
export const do_swap_page_swapin = kernelFunction({
  name: 'do_swap_page', file: 'mm/memory.c', version: 'v6.8–v6.15', note: 'order-0, through the swap cache (no SWP_SYNCHRONOUS_IO); ksm, memcg, readahead not modelled',
}, function* (t: Ctx, cpu: Cpu, si: SwapInfo, f: SwapFault, orig_pte: number, newFolio: SwapFolio): ThreadGen<SwapFaultResult> {
  const entry = pte_to_swp_entry(orig_pte);
  if (non_swap_entry(entry)) return 'retry'; // migration entries: not this path
  if (!(yield* get_swap_device(t, si, cpu, entry))) return 'retry';
  let folio = yield* swap_cache_get_folio(t, si, cpu, entry);
  if (!folio) {
    const got = yield* __read_swap_cache_async(t, si, cpu, entry, newFolio); // swapin_readahead()
    if (!got) { // "Back out if somebody else faulted in this pte while we released the pte lock."
      yield* put_swap_device(t, si, cpu);
      return 'retry';
    }
    folio = got.folio;
    if (got.allocated) yield* folio_unlock(t, folio); // swap_read_folio(): the read completes (folio_end_read())
  }
  yield* folio_lock(t, folio); // folio_lock_or_retry()
  // "Make sure folio_free_swap() or swapoff did not release the swapcache from under us."
  if (!(yield t.load(folio.PG_swapcache)) || (yield t.load(folio.swap)) !== entry) {
    yield* folio_unlock(t, folio); // out_page
    yield* folio_put(t, folio);
    yield* put_swap_device(t, si, cpu);
    return 'retry';
  }
  yield t.lock(f.T.ptl); // pte_offset_map_lock()
  if ((yield t.load(f.T.entries[f.idx])) !== orig_pte) { // !pte_same(ptep_get(vmf->pte), vmf->orig_pte)
    yield t.unlock(f.T.ptl); // out_nomap
    yield* folio_unlock(t, folio);
    yield* folio_put(t, folio);
    yield* put_swap_device(t, si, cpu);
    return 'retry';
  }
  const exclusive = pte_swp_exclusive(orig_pte); // folio == swapcache, no writeback
  yield* swap_free(t, si, entry);
  if (yield* should_try_to_free_swap(t, folio, f.write)) yield* folio_free_swap(t, si, folio);
  const writable = f.write && (exclusive || (yield t.load(folio._refcount)) === 1);
  yield* folio_add_anon_rmap_pte(t, folio, f.vma);
  yield* set_pte_at(t, f.mm, f.T, f.idx, mk_pte(folio.pfn, _PAGE_PRESENT | (writable ? _PAGE_RW | _PAGE_DIRTY : 0)));
  yield* folio_unlock(t, folio);
  yield t.unlock(f.T.ptl);
  yield* put_swap_device(t, si, cpu);
  return 'mapped';
});

/**
 * zap_pte_range() of one PTE holding a swap entry (v6.5–v6.8): under pte_offset_map_lock() — an
 * RCU read-side section (rcu_read_lock() in __pte_offset_map()) and the PTL, itself an RCU reader
 * since the v5.0 flavour consolidation — free_swap_and_cache(entry), then the PTE is cleared
 * (pte_clear_not_present_full()). `fixed`: free_swap_and_cache() with 82b1c07a0af6.
 */
export const zap_pte_range_swap = kernelFunction({ ...ZAP_PTE_RANGE, version: 'v6.5–v6.9', note: 'one swap entry; free_swap_and_cache_nr() from v6.10' },
  function* (t: Ctx, cpu: Cpu, si: SwapInfo, mm: Mm, idx: number, fixed: boolean): ThreadGen<void> {
    const m = yield* pte_offset_map_lock(t, cpu, mm);
    if (!m) return;
    const ptent = yield t.load(m.T.entries[idx]);
    if (!pte_none(ptent) && !pte_present(ptent)) {
      const entry = pte_to_swp_entry(ptent);
      if (!non_swap_entry(entry)) yield* (fixed ? free_swap_and_cache : free_swap_and_cache_v6_8)(t, si, cpu, entry);
      yield t.store(m.T.entries[idx], PTE_NONE); // pte_clear_not_present_full()
    }
    yield t.unlock(m.T.ptl);
    yield* pte_unmap(t, cpu);
  });
