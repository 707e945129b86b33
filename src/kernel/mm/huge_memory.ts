// Huge pages and huge PMDs (mm/huge_memory.c, mm/pgtable-generic.c): the split of a frozen folio
// (__split_folio_to_order) and of a huge PMD into a PTE table (__split_huge_pmd_locked); the PTE
// table deposited with a huge PMD (pgtable_trans_huge_deposit / withdraw, zap_deposited_table,
// zap_huge_pmd); and, for the v3.x bug of B25, the split_huge_page() of the THP era before the
// v4.5 refcounting rework: the PMDs that map the page are found by an anon_vma rmap walk and marked
// "splitting" (pmd_trans_splitting) before the refcount is distributed to the tail pages; the walk
// must not miss a PMD.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { I5 } from '../invariants.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import {
  PMD_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, pmd_mkinvalid, pmd_pfn, pmd_table, pmd_trans_huge, showPmd, type PageTable, type Pmd,
} from '../include/linux/pgtable.ts';
import { pmd_populate, pmdp_huge_get_and_clear, pmdp_set_wrprotect, set_pmd_at } from '../arch/x86/include/asm/pgtable.ts';
import { folio_get, type Folio } from '../include/linux/page_ref.ts';
import { smp_wmb } from '../include/asm-generic/barrier.ts';
import type { Vma } from '../include/linux/mm_types.ts';
import { anon_vma_lock_write, anon_vma_unlock_write, type AnonVma } from '../include/linux/rmap.ts';
import { pmdp_invalidate } from './pgtable-generic.ts';
import { table, type Mm } from './mm.ts';
import { pte_free } from './mmu_gather.ts';
import { folioField, folio_put, folio_ref_freeze, folio_ref_unfreeze, newFolio } from '../include/linux/page_ref.ts';
import { FOLIO_TAIL, __xa_store, xas_try_split, type FolioIdentity, type XaNode, type Xarray } from '../lib/xarray.ts';

/** __split_folio_to_order(): the frozen folio's metadata word `meta` becomes `value`. */
export const __split_folio_to_order = kernelFunction({ name: '__split_folio_to_order', file: 'mm/huge_memory.c', version: MAINLINE, note: 'one metadata word' },
  function* (t: Ctx, meta: Loc, value: number): ThreadGen<void> {
    yield t.store(meta, value);
  });

/**
 * __split_huge_pmd_locked() of the huge PMD (PML held): pmdp_invalidate() keeps the PMD non-none,
 * the deposited table T is filled, smp_wmb() "make pte visible before pmd", pmd_populate().
 * `viaPmdNone`: clear then populate (U8.c); `noWmb`: the barrier-drop variant.
 */
export const __split_huge_pmd_locked = kernelFunction({ name: '__split_huge_pmd_locked', file: 'mm/huge_memory.c', version: MAINLINE, note: 'one entry of the deposited table' },
  function* (t: Ctx, mm: Mm, T: PageTable, opts: { viaPmdNone?: boolean; noWmb?: boolean } = {}): ThreadGen<void> {
    const pmd = yield t.load(mm.pmd);
    if (!pmd_trans_huge(pmd)) return;
    const pfn = pmd_pfn(pmd);
    if (opts.viaPmdNone) yield* pmdp_huge_get_and_clear(t, mm);
    else yield* pmdp_invalidate(t, mm, pmd_mkinvalid(pmd));
    yield t.store(T.entries[0], mk_pte(pfn, _PAGE_PRESENT | _PAGE_RW)); // fill the deposited table
    if (!opts.noWmb) yield smp_wmb(t); // "make pte visible before pmd"
    yield* pmd_populate(t, mm, pmd_table(T.id));
  });

// ---------------------------------------------------------------- deposited page tables

/**
 * A PMD entry whose PMD page holds a deposit list (pmd_huge_pte(mm, pmd)): the PTE table kept
 * for a future split of the huge PMD. PMD entries of one PMD page share its lock and its list.
 */
export interface DepositPmd extends Pmd {
  /** pmd_huge_pte(): the deposited table's id + 1, 0 = none (one deposit at a time here). */
  huge_pte: Loc;
}

