// §1: GUP-fast's grab-reference-and-revalidate (seed 000: "First we load the PTE, then we grab a
// reference to the folio, then we check the page is still in that folio, then we recheck the
// PTE"). Four scenarios, one per recheck, each against the actor that makes it necessary.
import type { Ctx } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import type { Builder, Params } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { folioField, folio_put, folio_ref_freeze, folio_ref_unfreeze, newFolio } from '../include/linux/page_ref.ts';
import { folio_alloc } from '../include/linux/gfp.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_leaf, pmd_table, pte_pfn } from '../include/linux/pgtable.ts';
import { newMm } from '../mm/mm.ts';
import { get_user_pages_fast, gup_fast, pin_user_pages_fast, put_page, unpin_user_page, type GupKnobs } from '../mm/gup.ts';
import { do_anonymous_page, do_wp_page, zap_pte_range, type CowReuse, type ForkOpts } from '../mm/memory.ts';
import { dup_mmap } from '../kernel/fork.ts';
import { newAnonFolio } from '../include/linux/page-flags.ts';
import { __split_folio_to_order, copy_huge_pmd } from '../mm/huge_memory.ts';
import { collapse_huge_page, dataAtAddress, newCollapseRange } from '../mm/khugepaged.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I10, I15 } from '../invariants.ts';
import { ghostWord } from '../ghost.ts';

// ---------------------------------------------------------------- U1.a: zap + reuse
type ZapKnob = 'no-pte-recheck' | 'refault';

function makeZap(knob: ZapKnob | undefined) {
  return (b: Builder, params: Params) => {
    const walkers = params.walkers ?? 1;
    const cpus = new Cpus(b, 2 + walkers);
    const F = newFolio(b, 'F', 1, 1); // refcount 1: the mapping
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]);
    const mm = newMm(b, pmd_table(0), [T], [F]);
    F.holders.push({ loc: T.entries[0], holds: (v) => v !== PTE_NONE && pte_pfn(v) === 1, what: 'T0[0]' });
    // Thread i runs on CPU i: walker CPU0, zap CPU1, allocator CPU2, further walkers CPU3...
    // The walkers are identical (one body; each owns its CPU's word): explored up to permutation.
    const walker = function* (t: Ctx) {
      const g = yield* gup_fast(t, cpus.mine(t), mm, 0, { write: true }, { noPteRecheck: knob === 'no-pte-recheck' });
      if (g) yield* unpin_user_page(t, mm, g);
    };
    const walkerOn = (c: number) => ({ symmetric: 'walker', owns: [cpus.cpu[c].state] });
    b.thread('CPU0', walker, walkerOn(0));
    b.thread('CPU1', function* (t: Ctx) {
      yield* zap_pte_range(t, mm, T, 0); // munmap(a)
    });
    b.thread('CPU2', function* (t: Ctx) {
      // The page allocator hands the freed page to another owner; with 'refault', that owner is
      // the same process faulting at the same address again: the PTE goes back to the very value
      // GUP read (ABA), and GUP's raw-value recheck passes.
      yield t.assume(yield* folio_alloc(t, F));
      if (knob === 'refault') yield* do_anonymous_page(t, mm, T, 0, F);
    });
    for (let c = 3; c < 2 + walkers; c++) b.thread(`CPU${c}`, walker, walkerOn(c));
  };
}

export const gupZapScenario: Scenario = {
  name: 'gup-fast-vs-zap',
  description: 'gup_fast() against munmap of the page and its reuse by another owner (§1, U1.a)',
  seed: '000', section: '§1',
  variants: variants<ZapKnob>('gup-fast-vs-zap', makeZap, [
    { name: 'safe', ref: '§1', expected: 'ok', description: 'grab with add-unless-zero, then recheck PMD and PTE; the put of a failed recheck may be the last one' },
    { name: 'no-pte-recheck', kernels: 'a hypothetical change to v6.12', ref: 'U1.a', expected: 'I8', description: 'no PTE recheck after the grab: GUP returns a page that was unmapped (and maybe reused) before it took its reference' },
    { name: 'refault', ref: '§1', expected: 'ok', description: 'the kernel\'s protocol against an ABA on the PTE: the freed page is reallocated and faulted in at the same address, so the PTE holds again the value GUP read; the recheck compares raw values and passes, and the page GUP returns is mapped there (I8 holds)' },
  ], { walkers: { default: 1, min: 1, max: 8 } }),
};

