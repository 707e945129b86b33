// GUP-fast (mm/gup.c: get_user_pages_fast, pin_user_pages_fast, gup_fast, gup_fast_pte_range,
// gup_fast_pmd_leaf, try_grab_folio_fast, try_get_folio, gup_put_folio, unpin_user_page;
// docs/design/protocols.md §1) and the put of a page it returned (put_page). Walks current->mm with IRQs
// off, grabs a folio reference with add-unless-zero, then rechecks that the page is still in
// that folio, the PMD and the PTE. Each function is declared with kernelFunction() (kfn.ts):
// its kernel file and the versions the model follows, and the label its steps carry in traces.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import { raw_seqcount_try_begin, read_seqcount_retry } from '../include/linux/seqlock.ts';
import type { Cpu } from '../cpus.ts';
import { local_irq_disable, local_irq_enable } from '../include/linux/irqflags.ts';
import { folio_put, folio_put_refs, folio_ref_try_add, type Folio } from '../include/linux/page_ref.ts';
import {
  checkTableAlive, pmd_is_table, pmd_table_id, pmd_trans_huge, pte_pfn, pte_present, pte_write, showPmd, showPte,
} from '../include/linux/pgtable.ts';
import { ghostLoad } from '../ghost.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { smp_mb__after_atomic } from '../include/asm-generic/barrier.ts';
import { folio as folioAt, table, type Mm } from './mm.ts';
import { I6, I8 } from '../invariants.ts';

import { GUP_PIN_COUNTING_BIAS, gup_must_unshare } from '../include/linux/mm.ts';
export { GUP_PIN_COUNTING_BIAS };