/** A PMD page's deposit list, holding `deposited` (already deposited with a huge PMD) if given. */
export function newDepositList(b: Builder, name: string, deposited?: PageTable): Loc {
  const pmd_huge_pte = b.loc(`${name}.pmd_huge_pte`, deposited ? deposited.id + 1 : 0, (v) => (v ? `deposited T${v - 1}` : 'empty'));
  b.object('pmd-page', name, { pmd_huge_pte } satisfies ObjectFields['pmd-page']);
  return pmd_huge_pte;
}

/** pgtable_trans_huge_deposit() (generic): under the PMD lock, keep `T` for a later split or zap. */
export const pgtable_trans_huge_deposit = kernelFunction({ name: 'pgtable_trans_huge_deposit', file: 'mm/pgtable-generic.c', version: 'v4.14–v6.18' },
  function* (t: Ctx, pmd: DepositPmd, T: PageTable): ThreadGen<void> {
    yield t.store(pmd.huge_pte, T.id + 1);
  });

/** pgtable_trans_huge_withdraw() (generic): takes the deposited table back (the table's id). */
export const pgtable_trans_huge_withdraw = kernelFunction({ name: 'pgtable_trans_huge_withdraw', file: 'mm/pgtable-generic.c', version: 'v4.14–v6.18' },
  function* (t: Ctx, pmd: DepositPmd): ThreadGen<number> {
    const v = yield t.load(pmd.huge_pte);
    yield t.store(pmd.huge_pte, 0);
    return v - 1;
  });

/**
 * zap_deposited_table(): withdraw the deposit and free it with plain pte_free() — not through
 * mmu_gather's RCU table freeing. That is why khugepaged must make sure, when it turns a PTE table
 * into a deposit, that no lockless walker is still inside it (2ba99c5e0881).
 */
export const zap_deposited_table = kernelFunction({ name: 'zap_deposited_table', file: 'mm/huge_memory.c', version: 'v4.14–v6.18' },
  function* (t: Ctx, mm: Mm, pmd: DepositPmd): ThreadGen<void> {
    const id = yield* pgtable_trans_huge_withdraw(t, pmd);
    yield* pte_free(t, table(mm, id));
  });

/** pmdp_huge_get_and_clear_full(): the huge PMD's xchg with none (its old value is the folio's). */
const pmdp_huge_get_and_clear_full = kernelFunction({ name: 'pmdp_huge_get_and_clear_full', file: 'include/linux/pgtable.h', version: MAINLINE },
  function* (t: Ctx, pmd: Pmd): ThreadGen<number> {
    return yield t.xchg(pmd.pmd, PMD_NONE);
  });

/**
 * zap_huge_pmd() of an anonymous huge PMD (munmap / MADV_DONTNEED): under the PMD lock, clear it,
 * free the deposited table, drop the rmap; the folio's reference goes to the mmu_gather (its put
 * after the TLB flush is left out: the scenarios that zap check the table, not the folio).
 */
export const zap_huge_pmd = kernelFunction({
  name: 'zap_huge_pmd', file: 'mm/huge_memory.c', version: 'v6.1–v6.18',
  note: 'anon only; the folio put after tlb_finish_mmu() not modelled',
}, function* (t: Ctx, mm: Mm, pmd: DepositPmd): ThreadGen<boolean> {
  yield t.lock(pmd.pml); // __pmd_trans_huge_lock()
  if (!pmd_trans_huge(yield t.load(pmd.pmd))) { yield t.unlock(pmd.pml); return false; }
  yield* pmdp_huge_get_and_clear_full(t, pmd);
  yield* zap_deposited_table(t, mm, pmd);
  yield t.unlock(pmd.pml);
  return true;
});

/**
 * copy_huge_pmd() in fork() for the parent's anon huge PMD mapping `HP` (both PMD locks held; the
 * child's PMD is not modeled): unless the folio may be pinned (folio_try_dup_anon_rmap_pmd() fails
 * when it is AnonExclusive and folio_maybe_dma_pinned(): the split-and-copy fallback is not
 * modeled), share it with the child and write-protect the parent's PMD.
 */
export const copy_huge_pmd = kernelFunction({ name: 'copy_huge_pmd', file: 'mm/huge_memory.c', version: MAINLINE, note: 'the anon case; the child\'s PMD not modeled' },
  function* (t: Ctx, src: Pmd, HP: Folio): ThreadGen<boolean> {
    yield t.lock(src.pml);
    const pmd = yield t.load(src.pmd);
    let shared = false;
    if (pmd_trans_huge(pmd) && (yield t.load(HP._refcount)) < 1024) { // !folio_maybe_dma_pinned()
      yield* folio_get(t, HP); // folio_try_dup_anon_rmap_pmd(): the child's mapping
      yield* pmdp_set_wrprotect(t, src);
      shared = true;
    }
    yield t.unlock(src.pml);
    return shared;
  });

