// Zapping user mappings (mm/memory.c zap_pte_range, simplified to one entry; docs/design/protocols.md §1, §4),
// fork's copy of a PTE with the parent's COW fault after it (copy_present_pte, do_wp_page), and
// the publication of a new PTE table (pmd_install), and munmap's lockless zap_pmd_range() with
// free_pgtables(); an anonymous fault mapping a new page (do_anonymous_page); the fault path on a
// 32-bit PAE entry read locklessly with IRQs on (handle_pte_fault, pte_unmap_same, do_swap_page).
// The reclaim of the emptied table (reclaim_pt) is in mm/pt_reclaim.ts. Before v6.5: truncation's
// unmap_mapping_range(), a file rmap walk, with the pte_offset_map_lock() of that time.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { PAE_PRESENT, type PaePte } from '../arch/x86/include/asm/pgtable-3level.ts';
import { I13 } from '../invariants.ts';
import { folio_put, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, pte_none, ptep_get_lockless, pmd_is_table, pmd_none, pmd_table, pmd_table_id, pte_present, pte_pfn, type PageTable } from '../include/linux/pgtable.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { pmd_populate } from '../arch/x86/include/asm/pgtable.ts';
import { smp_wmb } from '../include/asm-generic/barrier.ts';
import { folio as folioAt, table, type Mm } from './mm.ts';
import { pte_free_tlb, tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.ts';
import { tlb_remove_page, type MmuGather } from '../include/asm-generic/tlb.ts';
import { lockPtl, set_pte_at } from './pgtable-generic.ts';
import { i_mmap_lock_read, i_mmap_unlock_read, type AddressSpaceRmap } from '../include/linux/fs.ts';
import { MAINLINE, kernelFunction, modelStep } from '../kfn.ts';
import { _PAGE_DIRTY } from '../include/linux/pgtable.ts';
import { folio_lock, folio_unlock } from '../include/linux/pagemap.ts';
import { non_swap_entry, pte_swp_exclusive, pte_to_swp_entry } from '../include/linux/swapops.ts';
import { __read_swap_cache_async, swap_cache_get_folio, type AnonIdentity, type SwapFolio } from './swap_state.ts';
import { folio_free_swap, free_swap_and_cache, free_swap_and_cache_v6_8, get_swap_device, put_swap_device, swap_free, type SwapInfo } from './swapfile.ts';
import { pte_offset_map_lock, pte_unmap } from './pgtable-generic.ts';
import { folio_add_anon_rmap_pte } from './rmap.ts';

/** Where zap_pte_range() comes from (mm/pt_reclaim.ts declares its reclaim_pt part too). */
export const ZAP_PTE_RANGE = { name: 'zap_pte_range', file: 'mm/memory.c', version: MAINLINE };

/**
 * zap_pte_range() for entry `idx` of T under its PTL: ptep_get_and_clear, the page goes to the
 * caller's mmu_gather (tlb_remove_page()); after the TLB flush (which on broadcast-flush
 * architectures does not wait for IRQs-off walkers) tlb_finish_mmu() drops the page's mapping
 * reference. The caller's tlb_gather_mmu() / tlb_finish_mmu() (zap_page_range_single()) are
 * folded in.
 */
export const zap_pte_range = kernelFunction({ ...ZAP_PTE_RANGE, note: 'one entry; with its caller\'s tlb_gather_mmu() / tlb_finish_mmu()' }, function* (t: Ctx, mm: Mm, T: PageTable, idx: number): ThreadGen<void> {
  const tlb = yield* tlb_gather_mmu(t, { mm });
  yield t.lock(T.ptl);
  const pte = yield t.xchg(T.entries[idx], PTE_NONE);
  yield t.unlock(T.ptl);
  if (pte_present(pte)) yield* tlb_remove_page(t, tlb, folioAt(mm, pte_pfn(pte)));
  yield* tlb_finish_mmu(t, tlb);
});

/**
 * copy_present_pte() in fork() for the parent's writable anon PTE T[idx] -> P: unless the page
 * may be pinned (folio_maybe_dma_pinned(): the raw count against GUP_PIN_COUNTING_BIAS), share
 * it with the child read-only and clear AnonExclusive; else the child gets a copy (not modeled).
 */
export const copy_present_pte = kernelFunction({ name: 'copy_present_pte', file: 'mm/memory.c', version: MAINLINE },
  function* (t: Ctx, T: PageTable, idx: number, P: Folio, anonExclusive: Loc): ThreadGen<void> {
    yield t.lock(T.ptl);
    const c = yield t.load(P._refcount);
    if (c < 1024) { // !folio_maybe_dma_pinned(): share the page with the child, R/O
      yield t.store(anonExclusive, 0);
      yield t.fetchAdd(P._refcount, 1);
      yield t.store(T.entries[idx], mk_pte(P.pfn, _PAGE_PRESENT));
    } // else: the child gets a copy, the parent keeps its writable exclusive page
    yield t.unlock(T.ptl);
  });

/**
 * do_wp_page() -> wp_page_copy(): a write fault on a R/O shared PTE T[idx] -> P maps the fresh
 * copy C writable and drops the mapping's reference on P.
 */
export const do_wp_page = kernelFunction({ name: 'do_wp_page', file: 'mm/memory.c', version: MAINLINE, note: 'with wp_page_copy()' },
  function* (t: Ctx, T: PageTable, idx: number, P: Folio, C: Folio): ThreadGen<void> {
    yield t.lock(T.ptl);
    const pte = yield t.load(T.entries[idx]);
    if (!(pte & _PAGE_RW)) {
      yield t.store(C._refcount, 1);
      yield t.store(C.freed, 0);
      yield t.store(T.entries[idx], mk_pte(C.pfn, _PAGE_PRESENT | _PAGE_RW));
      yield* folio_put(t, P);
    }
    yield t.unlock(T.ptl);
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
