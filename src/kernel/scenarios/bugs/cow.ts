// B20 (17839856fd58, gup: document and work around "COW can break either way" issue): after
// fork() a private anon page X is shared read-only by parent and child. The child takes a
// read-only GUP reference on X (vmsplice(), a FOLL_GET) and then unmaps X. The parent writes:
// before v5.8 do_wp_page() reused a page that was mapped only once (reuse_swap_page()), so the
// parent made X writable again and wrote into the page the child's GUP reference still reaches.
// The fix made GUP break COW for FOLL_GET on COW mappings (GUP-fast refuses read-only PTEs, the
// slow path adds FOLL_WRITE), so the child's reference is on its own copy. Later kernels closed
// it differently: v5.9 reuses only at page_count() 1 (09854ba94c6a, and a308c71bf1e6 removed
// the forced COW break again), v5.19 decides by PageAnonExclusive.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { newFolio, type Folio } from '../../include/linux/page_ref.ts';
import { ghostWord } from '../../ghost.ts';
import { newAnonFolio } from '../../include/linux/page-flags.ts';
import { _PAGE_PRESENT, mk_pte, newPageTable, pmd_table, pte_pfn, pte_present, pte_write, showPte } from '../../include/linux/pgtable.ts';
import { newMm, folio as folioAt } from '../../mm/mm.ts';
import { __get_user_pages, gup_fast } from '../../mm/gup.ts';
import { do_wp_page, zap_pte_range, type CowReuse } from '../../mm/memory.ts';
import { variants, type Scenario } from '../../scenario.ts';
import { I15 } from '../../invariants.ts';

type Knob = 'pre-fix' | 'fixed' | 'page-count-reuse';

/** The kernel of each variant: whether GUP breaks COW for a read, and do_wp_page()'s reuse rule. */
const KERNEL: Record<Knob | 'safe', { breakCow: boolean; reuse: CowReuse }> = {
  'pre-fix': { breakCow: false, reuse: 'mapcount' }, // v5.0–v5.7
  'fixed': { breakCow: true, reuse: 'mapcount' }, // v5.8
  'page-count-reuse': { breakCow: false, reuse: 'page_count' }, // v5.9–v5.18
  'safe': { breakCow: false, reuse: 'anon-exclusive' }, // v5.19+
};

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const k = KERNEL[knob ?? 'safe'];
    const cpus = new Cpus(b, 2);
    const anon = knob === undefined;
    // X after fork: mapped read-only by both (two references, two mappings), not AnonExclusive.
    const mk = (name: string, pfn: number, refs: number, mapcount: number): Folio => (anon
      ? newAnonFolio(b, name, pfn, refs, { exclusive: false, mapcount })
      : newFolio(b, name, pfn, refs, { mapcount }));
    const X = mk('X', 1, 2, 2);
    const Cc = mk('Cc', 2, 0, 0); // the child's copy, if its COW is broken
    const Cp = mk('Cp', 3, 0, 0); // the parent's copy, if the parent's write copies
    const Tp = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT)]);
    const Tc = newPageTable(b, 1, [mk_pte(1, _PAGE_PRESENT)]);
    const parent = newMm(b, pmd_table(0), [Tp], [X, Cc, Cp], { pmdName: 'parent_pmd' });
    const child = newMm(b, pmd_table(1), [Tc], [X, Cc, Cp], { pmdName: 'child_pmd' });
    const got = ghostWord(b, 'child_gup_page');
    b.thread('CPU0', function* (t: Ctx) {
      // The child: get_user_pages_fast(addr, 1, 0, &page) (a read, FOLL_GET, e.g. vmsplice()),
      // then munmap(addr) (or the page is reclaimed); the reference is kept.
      let g = yield* gup_fast(t, cpus.cpu[0], child, 0, { write: k.breakCow });
      if (!g) g = yield* __get_user_pages(t, child, Tc, 0, { write: k.breakCow }, { copy: Cc, reuse: k.reuse });
      if (g) yield t.store(got, g.page);
      yield* zap_pte_range(t, child, Tc, 0);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // The parent writes addr: a write fault on its read-only PTE, then the store lands.
      yield* do_wp_page(t, Tp, 0, X, Cp, k.reuse);
      const pte = yield t.load(Tp.entries[0]);
      if (pte_present(pte) && pte_write(pte)) yield t.store(folioAt(parent, pte_pfn(pte)).data, 2); // the parent's secret
    });
    b.final((s) => {
      const p = s.value(got);
      const pte = s.value(Tp.entries[0]);
      if (!p || !(pte_present(pte) && pte_write(pte) && pte_pfn(pte) === p)) return null;
      return { invariant: I15, message: `the child's GUP reference is on pfn ${p}, which the parent now maps writable (${showPte(pte)}) and writes: the reference is no longer tied to the child's mm` };
    });
  };
}

export const cowEitherWayScenario: Scenario = {
  name: 'gup-vs-cow-reuse-after-fork',
  description: 'a read-only GUP reference taken by the child on a page shared with the parent after fork(), the child\'s unmap and the parent\'s write fault (B20, 17839856fd58)',
  seed: '000', section: '§1',
  variants: variants<Knob>('gup-vs-cow-reuse-after-fork', make, [
    { name: 'safe', ref: '§1', expected: 'ok', kernels: 'v5.19–v6.18',
      description: 'today: GUP-fast follows the read-only PTE, but do_wp_page() reuses a page only if it is AnonExclusive or nobody else holds a reference (wp_can_reuse_anon_folio()): the child\'s reference makes the parent copy' },
    { name: 'pre-fix', ref: '§1', expected: 'I15', commit: '17839856fd58', kernels: 'v5.0–v5.7',
      description: 'the kernel before 17839856fd58: GUP-fast follows the read-only PTE; after the child unmaps, X is mapped once, so the parent\'s do_wp_page() (reuse_swap_page()) reuses it and writes into the page the child\'s reference reaches' },
    { name: 'fixed', ref: '§1', expected: 'ok', commit: '17839856fd58', kernels: 'v5.8',
      description: '17839856fd58: GUP-fast refuses a read-only PTE (FOLL_WRITE for the fast path), and the slow path sets FOLL_WRITE on a COW mapping: the child\'s COW is broken first, its reference is on its own copy' },
    { name: 'page-count-reuse', ref: '§1', expected: 'ok', kernels: 'v5.9–v5.18',
      origin: 'the kernel after 09854ba94c6a ("mm: do_wp_page() simplification") and a308c71bf1e6 ("mm/gup: Remove enfornced COW mechanism"): GUP no longer breaks COW; do_wp_page() reuses only at page_count() 1',
      description: 'the child\'s reference keeps X\'s page_count above 1, so the parent copies' },
  ]),
};