// ---------------------------------------------------------------- the v3.x split (B25)

/** pmd_trans_splitting(): x86's _PAGE_SPLITTING on a huge PMD (v2.6.38–v4.4). */
export const _PAGE_SPLITTING = 0x8000;
/** pmd_trans_splitting(): a huge PMD the split has marked (callers wait for the split). */
export const pmd_trans_splitting = (v: number): boolean => pmd_trans_huge(v) && (v & _PAGE_SPLITTING) !== 0;
/** A PMD decoder that also shows the v3.x splitting bit. */
export const withSplitting = (show: (v: number) => string) => (v: number): string =>
  (pmd_trans_splitting(v) ? `splitting ${show(v & ~_PAGE_SPLITTING)}` : show(v));
/** A PMD value as traces print it, with the v3.x splitting bit. */
export const showPmdV3 = withSplitting(showPmd);

/** A THP of the v3.x era: its head page's mapcount (one per PMD mapping it) and PageCompound. */
export interface ThpV3 {
  name: string;
  pfn: number;
  /** page_mapcount(page): the number of huge PMDs mapping it. */
  mapcount: Loc;
  /** PageCompound(page): 1 until __split_huge_page_refcount() turns it into small pages. */
  compound: Loc;
}

/** A v3.x THP `name` at `pfn`, compound, mapped by `mapcount` huge PMDs. */
export function newThpV3(b: Builder, name: string, pfn: number, mapcount: number): ThpV3 {
  const fields: ObjectFields['page'] = {
    _mapcount: b.loc(`${name}._mapcount`, mapcount, (v) => `page_mapcount ${v}`),
    PageCompound: b.loc(`${name}.PageCompound`, 1, (v) => (v ? 'compound' : 'split into small pages')),
  };
  b.object('page', name, fields);
  return { name, pfn, mapcount: fields._mapcount, compound: fields.PageCompound };
}

const V3 = 'v3.13–v4.4';

/** pmdp_splitting_flush() (x86, v2.6.38–v4.4): set _PAGE_SPLITTING on the huge PMD, flush. */
const pmdp_splitting_flush = kernelFunction({ name: 'pmdp_splitting_flush', file: 'arch/x86/mm/pgtable.c', version: 'v2.6.38–v4.4', note: 'the flush not modelled' },
  function* (t: Ctx, pmd: Pmd, value: number): ThreadGen<void> {
    yield t.store(pmd.pmd, value);
  });

/**
 * __split_huge_page_refcount(): with every PMD of the page marked splitting, move the refcount and
 * mapcount to the tail pages and clear PageCompound (the model keeps only the last).
 */
const __split_huge_page_refcount = kernelFunction({ name: '__split_huge_page_refcount', file: 'mm/huge_memory.c', version: V3, note: 'only ClearPageCompound()' },
  function* (t: Ctx, page: ThpV3): ThreadGen<void> {
    yield t.store(page.compound, 0);
  });

/**
 * page_check_address_pmd(): under the PMD lock, is this PMD a huge mapping of `page` (and, for
 * the first walk, not already splitting)? Returns with the lock held if so.
 */
const page_check_address_pmd = kernelFunction({ name: 'page_check_address_pmd', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, page: ThpV3, pmd: Pmd, flag: 'NOTSPLITTING' | 'SPLITTING'): ThreadGen<boolean> {
    yield t.lock(pmd.pml);
    const v = yield t.load(pmd.pmd);
    const ok = pmd_trans_huge(v) && pmd_pfn(v) === page.pfn && !(flag === 'NOTSPLITTING' && pmd_trans_splitting(v));
    if (!ok) yield t.unlock(pmd.pml);
    return ok;
  });

/** __split_huge_page_splitting(): mark the PMD splitting; 1 if this VMA maps the page huge. */
const __split_huge_page_splitting = kernelFunction({ name: '__split_huge_page_splitting', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, page: ThpV3, vma: Vma): ThreadGen<number> {
    if (!(yield* page_check_address_pmd(t, page, vma.pmd, 'NOTSPLITTING'))) return 0;
    const v = yield t.load(vma.pmd.pmd);
    yield* pmdp_splitting_flush(t, vma.pmd, v | _PAGE_SPLITTING);
    yield t.unlock(vma.pmd.pml);
    return 1;
  });

