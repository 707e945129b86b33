// Seed 001, weak memory: a new PTE table published by pmd_install() (mm/memory.c) while a
// lockless walker (GUP-fast here; pte_offset_map*() and __find_linux_pte() walk the same way)
// follows *pmd into it. pte_alloc_one() hands out a zeroed page, but the page held something
// else before (here: a PTE-looking word of its previous life). pmd_install() has smp_wmb()
// before pmd_populate(): "Ensure all pte setup (eg. pte page lock and page clearing) are visible
// before the pte is made visible to other CPUs"; the walker's side is the address dependency
// from the *pmd it read to the PTE it loads (declared in gup_fast_pte_range()).
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { newFolio } from '../include/linux/page_ref.ts';
import { _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable } from '../include/linux/pgtable.ts';
import { newMm } from '../mm/mm.ts';
import { pmd_install, pte_alloc_one } from '../mm/memory.ts';
import { get_user_pages_fast, put_page } from '../mm/gup.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I8 } from '../invariants.ts';

function make(knob: 'no-wmb-in-pmd-install' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const X = newFolio(b, 'X', 7, 1); // another owner's page, named by the stale word
    // T0 is the page pte_alloc_one() returns: its memory still holds the previous owner's data.
    const T = newPageTable(b, 0, [mk_pte(7, _PAGE_PRESENT | _PAGE_RW)]);
    const mm = newMm(b, 0, [T], [X]); // *pmd none: nothing mapped here yet
    b.thread('CPU0', function* (t: Ctx) {
      // A fault on the range: __pte_alloc() -> pte_alloc_one() (the page is cleared), pmd_install().
      yield* pte_alloc_one(t, T);
      yield* pmd_install(t, mm, T, { noWmb: knob === 'no-wmb-in-pmd-install' });
    });
    b.thread('CPU1', function* (t: Ctx) {
      const g = yield* get_user_pages_fast(t, cpus.cpu[1], mm, 0, { write: true });
      if (g) {
        yield t.assert(g.page !== 7, I8, () => `gup_fast on CPU1 returns page 7, which was never mapped at the address: it read ${T.name}[0] as it was before pte_alloc_one() cleared it`);
        yield* put_page(t, mm, g);
      }
    });
  };
}

export const pmdInstallScenario: Scenario = {
  name: 'pmd-install-vs-lockless-walker',
  description: 'pmd_install() publishing a freshly cleared PTE table while GUP-fast walks into it without locks (§4, weak memory)',
  seed: '001', section: '§4',
  variants: variants('pmd-install-vs-lockless-walker', make, [
    { name: 'safe', ref: '§4', expected: 'ok', model: 'lkmm', description: 'smp_wmb() in pmd_install() before pmd_populate(), paired with the walker\'s address dependency *pmd -> PTE' },
    { name: 'no-wmb-in-pmd-install', kernels: 'a hypothetical change to v6.12', ref: '§4', expected: 'I8', model: 'lkmm', barrierDrop: true, description: 'barrier drop: no smp_wmb() in pmd_install(): the walker sees the new *pmd but the table\'s old contents, and grabs a page of another owner (LKMM only)' },
  ]),
};