// ---------------------------------------------------------------- U1.b: THP split (B5)
type SplitKnob = 'no-folio-recheck' | 'pre-fix' | 'fixed';

/** The GUP-fast of each variant: today's, U1.b, and B5's v5.13 / v5.14 code (no PMD recheck yet). */
const splitGup: Record<SplitKnob | 'safe', GupKnobs> = {
  'safe': {},
  'no-folio-recheck': { folioRecheck: 'none' },
  'pre-fix': { folioRecheck: 'none', noPmdRecheck: true },
  'fixed': { folioRecheck: 'fail', noPmdRecheck: true },
};

function makeSplit(knob: SplitKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    // Order-1 folio H = {pfn 1 (head), pfn 2 (tail)}, both mapped; refcount 3 = splitter + 2 mappings.
    const H = newFolio(b, 'H', 1, 3);
    const P2 = newFolio(b, 'P2', 2, 0); // the folio pfn 2 becomes after the split
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW), mk_pte(2, _PAGE_PRESENT | _PAGE_RW)]);
    const mm = newMm(b, pmd_table(0), [T], [H, P2]);
    const page2: ObjectFields['tail-page'] = { compound_head: b.loc('page2.compound_head', 1, (v) => (v ? `tail of pfn ${v}` : 'head')) };
    b.object('tail-page', 'page2', page2);
    const ch = page2.compound_head;
    const splitDone = ghostWord(b, 'split_done');
    mm.compound_head.set(2, ch);
    b.thread('CPU0', function* (t: Ctx) {
      const g = yield* gup_fast(t, cpus.cpu[0], mm, 1, { write: true }, splitGup[knob ?? 'safe']);
      if (g) yield* put_page(t, mm, g);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // split_folio(H): freeze with the expected count, make pfn 2 its own folio, unfreeze both.
      const ok = yield* folio_ref_freeze(t, H, 3);
      if (ok) {
        yield* __split_folio_to_order(t, ch, 0);
        yield* folio_ref_unfreeze(t, P2, 1); // its mapping
        yield t.store(P2.freed, 0);
        yield* folio_ref_unfreeze(t, H, 2); // splitter + its mapping
        yield t.store(splitDone, 1, Mode.Release); // (model sequencing: the unmap below comes after the split)
      }
      yield* folio_put(t, H);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // munmap of pfn 2 once it is a folio of its own.
      yield t.assume((yield t.load(splitDone, Mode.Acquire)) === 1);
      yield* zap_pte_range(t, mm, T, 1);
    });
  };
}

export const gupSplitScenario: Scenario = {
  name: 'gup-fast-vs-split',
  description: 'gup_fast() on a tail page against split of its order-1 folio and unmap of the new folio (§1, U1.b)',
  seed: '000', section: '§1',
  variants: variants<SplitKnob>('gup-fast-vs-split', makeSplit, [
    { name: 'safe', ref: '§1', expected: 'ok', description: 'try_get_folio() rechecks page_folio(page) after the grab and retries on the new folio' },
    { name: 'no-folio-recheck', kernels: 'a hypothetical change to v6.12 (v4.5–v5.13 lacked the recheck: the pre-fix variant)', ref: 'U1.b', expected: 'I6', description: 'no page_folio() recheck: the reference stays on the old head while the page now belongs to another folio' },
    { name: 'pre-fix', ref: '§1', expected: 'I6', commit: 'c24d37322548', fixes: '7aef4172c795', kernels: 'v4.5–v5.13',
      origin: 'the kernel before c24d37322548: try_get_compound_head() takes the reference on compound_head(page) as looked up before the grab, and (before 70cbc3cc78a9) gup_pte_range() rechecks only the PTE',
      description: 'try_get_compound_head() without a recheck: the split makes page 2 a folio of its own after the head was looked up, the PTE still maps page 2, and the reference stays on the old head (I6)' },
    { name: 'fixed', ref: '§1', expected: 'ok', commit: 'c24d37322548', fixes: '7aef4172c795', kernels: 'v5.14–v5.17',
      description: 'try_get_compound_head() rechecks compound_head(page) == head after the grab and, if the pages no longer belong together, drops the reference and fails (the caller falls back to the slow path)' },
  ]),
};