/**
 * __split_huge_page_map(): a splitting PMD becomes the deposited table, filled with PTEs for the
 * subpages (one here), then pmdp_invalidate() and pmd_populate().
 */
const __split_huge_page_map = kernelFunction({ name: '__split_huge_page_map', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, page: ThpV3, vma: Vma & { pmd: DepositPmd }): ThreadGen<number> {
    if (!(yield* page_check_address_pmd(t, page, vma.pmd, 'SPLITTING'))) return 0;
    const id = yield* pgtable_trans_huge_withdraw(t, vma.pmd);
    yield t.store(table(vma.mm, id).entries[0], mk_pte(page.pfn, _PAGE_PRESENT | _PAGE_RW));
    yield smp_wmb(t); // make pte visible before pmd
    yield* pmd_populate(t, vma.pmd, pmd_table(id));
    yield t.unlock(vma.pmd.pml);
    return 1;
  });

/**
 * __split_huge_page(), anon_vma lock held for write: walk the anon_vma's VMAs in interval-tree
 * order marking every PMD that maps the page splitting, BUG() unless as many were found as the
 * page has mappings, distribute the refcount and mapcount to the tail pages, then turn every
 * splitting PMD into a PTE table. A PMD the first walk misses keeps mapping the page huge after
 * it stopped being compound: the freeze of the split did not hold it (I5).
 */
const __split_huge_page = kernelFunction({ name: '__split_huge_page', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, page: ThpV3, av: AnonVma): ThreadGen<void> {
    let mapcount = 0;
    for (const vma of av.vmas) mapcount += yield* __split_huge_page_splitting(t, page, vma);
    const mc = yield t.load(page.mapcount); // page_mapcount(page)
    yield t.assert(mapcount === mc, I5, () => `BUG_ON(mapcount != page_mapcount(page)) in __split_huge_page on CPU${t.tid}: the rmap walk marked ${mapcount} PMD${mapcount === 1 ? '' : 's'} splitting, but ${page.name} is mapped by ${mc}: a huge PMD escaped the split's freeze (it moved behind the walk)`);
    yield* __split_huge_page_refcount(t, page);
    let mapcount2 = 0;
    for (const vma of av.vmas) mapcount2 += yield* __split_huge_page_map(t, page, vma as Vma & { pmd: DepositPmd });
    yield t.assert(mapcount === mapcount2, I5, () => `BUG_ON(mapcount != mapcount2) in __split_huge_page on CPU${t.tid}: ${mapcount} PMDs marked splitting, ${mapcount2} split`);
  });

/** split_huge_page() (split_huge_page_to_list()): the anon_vma lock for write across the split. */
export const split_huge_page_v3 = kernelFunction({ name: 'split_huge_page_to_list', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, page: ThpV3, av: AnonVma): ThreadGen<void> {
    yield* anon_vma_lock_write(t, av); // page_get_anon_vma(); anon_vma_lock_write()
    if (yield t.load(page.compound)) yield* __split_huge_page(t, page, av);
    yield* anon_vma_unlock_write(t, av);
  });

/**
 * wait_split_huge_page(): the splitter holds the anon_vma lock across the split, so taking and
 * dropping it waits for the split to finish.
 */
const wait_split_huge_page = kernelFunction({ name: 'wait_split_huge_page', file: 'include/linux/huge_mm.h', version: V3, waits: 'wait' },
  function* (t: Ctx, av: AnonVma): ThreadGen<void> {
    yield* anon_vma_lock_write(t, av);
    yield* anon_vma_unlock_write(t, av);
  });

/**
 * __pmd_trans_huge_lock(): 1 with the PMD lock held if the PMD is a stable huge PMD; -1 after
 * waiting for a split in progress; 0 if it is not huge.
 */
const __pmd_trans_huge_lock_v3 = kernelFunction({ name: '__pmd_trans_huge_lock', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, pmd: Pmd, vma: Vma): ThreadGen<number> {
    yield t.lock(pmd.pml);
    const v = yield t.load(pmd.pmd);
    if (pmd_trans_huge(v)) {
      if (!pmd_trans_splitting(v)) return 1;
      yield t.unlock(pmd.pml);
      yield* wait_split_huge_page(t, vma.av!); // vma->anon_vma
      return -1;
    }
    yield t.unlock(pmd.pml);
    return 0;
  });

