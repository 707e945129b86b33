// GUP-fast (mm/gup.c: get_user_pages_fast, pin_user_pages_fast, gup_fast, gup_fast_pud_range,
// gup_fast_pmd_range, gup_fast_pmd_leaf, gup_fast_pte_range, try_grab_folio_fast, try_get_folio,
// gup_put_folio, unpin_user_page; docs/design/protocols.md §1) and the put of a page it returned
// (put_page). Walks current->mm with IRQs off, grabs a folio reference with add-unless-zero, then
// rechecks that the page is still in that folio, the PMD and the PTE. Each function is declared
// with kernelFunction() (kfn.ts): its kernel file and the versions the model follows, and the
// label its steps carry in traces.
//
// The rechecks compare raw entry values, as the kernel's pte_val()/pmd_val() comparisons do: an
// entry that went A -> B -> A between the read and the recheck passes (gup-fast-vs-zap --variant
// refault explores that). Whether the page GUP returns was really mapped there after the grab (I8)
// is judged by ghost reads of the entries at the grab, never by the code's own comparisons.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import { raw_seqcount_try_begin, read_seqcount_retry } from '../include/linux/seqlock.ts';
import type { Cpu } from '../cpus.ts';
import { local_irq_disable, local_irq_enable } from '../include/linux/irqflags.ts';
import { folio_get, folio_put, folio_put_refs, folio_ref_try_add, type Folio } from '../include/linux/page_ref.ts';
import { do_wp_page, type CowReuse } from './memory.ts';
import {
  pmd_access_permitted, pmd_is_table, pmd_pfn, pmd_table_id, pmd_trans_huge, pmd_write, pte_pfn,
  pmdp_get_lockless, pte_present, pte_write, pud_none, pud_table_id, showPmd, showPte, type PageTable,
} from '../include/linux/pgtable.ts';
import { ghostLoad } from '../ghost.ts';
import { MAINLINE, kernelFunction, modelStep } from '../kfn.ts';
import { smp_mb__after_atomic } from '../include/asm-generic/barrier.ts';
import { folio as folioAt, pmdTable, table, type Mm } from './mm.ts';
import { I6, I8 } from '../invariants.ts';

import { GUP_PIN_COUNTING_BIAS, gup_must_unshare } from '../include/linux/mm.ts';
export { GUP_PIN_COUNTING_BIAS };

/**
 * What gup_fast() leaves out compared with today's code: an older kernel's version (the
 * bug-history variants) or a change a patch could make (rows U1 of docs/design/variants.md).
 */
export interface GupKnobs {
  /** U1.a: no PTE recheck after the grab. */
  noPteRecheck?: boolean;
  /**
   * U1.c / U8.a, the kernel before 70cbc3cc78a9 (v3.19–v5.19): gup_fast_pte_range() does not
   * recheck *pmd after the grab. (gup_fast_pmd_leaf() always rechecked its *pmd.)
   */
  noPmdRecheck?: boolean;
  /**
   * try_get_folio()'s recheck that the page is still in the folio it grabbed: 'retry' (v5.18+:
   * put and look again, the default), 'fail' (c24d37322548, v5.14–v5.17 try_get_compound_head():
   * put and return NULL), 'none' (v4.5–v5.13, before c24d37322548; U1.b).
   */
  folioRecheck?: 'retry' | 'fail' | 'none';
  /** gup_fast_pmd_leaf() without its *pmd recheck after the grab (a change a patch could make). */
  noPmdLeafRecheck?: boolean;
  /** gup_fast_pmd_leaf() without pmd_access_permitted() (a change a patch could make). */
  noPmdAccessPermitted?: boolean;
  /** U1.e: FOLL_PIN without the mm->write_protect_seq bracket. */
  ignoreWriteProtectSeq?: boolean;
  /** try_grab_folio() before 088b8aa537c2 (v5.19–v6.0): no smp_mb__after_atomic() after the pin (U1.d). */
  noMbAfterPin?: boolean;
  /** gup_must_unshare() before 088b8aa537c2: no smp_rmb() before PageAnonExclusive(). */
  noMustUnshareRmb?: boolean;
}