// ---------------------------------------------------------------- U1.c = U8.a: anon THP collapse
type CollapseKnob = 'no-pmd-recheck' | 'collapse-without-ipi';

function makeCollapse(knob: CollapseKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const range = newCollapseRange(b);
    const { mm } = range;
    const wrote = ghostWord(b, 'gup_wrote');
    b.thread('CPU0', function* (t: Ctx) {
      const g = yield* gup_fast(t, cpus.cpu[0], mm, 0, { write: true }, { noPmdRecheck: knob === 'no-pmd-recheck' });
      if (g) {
        yield t.store(g.folio.data, 1); // the device writes through the page GUP returned
        yield t.store(wrote, 1);
        yield* unpin_user_page(t, mm, g);
      }
    });
    b.thread('CPU1', function* (t: Ctx) {
      // khugepaged: collapse_huge_page() with the TLB flush a broadcast (no IPI of its own); the
      // kernel before 2ba99c5e0881 had no tlb_remove_table_sync_one() either.
      yield* collapse_huge_page(t, cpus, cpus.cpu[1], range, 0, knob === undefined ? 'v6.5' : 'v6.0');
    });
    b.final((s) => {
      if (!s.value(wrote)) return null;
      return dataAtAddress(s, range) === 1 ? null : { invariant: I10, message: 'the write GUP made through its page is lost: the address now maps the collapsed huge page, copied before the write' };
    });
  };
}

export const gupCollapseScenario: Scenario = {
  name: 'gup-fast-vs-collapse',
  description: 'gup_fast() against khugepaged collapsing the page table under it, with a broadcast TLB flush (§1, §8.4, U1.c = U8.a)',
  seed: '003', section: '§8',
  variants: variants<CollapseKnob>('gup-fast-vs-collapse', makeCollapse, [
    { name: 'safe', ref: '§8', expected: 'ok', description: 'GUP-fast rechecks *pmd after the grab (Yang Shi, 2022); collapse_huge_page() as today: tlb_remove_table_sync_one() after the clear, the old table deposited' },
    { name: 'no-pmd-recheck', ref: 'U1.c', expected: 'I8', also: ['I10'], kernels: 'v3.19–v5.19', commit: '70cbc3cc78a9', fixes: '2667f50e8b81',
      description: 'the kernel before 70cbc3cc78a9: GUP-fast rechecks the PTE only, and collapse_huge_page() has no IPI yet (2ba99c5e0881 came later): the detached table still shows the PTE, so GUP returns a page khugepaged copies away (I8) and the device write is lost (I10) (U1.c = U8.a)' },
    { name: 'collapse-without-ipi', ref: '§8', expected: 'ok', kernels: 'v6.0', commit: '70cbc3cc78a9', fixes: '2667f50e8b81',
      description: 'the kernel between 70cbc3cc78a9 and 2ba99c5e0881: GUP-fast\'s PMD recheck alone keeps it from returning the stale page (the IPI is needed for the table\'s lifetime: gup-fast-vs-collapse-table-free, B1)' },
  ]),
};

// ---------------------------------------------------------------- GUP-fast on a huge PMD vs fork
type HugeKnob = 'no-pmd-leaf-recheck' | 'no-pmd-access-permitted';

function makeHuge(knob: HugeKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const HP = newFolio(b, 'HP', 9, 1); // an anon THP, mapped by the parent's PMD only
    const mm = newMm(b, pmd_leaf(9), [], [HP]);
    b.thread('CPU0', function* (t: Ctx) {
      // get_user_pages_fast(FOLL_WRITE): the device will write into what it gets.
      const g = yield* get_user_pages_fast(t, cpus.cpu[0], mm, 0, { write: true }, {
        noPmdLeafRecheck: knob === 'no-pmd-leaf-recheck', noPmdAccessPermitted: knob === 'no-pmd-access-permitted',
      });
      if (g) yield* put_page(t, mm, g);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // fork(): copy_huge_pmd() shares the THP with the child and write-protects the parent's PMD.
      yield* copy_huge_pmd(t, mm, HP);
    });
  };
}