/**
 * move_huge_pmd() (v3.13–v4.4): moves the huge PMD from `old` to `nw` under the PMD lock. Both
 * entries are on one PMD page here (one lock, one deposit list), so no deposit moves.
 */
export const move_huge_pmd_v3 = kernelFunction({ name: 'move_huge_pmd', file: 'mm/huge_memory.c', version: V3 },
  function* (t: Ctx, vma: Vma, old: Pmd, nw: Pmd): ThreadGen<number> {
    if (nw.pml !== old.pml) throw new Error('move_huge_pmd_v3: the deposit move between PMD pages is not modelled');
    if (yield t.load(nw.pmd)) return 0; // WARN_ON(!pmd_none(*new_pmd))
    const ret = yield* __pmd_trans_huge_lock_v3(t, old, vma);
    if (ret === 1) {
      const pmd = yield t.xchg(old.pmd, PMD_NONE); // pmdp_get_and_clear()
      yield* set_pmd_at(t, nw, pmd);
      yield t.unlock(old.pml);
    }
    return ret;
  });

// ---------------------------------------------------------------- folio_split() of a page-cache folio

/**
 * A page-cache folio, or a page of a large one that a split can make a folio: its refcount and
 * identity words (folio->index, folio_order(), FOLIO_TAIL while it is a tail page), and `at`, the
 * file index of its page (fixed: page i of a folio at index n is at n + i).
 */
export interface PagecacheFolio extends Folio, FolioIdentity {
  at: number;
}

/**
 * The page at file index `at` (pfn `pfn`) of a page-cache folio: a folio of order `order` with
 * `refcount` references, or (order FOLIO_TAIL) a tail page, whose refcount is 0 — a tail holds no
 * references, and folio_try_get() on it fails — without being free.
 */
export function newPagecacheFolio(b: Builder, name: string, pfn: number, at: number, order: number, refcount: number): PagecacheFolio {
  const f = newFolio(b, name, pfn, 1);
  b.locs[f._refcount].init = refcount;
  return {
    ...f, at,
    index: folioField(b, f, 'index', order === FOLIO_TAIL ? 0 : at, (v) => `index ${v}`),
    order: folioField(b, f, 'order', order, (v) => (v === FOLIO_TAIL ? 'tail page' : `order ${v}`)),
  };
}

const SPLIT_PRE = 'v6.15–v6.19 (00527733d0dc to before 577a1f495fd7)';
const SPLIT_FIXED = 'v7.0 (577a1f495fd7; stable 6.18.y)';

/**
 * __split_folio_to_order() of a page-cache folio from `oldOrder` to `newOrder`: each new folio's
 * page (`newHeads`) gets its index and order (the tail becomes a head: clear_compound_head()),
 * smp_wmb() ("page flags must be visible before we make the page non-compound"), then the folio's
 * own order shrinks. Flags, mapping, memcg and the compound links are not modelled.
 */
export const __split_folio_to_order_pagecache = kernelFunction({ name: '__split_folio_to_order', file: 'mm/huge_memory.c', version: 'v6.15–v7.0', note: 'the new folios\' index and order words' },
  function* (t: Ctx, folio: PagecacheFolio, newOrder: number, newHeads: PagecacheFolio[]): ThreadGen<void> {
    for (const nf of newHeads) {
      yield t.store(nf.index, nf.at); // new_folio->index = folio->index + i
      yield t.store(nf.order, newOrder);
    }
    yield smp_wmb(t);
    yield t.store(folio.order, newOrder); // folio_set_order(folio, new_order)
  });

/**
 * __split_unmapped_folio() of a page-cache folio, non-uniform (folio_split()): split one order at
 * a time; at each step the xarray entry is split first (xas_set_order(xas, folio->index,
 * split_order); xas_try_split()), storing `folio` — the folio being split at this step, which
 * after __split_folio_to_order() is only the first of the new folios — or, with the fix, the
 * original folio, still frozen, in every new entry; the new folio that holds `splitAt` is split
 * next. `pages` are the pages that become folios (the original first). Returns each folio's order.
 */