/** The FOLL_* flags the model knows: FOLL_WRITE and FOLL_PIN. */
export interface GupFlags {
  write?: boolean;
  pin?: boolean;
}

/** A page gup_fast() returned, with the folio its references were taken on. */
export interface Gotten {
  page: number;
  /** The folio the reference was taken on (gup_put_folio must drop it there: I6). */
  folio: Folio;
  refs: number;
}

const V = MAINLINE;
const gupC = (name: string, version = V) => ({ name, file: 'mm/gup.c', version });

/** page_folio(): follows page->compound_head where the scenario models it. */
export const page_folio = kernelFunction({ name: 'page_folio', file: 'include/linux/page-flags.h', version: V },
  function* (t: Ctx, mm: Mm, pfn: number): ThreadGen<Folio> {
    const ch = mm.compound_head.get(pfn);
    if (ch === undefined) return folioAt(mm, pfn);
    const head = yield t.load(ch);
    return folioAt(mm, head === 0 ? pfn : head);
  });

/**
 * try_get_folio() (v5.18+; try_get_compound_head() before): grab the folio page_folio() names,
 * then recheck that the page is still in it (see GupKnobs.folioRecheck for the versions).
 */
export const try_get_folio = kernelFunction(gupC('try_get_folio', 'v4.5–v6.18'),
  function* (t: Ctx, mm: Mm, pfn: number, refs: number, knobs: GupKnobs): ThreadGen<Folio | null> {
  const recheck = knobs.folioRecheck ?? 'retry';
  for (;;) {
    const folio = yield* page_folio(t, mm, pfn);
    if (!(yield* folio_ref_try_add(t, folio, refs))) return null;
    if (recheck === 'none') return folio;
    const again = yield* page_folio(t, mm, pfn);
    if (again === folio) return folio;
    // Split or freed+reused between the two reads: drop the ref on the folio it was taken on.
    yield* folio_put_refs(t, folio, refs);
    if (recheck === 'fail') return null;
  }
});

/** try_grab_folio_fast(): FOLL_GET takes 1; FOLL_PIN on a small folio takes GUP_PIN_COUNTING_BIAS. */
export const try_grab_folio_fast = kernelFunction(gupC('try_grab_folio_fast'),
  function* (t: Ctx, mm: Mm, pfn: number, flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
    const folio = yield* try_get_folio(t, mm, pfn, 1, knobs);
    if (!folio) return null;
    if (flags.pin) {
      // folio_ref_add(): atomic_add(), which orders nothing by itself
      yield t.fetchAdd(folio._refcount, GUP_PIN_COUNTING_BIAS - 1, Mode.Relaxed);
      // "Adjust the pincount before re-checking the PTE for changes. This is essentially a
      // smp_mb() and is paired with a memory barrier in folio_try_share_anon_rmap_*()."
      if (!knobs.noMbAfterPin) yield smp_mb__after_atomic(t);
      return { page: pfn, folio, refs: GUP_PIN_COUNTING_BIAS };
    }
    return { page: pfn, folio, refs: 1 };
  });

/** The ghost side of I6 (model code): the folio a put reaches now is the one the reference was taken on. */
function* checkPutFolio(t: Ctx, g: Gotten, now: Folio): ThreadGen<void> {
  yield t.assert(now === g.folio, I6, () => `CPU${t.tid} drops its reference on page ${g.page} through ${now.name}, but took it on ${g.folio.name}`);
}

/** gup_put_folio(): the put goes to page_folio(page) of *now*; I6 requires it is the one gotten. */
export const gup_put_folio = kernelFunction(gupC('gup_put_folio'),
  function* (t: Ctx, mm: Mm, g: Gotten): ThreadGen<void> {
    const now = yield* page_folio(t, mm, g.page);
    yield* checkPutFolio(t, g, now);
    yield* folio_put_refs(t, now, g.refs);
  });

/** unpin_user_page(): the end of a FOLL_PIN (or FOLL_GET) GUP reference: gup_put_folio(). */
export const unpin_user_page = kernelFunction(gupC('unpin_user_page'),
  (t: Ctx, mm: Mm, g: Gotten): ThreadGen<void> => gup_put_folio(t, mm, g));

/**
 * put_page() of a page a holder got one reference on (FOLL_GET): folio_put(page_folio(page)).
 * I6 requires that folio to be the one the reference was taken on.
 */