/** The unsafe variants of gup_fast() (rows U1 of docs/design/variants.md). */
export interface GupKnobs {
  /** U1.a: no PTE recheck after the grab. */
  noPteRecheck?: boolean;
  /** U1.c / U8.a: no PMD recheck after the grab. */
  noPmdRecheck?: boolean;
  /** U1.b: no page_folio() recheck in try_get_folio(). */
  noFolioRecheck?: boolean;
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
const gupC = (name: string) => ({ name, file: 'mm/gup.c', version: V });

/** page_folio(): follows page->compound_head where the scenario models it. */
export const page_folio = kernelFunction({ name: 'page_folio', file: 'include/linux/page-flags.h', version: V },
  function* (t: Ctx, mm: Mm, pfn: number): ThreadGen<Folio> {
    const ch = mm.compound_head.get(pfn);
    if (ch === undefined) return folioAt(mm, pfn);
    const head = yield t.load(ch);
    return folioAt(mm, head === 0 ? pfn : head);
  });

/** try_get_folio(): grab, then recheck that the page is still in the folio that was grabbed. */
export const try_get_folio = kernelFunction(gupC('try_get_folio'),
  function* (t: Ctx, mm: Mm, pfn: number, refs: number, knobs: GupKnobs): ThreadGen<Folio | null> {
  for (;;) {
    const folio = yield* page_folio(t, mm, pfn);
    if (!(yield* folio_ref_try_add(t, folio, refs))) return null;
    if (knobs.noFolioRecheck) return folio;
    const again = yield* page_folio(t, mm, pfn);
    if (again === folio) return folio;
    // Split or freed+reused between the two reads: drop the ref on the folio it was taken on.
    yield* folio_put_refs(t, folio, refs);
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

/**
 * gup_fast() for one address (index `idx` in the PTE table): returns the grabbed page or null
 * (the caller would fall back to the slow path). I8 instrumentation: right before the grab the
 * walker takes a ghost look at *pmd and the PTE. If it returns a page, each entry must either
 * still have been what it walked at that moment or have been reread unchanged after the grab;
 * otherwise the page was not mapped at the address at any instant after the reference was taken.
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
  const got = yield* gup_fast_pte_range(t, mm, idx, flags, knobs);
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

/** gup_fast_pmd_leaf(): grab the huge folio, then recheck *pmd == orig. */
const gup_fast_pmd_leaf = kernelFunction(gupC('gup_fast_pmd_leaf'),
  function* (t: Ctx, mm: Mm, orig: number, flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
  const pfn = orig & 0xff;
  const ghostPmd = yield* ghostLoad(t, mm.pmd);
  const got = yield* try_grab_folio_fast(t, mm, pfn, flags, knobs);
  if (!got) return null;
  let seen = ghostPmd === orig;
  if (!knobs.noPmdRecheck) {
    if ((yield t.load(mm.pmd)) !== orig) { yield* gup_put_folio(t, mm, got); return null; }
    seen = true;
  }
  yield t.assert(seen, I8, () => `gup_fast on CPU${t.tid} returns huge page ${pfn}, but when it took the reference *pmd was already ${showPmd(ghostPmd)}`);
  return got;
});

/**
 * gup_fast_pte_range() for one entry (the model folds gup_fast_pgd_range() … gup_fast_pmd_range()
 * into it: one PMD, read once).
 */
const gup_fast_pte_range = kernelFunction(gupC('gup_fast_pte_range'),
  function* (t: Ctx, mm: Mm, idx: number, flags: GupFlags, knobs: GupKnobs): ThreadGen<Gotten | null> {
  const pmd = yield t.load(mm.pmd); // pmdp_get_lockless
  if (pmd_trans_huge(pmd)) return yield* gup_fast_pmd_leaf(t, mm, pmd, flags, knobs);
  if (!pmd_is_table(pmd)) return null; // none, or an invalidated huge entry
  const T = table(mm, pmd_table_id(pmd)); // pte_offset_map(&pmd): the table of the snapshot
  // gup_fast_pte_range(): ptep = pte_offset_map(&pmd, addr) computes the PTE's address from the
  // pmd value just read, so the PTE load carries an address dependency on it (LKMM: addr).
  t.depends('addr', mm.pmd);
  const pte = yield t.load(T.entries[idx]); // ptep_get_lockless
  yield* checkTableAlive(t, T, `reads ${T.name}[${idx}] in gup_fast_pte_range`);
  if (!pte_present(pte) || (flags.write && !pte_write(pte))) return null;
  const pfn = pte_pfn(pte);
  const ghostPmd = yield* ghostLoad(t, mm.pmd);
  const ghostPte = yield* ghostLoad(t, T.entries[idx]);
  const got = yield* try_grab_folio_fast(t, mm, pfn, flags, knobs);
  if (!got) return null;
  // A recheck that found the entry unchanged witnesses an instant after the grab (I8 holds).
  let pmdSeen = ghostPmd === pmd, pteSeen = ghostPte === pte;
  if (!knobs.noPmdRecheck) {
    const again = yield t.load(mm.pmd);
    if (again !== pmd) { yield* gup_put_folio(t, mm, got); return null; }
    pmdSeen = true;
  }
  if (!knobs.noPteRecheck) {
    const again = yield t.load(T.entries[idx]);
    yield* checkTableAlive(t, T, `rereads ${T.name}[${idx}] in gup_fast_pte_range`);
    if (again !== pte) { yield* gup_put_folio(t, mm, got); return null; }
    pteSeen = true;
  }
  // A read-only FOLL_PIN of an anon page needs it to be exclusive (else: unshare in the slow path).
  if (!pte_write(pte) && flags.pin && !flags.write && (yield* gup_must_unshare(t, got.folio, { noRmb: knobs.noMustUnshareRmb }))) {
    yield* gup_put_folio(t, mm, got);
    return null;
  }
  yield t.assert(pmdSeen && pteSeen,
    I8, () => `gup_fast on CPU${t.tid} returns page ${pfn}, but when it took the reference ${ghostPmd !== pmd ? `*pmd was already ${showPmd(ghostPmd)}, no longer ${showPmd(pmd)}` : `${T.name}[${idx}] was already ${showPte(ghostPte)}, no longer ${showPte(pte)}`}`);
  return got;
});