export const gupHugeForkScenario: Scenario = {
  name: 'gup-fast-huge-pmd-vs-fork',
  description: 'get_user_pages_fast(FOLL_WRITE) on an anon THP mapped by a huge PMD against fork() write-protecting that PMD (§1)',
  seed: '000', section: '§1',
  variants: variants<HugeKnob>('gup-fast-huge-pmd-vs-fork', makeHuge, [
    { name: 'safe', ref: '§1', expected: 'ok', description: 'gup_fast_pmd_leaf(): pmd_access_permitted() for FOLL_WRITE, grab the huge folio, recheck the PMD value: a PMD that fork() write-protected before or after the read is not returned for writing' },
    { name: 'no-pmd-leaf-recheck', ref: '§1', expected: 'I8', kernels: 'a hypothetical change to v6.12',
      origin: 'a change a patch could make: gup_fast_pmd_leaf() without its pmd_val(orig) != pmd_val(*pmdp) recheck after the grab',
      description: 'the leaf path trusts the PMD it read before the grab: fork() write-protects it in between, and GUP returns for writing a page now shared read-only with the child' },
    { name: 'no-pmd-access-permitted', ref: '§1', expected: 'I8', kernels: 'a hypothetical change to v6.12',
      origin: 'a change a patch could make: gup_fast_pmd_leaf() without pmd_access_permitted()',
      description: 'the leaf path does not check the PMD\'s write permission: after fork() GUP returns for writing a page mapped read-only (COW-shared with the child)' },
  ]),
};

// ---------------------------------------------------------------- U1.e: FOLL_PIN vs fork
type ForkKnob = 'ignore-write-protect-seq' | 'pre-fix' | 'fixed' | 'mb-after-seqcount-begin';

function makeFork(knob: ForkKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const P = newAnonFolio(b, 'P', 1, 1); // the parent's private anon page, mapped writable: AnonExclusive
    const C = newAnonFolio(b, 'C', 2, 0, { exclusive: false }); // the COW copy the parent's write fault would allocate
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]);
    const mm = newMm(b, pmd_table(0), [T], [P, C]);
    mm.write_protect_seq = b.loc('mm.write_protect_seq', 0);
    b.addField(mm.obj, 'write_protect_seq', mm.write_protect_seq);
    mm.MMF_HAS_PINNED = b.loc('mm.MMF_HAS_PINNED', 0);
    b.addField(mm.obj, 'MMF_HAS_PINNED', mm.MMF_HAS_PINNED);
    const pinned = ghostWord(b, 'pinned');
    // B8's variants are the kernel around 57efa1fe5957 (v5.10 / v5.11): fork() checks
    // mm->has_pinned and page_maybe_dma_pinned(), the fault reuses a page only at page_count() 1.
    const v510 = knob === 'pre-fix' || knob === 'fixed';
    const fork: ForkOpts = v510 ? { version: 'v5.9', noWriteProtectSeq: knob === 'pre-fix' } : { mbAfterSeqBegin: knob === 'mb-after-seqcount-begin' };
    const reuse: CowReuse = v510 ? 'page_count' : 'anon-exclusive';
    b.thread('CPU0', function* (t: Ctx) {
      const noSeq = knob === 'ignore-write-protect-seq' || knob === 'pre-fix';
      const g = yield* pin_user_pages_fast(t, cpus.cpu[0], mm, 0, { write: true }, { ignoreWriteProtectSeq: noSeq });
      if (g) yield t.store(pinned, g.page); // the pin is kept (an RDMA buffer)
    });
    b.thread('CPU1', function* (t: Ctx) {
      // fork(): dup_mmap() copies the VMA (the child's page table is not modeled).
      yield* dup_mmap(t, { mm, T, idx: 0 }, null, fork);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // The parent writes a: a write fault on a R/O page reuses it or copies it (do_wp_page()).
      yield* do_wp_page(t, T, 0, P, C, reuse);
    });
    b.final((s) => {
      if (!s.value(pinned)) return null;
      const p = s.value(pinned);
      const mapped = pte_pfn(s.value(T.entries[0]));
      if (mapped === p && (v510 || s.value((p === P.pfn ? P : C).PG_anon_exclusive) === 1)) return null;
      return { invariant: I15, message: `CPU0 holds a write pin on pfn ${p}, but ${mapped === p ? 'it is no longer AnonExclusive' : `the parent's address now maps pfn ${mapped}`}: DMA into the pinned page is invisible to the parent` };
    });
  };
}