export const put_page = kernelFunction({ name: 'put_page', file: 'include/linux/mm.h', version: V },
  function* (t: Ctx, mm: Mm, g: Gotten): ThreadGen<void> {
    const now = yield* page_folio(t, mm, g.page);
    yield* checkPutFolio(t, g, now);
    yield* folio_put(t, now);
  });

/** One entry the walker went through: where it read it, what it read, how traces print it. */
interface Walked {
  loc: Loc;
  val: number;
  name: string;
  show: (v: number) => string;
}

/**
 * The ghost side of I8 (model code). `seen` are ghost reads of the walked entries right before the
 * grab; an entry is fine if it still held what the walker read then, or if the code reread it
 * unchanged after the grab (`rechecked`). Otherwise the page was not mapped at the address, through
 * the tables walked, at any instant after the reference was taken. With `write`, the entry it was
 * mapped through must also allow writing.
 */
const checkGupValid = modelStep('(check)',
  function* (t: Ctx, pfn: number, path: Walked[], seen: number[], rechecked: boolean[], writable: boolean, write: boolean): ThreadGen<void> {
    const bad = path.findIndex((w, i) => !rechecked[i] && seen[i] !== w.val);
    yield t.assert(bad < 0 && (!write || writable), I8, () => bad >= 0
      ? `gup_fast on CPU${t.tid} returns page ${pfn}, but when it took the reference ${path[bad].name} was already ${path[bad].show(seen[bad])}, no longer ${path[bad].show(path[bad].val)}`
      : `gup_fast on CPU${t.tid} returns page ${pfn} for writing, but ${path[path.length - 1].name} maps it read-only: ${path[path.length - 1].show(path[path.length - 1].val)}`);
  });

/** Ghost reads of every walked entry (right before the grab). */
function* ghostWalk(t: Ctx, path: Walked[]): ThreadGen<number[]> {
  const seen: number[] = [];
  for (const w of path) seen.push(yield* ghostLoad(t, w.loc));
  return seen;
}

/**
 * gup_fast() for one address (index `idx` in the PTE table): returns the grabbed page or null
 * (the caller would fall back to the slow path). An mm with a PUD (`mm.pud`, hugetlb PMD sharing)
 * is walked from the PUD; otherwise from its one PMD.
 */
export const gup_fast = kernelFunction(gupC('gup_fast'),
  function* (t: Ctx, cpu: Cpu, mm: Mm, idx: number, flags: GupFlags, knobs: GupKnobs = {}): ThreadGen<Gotten | null> {
  // gup_fast_fallback(): a FOLL_PIN marks the mm first (fork() then checks its pages for pins).
  if (flags.pin && mm.MMF_HAS_PINNED !== undefined) yield* mm_set_has_pinned_flag(t, mm.MMF_HAS_PINNED);
  let seq = 0;
  const bracket = flags.pin && mm.write_protect_seq !== undefined && !knobs.ignoreWriteProtectSeq;
  if (bracket) {
    const s = yield* raw_seqcount_try_begin(t, mm.write_protect_seq!);
    if (s === null) return null; // fork in progress
    seq = s;
  }
  yield* local_irq_disable(t, cpu);
  const got = mm.pud !== undefined
    ? yield* gup_fast_pud_range(t, mm, idx, flags, knobs)
    : yield* gup_fast_pmd_range(t, mm, [], { loc: mm.pmd, val: 0, name: '*pmd', show: showPmd }, idx, flags, knobs);
  yield* local_irq_enable(t, cpu);
  if (got && bracket && (yield* read_seqcount_retry(t, mm.write_protect_seq!, seq))) {
    yield* gup_put_folio(t, mm, got); // gup_fast_unpin_user_pages()
    return null;
  }
  return got;
});

/** mm_set_has_pinned_flag(): set MMF_HAS_PINNED unless it is set (test_bit(), set_bit(): no ordering). */
const mm_set_has_pinned_flag = kernelFunction(gupC('mm_set_has_pinned_flag'), function* (t: Ctx, flag: Loc): ThreadGen<void> {
  if (!(yield t.load(flag))) yield t.rmw(flag, () => 1, Mode.Relaxed);
});