const splitUnmappedFolio = (fixed: boolean) => kernelFunction({ name: '__split_unmapped_folio', file: 'mm/huge_memory.c', version: fixed ? SPLIT_FIXED : SPLIT_PRE, note: 'non-uniform, a page-cache folio within one xa_node' },
  function* (t: Ctx, node: XaNode, pages: PagecacheFolio[], oldOrder: number, newOrder: number, splitAt: number): ThreadGen<Map<PagecacheFolio, number>> {
    const old_folio = pages[0];
    const orders = new Map<PagecacheFolio, number>([[old_folio, oldOrder]]);
    let folio = old_folio;
    for (let split_order = oldOrder - 1; split_order >= newOrder; split_order--) {
      const old_order = orders.get(folio)!;
      yield* xas_try_split(t, node, folio.at, split_order, (fixed ? old_folio : folio).pfn, old_order);
      const newHeads = pages.filter((p) => p.at > folio.at && p.at < folio.at + (1 << old_order) && (p.at - folio.at) % (1 << split_order) === 0);
      yield* __split_folio_to_order_pagecache(t, folio, split_order, newHeads);
      for (const p of [folio, ...newHeads]) orders.set(p, split_order);
      folio = [folio, ...newHeads].find((p) => p.at <= splitAt && splitAt < p.at + (1 << split_order))!;
    }
    return orders;
  });

/**
 * __folio_split() of a page-cache folio (folio_split(folio, new_order, split_at), from
 * truncate_inode_partial_folio(); the folio locked and unmapped, the caller holding a reference):
 * under the i_pages lock, check the folio is still in the xarray, freeze its refcount (1 + the
 * page cache's references), split (__split_unmapped_folio()), then for each new folio but the
 * first, in index order, unfreeze it and store it in its slot (__xa_store()); the original folio
 * is unfrozen last, "only after all page cache entries, which used to point to it, have been
 * updated with new folios". The split's references on the new folios are dropped at the end
 * (their locks are not modelled). Returns false (-EAGAIN) if the folio could not be frozen.
 * The store loop is __folio_split()'s at the fix; before the after-split code moved there, the
 * same unfreeze / __xa_store() pairs ran inside __split_unmapped_folio() after each step, which
 * for a split whose new folios all come from its last step stores in the same order.
 */
const folioSplit = (fixed: boolean) => {
  const __split_unmapped_folio = splitUnmappedFolio(fixed);
  return kernelFunction({ name: '__folio_split', file: 'mm/huge_memory.c', version: fixed ? SPLIT_FIXED : SPLIT_PRE, note: 'a page-cache folio, not mapped, within one xa_node; LRU, memcg, deferred split not modelled' },
    function* (t: Ctx, xa: Xarray, node: XaNode, pages: PagecacheFolio[], oldOrder: number, newOrder: number, splitAt: number): ThreadGen<boolean> {
      const folio = pages[0];
      yield t.lock(xa.xa_lock); // xas_lock(&xas) (IRQs off: not modelled)
      if ((yield t.load(node.slots[folio.at])) !== folio.pfn) { // xas_load(&xas) != folio
        yield t.unlock(xa.xa_lock);
        return false;
      }
      if (!(yield* folio_ref_freeze(t, folio, 1 + (1 << oldOrder)))) { // 1 + extra_pins
        yield t.unlock(xa.xa_lock);
        return false;
      }
      const orders = yield* __split_unmapped_folio(t, node, pages, oldOrder, newOrder, splitAt);
      const after = pages.slice(1);
      for (const nf of after) {
        yield* folio_ref_unfreeze(t, nf, 1 + (1 << orders.get(nf)!)); // folio_expected_ref_count(new_folio) + 1
        yield* __xa_store(t, node, nf.at, nf.pfn); // new_folio->index < end
      }
      yield* folio_ref_unfreeze(t, folio, 1 + (1 << orders.get(folio)!));
      yield t.unlock(xa.xa_lock);
      for (const nf of after) yield* folio_put(t, nf); // not the folio holding lock_at: unlocked and put
      return true;
    });
};

/** __folio_split() before 577a1f495fd7: xas_try_split() stores the folio being split at each step. */
export const __folio_split_v6_18 = folioSplit(false);
/** __folio_split() with 577a1f495fd7: xas_try_split() stores the original (frozen) folio. */
export const __folio_split = folioSplit(true);