export const gupForkScenario: Scenario = {
  name: 'gup-fast-pin-vs-fork',
  description: 'pin_user_pages_fast() against fork() write-protecting the parent and the parent\'s COW write fault (§1.3(6), U1.e, B8)',
  seed: '000', section: '§1',
  variants: variants<ForkKnob>('gup-fast-pin-vs-fork', makeFork, [
    { name: 'safe', ref: '§1', expected: 'ok', description: 'FOLL_PIN brackets the walk with mm->write_protect_seq and gives up if fork ran meanwhile; fork copies a maybe-pinned AnonExclusive page for the child' },
    { name: 'ignore-write-protect-seq', kernels: 'a hypothetical change to v6.12', ref: 'U1.e', expected: 'I15', description: 'no write_protect_seq bracket: a pin lands between fork\'s pin check and its write-protect; the parent\'s next write COWs away from the pinned page' },
    { name: 'pre-fix', ref: '§1', expected: 'I15', commit: '57efa1fe5957', fixes: 'f3c64eda3e50', kernels: 'v5.9–v5.10',
      origin: 'the kernel before 57efa1fe5957: copy_present_page() checks mm->has_pinned and page_maybe_dma_pinned(), but GUP-fast does not read mm->write_protect_seq, so a pin taken while fork write-protects is not seen',
      description: 'the kernel before 57efa1fe5957: fork\'s copy_present_page() sees neither mm->has_pinned nor a pinned page, GUP-fast pins and passes its PTE recheck, fork write-protects; the parent\'s write fault sees page_count() > 1 and copies away from the pinned page' },
    { name: 'fixed', ref: '§1', expected: 'ok', commit: '57efa1fe5957', fixes: 'f3c64eda3e50', kernels: 'v5.11–v5.18',
      description: '57efa1fe5957: fork copies inside mm->write_protect_seq; GUP-fast with FOLL_PIN reads the count before and after its walk and falls back when fork ran meanwhile' },
    { name: 'lkmm-write-protect-seq', ref: '§1', expected: 'I15', model: 'lkmm', finding: '§2',
      description: 'FINDING, to be confirmed (docs/weak-memory-findings.md §2): the kernel\'s own protocol under the LKMM; raw_write_seqcount_begin() orders the odd count before fork\'s later stores only (smp_wmb()), so fork can read the pin count before the count is visible while GUP-fast pins, fully ordered, and then reads the old count' },
    { name: 'lkmm-write-protect-seq-v5.11', ref: '§1', expected: 'I15', model: 'lkmm', finding: '§2', findingOf: 'fixed', kernels: 'v5.11–v5.18',
      description: 'FINDING §2 in B8\'s fixed kernel (57efa1fe5957, v5.11): the same write_protect_seq protocol under the LKMM, with that era\'s fork (mm->has_pinned, page_maybe_dma_pinned()) and COW rule (page_count())' },
    { name: 'mb-after-seqcount-begin', ref: '§1', expected: 'ok', model: 'lkmm', kernels: 'a proposed fix',
      origin: 'the fix proposed for docs/weak-memory-findings.md §2 (in no kernel): smp_mb() after raw_write_seqcount_begin() in copy_page_range()',
      description: 'smp_mb() after raw_write_seqcount_begin(): fork\'s odd count and GUP-fast\'s pin form a store-buffering pair with full barriers on both sides' },
  ]),
};