/** get_user_pages_fast(): gup_fast() with FOLL_GET (the slow-path fallback is not modeled). */
export const get_user_pages_fast = kernelFunction(gupC('get_user_pages_fast'),
  (t: Ctx, cpu: Cpu, mm: Mm, idx: number, flags: GupFlags, knobs: GupKnobs = {}): ThreadGen<Gotten | null> =>
    gup_fast(t, cpu, mm, idx, flags, knobs));

/** pin_user_pages_fast(): gup_fast() with FOLL_PIN (the slow-path fallback is not modeled). */
export const pin_user_pages_fast = kernelFunction(gupC('pin_user_pages_fast'),
  (t: Ctx, cpu: Cpu, mm: Mm, idx: number, flags: GupFlags, knobs: GupKnobs = {}): ThreadGen<Gotten | null> =>
    gup_fast(t, cpu, mm, idx, { ...flags, pin: true }, knobs));

/**
 * gup_fast_pud_range(): the PUD, then the PMD table it points to (entry 0). No PUD recheck: that
 * the table is still this mm's when the walker uses it is what huge_pmd_unshare()'s IPI is for (B18).
 */
const gup_fast_pud_range = kernelFunction(gupC('gup_fast_pud_range'),
  function* (t: Ctx, mm: Mm, idx: number, flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
    const pudp = mm.pud!;
    const pud = yield t.load(pudp); // READ_ONCE(*pudp)
    if (pud_none(pud)) return null;
    const S = pmdTable(mm, pud_table_id(pud));
    // pmd_offset_lockless(pudp, pud, addr): the PMD's address comes from the pud value read.
    t.depends('addr', pudp);
    return yield* gup_fast_pmd_range(t, mm, [], { loc: S.entries[0], val: 0, name: `${S.name}[0]`, show: showPmd }, idx, flags, knobs);
  });

/** gup_fast_pmd_range() for one PMD: pmdp_get_lockless(), then a huge leaf or the PTE table. */
const gup_fast_pmd_range = kernelFunction(gupC('gup_fast_pmd_range'),
  function* (t: Ctx, mm: Mm, path: Walked[], pmdp: Walked, idx: number, flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
    const pmd = yield* pmdp_get_lockless(t, pmdp.loc, mm.pae);
    const at = [...path, { ...pmdp, val: pmd }];
    if (pmd_trans_huge(pmd)) return yield* gup_fast_pmd_leaf(t, mm, at, flags, knobs);
    if (!pmd_is_table(pmd)) return null; // !pmd_present(): none, or an invalidated huge entry
    return yield* gup_fast_pte_range(t, mm, at, idx, flags, knobs);
  });

/**
 * gup_fast_pmd_leaf(): pmd_access_permitted(), grab the huge folio, then recheck that *pmdp still
 * holds the value read (pmd_val(orig) != pmd_val(*pmdp)).
 */
const gup_fast_pmd_leaf = kernelFunction(gupC('gup_fast_pmd_leaf'),
  function* (t: Ctx, mm: Mm, path: Walked[], flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
  const pmdp = path[path.length - 1];
  const orig = pmdp.val;
  if (!knobs.noPmdAccessPermitted && !pmd_access_permitted(orig, !!flags.write)) return null;
  const pfn = pmd_pfn(orig);
  const seen = yield* ghostWalk(t, path);
  const got = yield* try_grab_folio_fast(t, mm, pfn, flags, knobs);
  if (!got) return null;
  const rechecked = path.map(() => false);
  if (!knobs.noPmdLeafRecheck) {
    if ((yield t.load(pmdp.loc)) !== orig) { yield* gup_put_folio(t, mm, got); return null; }
    rechecked[path.length - 1] = true;
  }
  yield* checkGupValid(t, pfn, path, seen, rechecked, pmd_write(orig), !!flags.write);
  return got;
});

/**
 * gup_fast_pte_range() for one entry: the PTE table of the pmd value read (pte_offset_map()),
 * ptep_get_lockless(), pte_access_permitted(), grab, then recheck *pmdp (since 70cbc3cc78a9)
 * and the PTE against the values read.
 */
const gup_fast_pte_range = kernelFunction(gupC('gup_fast_pte_range'),
  function* (t: Ctx, mm: Mm, path: Walked[], idx: number, flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
  const pmdp = path[path.length - 1];
  const T = table(mm, pmd_table_id(pmdp.val)); // pte_offset_map(&pmd): the table of the snapshot
  // ptep = pte_offset_map(&pmd, addr) computes the PTE's address from the pmd value just read, so
  // the PTE load carries an address dependency on it (LKMM: addr).
  t.depends('addr', pmdp.loc);
  const pte = yield t.load(T.entries[idx]); // ptep_get_lockless
  if (!pte_present(pte) || (flags.write && !pte_write(pte))) return null; // pte_access_permitted()
  const pfn = pte_pfn(pte);
  const walked = [...path, { loc: T.entries[idx], val: pte, name: `${T.name}[${idx}]`, show: showPte }];
  const seen = yield* ghostWalk(t, walked);
  const got = yield* try_grab_folio_fast(t, mm, pfn, flags, knobs);
  if (!got) return null;
  // A recheck that found the entry unchanged witnesses an instant after the grab (I8 holds).
  const rechecked = walked.map(() => false);
  if (!knobs.noPmdRecheck) {
    if ((yield t.load(pmdp.loc)) !== pmdp.val) { yield* gup_put_folio(t, mm, got); return null; }
    rechecked[path.length - 1] = true;
  }
  if (!knobs.noPteRecheck) {
    const again = yield t.load(T.entries[idx]);
    if (again !== pte) { yield* gup_put_folio(t, mm, got); return null; }
    rechecked[walked.length - 1] = true;
  }
  // A read-only FOLL_PIN of an anon page needs it to be exclusive (else: unshare in the slow path).
  if (!pte_write(pte) && flags.pin && !flags.write && (yield* gup_must_unshare(t, got.folio, { noRmb: knobs.noMustUnshareRmb }))) {
    yield* gup_put_folio(t, mm, got);
    return null;
  }
  yield* checkGupValid(t, pfn, walked, seen, rechecked, pte_write(pte), !!flags.write);
  return got;
});

/** What the slow path does when the PTE does not allow the access: the fault, with the kernel's COW rule. */
export interface GupFault {
  /** The page a write fault on a read-only COW PTE would copy into. */
  copy: Folio;
  /** do_wp_page()'s reuse rule of the kernel modeled (mm/memory.ts). */
  reuse: CowReuse;
}

/**
 * __get_user_pages() for one address (the slow path, with the mmap lock held for read):
 * follow_page_pte() under the PTL takes a reference on a page the PTE allows (try_grab_page());
 * otherwise faultin_page() -> handle_mm_fault(): for FOLL_WRITE on a read-only COW PTE that is
 * do_wp_page(), after which the lookup is retried. From 17839856fd58 (v5.8) until a308c71bf1e6
 * (v5.9) should_force_cow_break() added FOLL_WRITE for FOLL_GET/FOLL_PIN on COW mappings; the
 * caller passes the flags the kernel of its variant used.
 */
export const __get_user_pages = kernelFunction({ name: '__get_user_pages', file: 'mm/gup.c', version: 'v5.8–v6.18', note: 'one PTE; follow_page_pte() and faultin_page() inlined' },
  function* (t: Ctx, mm: Mm, T: PageTable, idx: number, flags: GupFlags, fault: GupFault): ThreadGen<Gotten | null> {
    for (;;) {
      yield t.lock(T.ptl); // follow_page_pte(): pte_offset_map_lock()
      const pte = yield t.load(T.entries[idx]);
      if (pte_present(pte) && (!flags.write || pte_write(pte))) {
        const folio = folioAt(mm, pte_pfn(pte));
        yield* folio_get(t, folio); // try_grab_page(FOLL_GET)
        yield t.unlock(T.ptl);
        return { page: pte_pfn(pte), folio, refs: 1 };
      }
      yield t.unlock(T.ptl);
      if (!pte_present(pte)) return null; // (not modeled: faulting a page in)
      yield* do_wp_page(t, T, idx, folioAt(mm, pte_pfn(pte)), fault.copy, fault.reuse); // faultin_page(FAULT_FLAG_WRITE)
    }
  });
