// B10 (26c191788f18, 2012, CVE-2012-2373): mincore() walks the page tables holding mmap_sem for
// read, so a page fault may populate the PMD under it. On 32-bit PAE, `pmd_t pmdval = *pmd` in
// pmd_none_or_trans_huge_or_clear_bad() is two 32-bit loads; gcc ordered the high word first and
// reused the value in pte_offset_map_lock(). A fault's pmd_populate() (one cmpxchg8b) between the
// two loads gives high = 0 (none) and low = the new table's: a PMD pointing below 4 GiB, at a page
// that is no page table. The fix reads the low word first and the high word only after smp_rmb()
// if the low one is non-zero (pmd_read_atomic()).
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { kernelFunction } from '../../kfn.ts';
import { checkPmdUntorn, native_set_pmd, pmdPlainRead32, pmd_read_atomic } from '../../arch/x86/include/asm/pgtable-3level.ts';
import { newPageTable, pmd_none, pmd_table } from '../../include/linux/pgtable.ts';
import { newMm, type Mm } from '../../mm/mm.ts';
import { variants, type Scenario } from '../../scenario.ts';

type Knob = 'pre-fix' | 'fixed';

const PRE = 'v3.4 and earlier (32-bit PAE)';
const FIXED = 'v3.5–v6.1';
const V = 'v3.4–v3.5';

/**
 * pmd_none_or_trans_huge_or_clear_bad() (include/asm-generic/pgtable.h) with THP off: the pmdval
 * it tests is the one the caller goes on to use (the compiler keeps it across the inline).
 */
const pmd_none_or_trans_huge_or_clear_bad = kernelFunction(
  { name: 'pmd_none_or_trans_huge_or_clear_bad', file: 'include/asm-generic/pgtable.h', version: V },
  function* (t: Ctx, mm: Mm, fixed: boolean): ThreadGen<number> {
    return fixed ? yield* pmd_read_atomic(t, mm.pmd) : yield* pmdPlainRead32(t, mm.pmd, 'high-low');
  });

/** mincore_pmd_range() for one PMD: unmapped if none, else pte_offset_map_lock() on pmdval. */
const mincore_pmd_range = kernelFunction({ name: 'mincore_pmd_range', file: 'mm/mincore.c', version: V },
  function* (t: Ctx, mm: Mm, fixed: boolean): ThreadGen<void> {
    const pmdval = yield* pmd_none_or_trans_huge_or_clear_bad(t, mm, fixed);
    if (pmd_none(pmdval)) return; // mincore_unmapped_range()
    // mincore_pte_range() -> pte_offset_map_lock(mm, pmd, addr): pmd_page(pmdval) and its PTL.
    yield* checkPmdUntorn(t, mm, pmdval, 'uses as its PTE table in pte_offset_map_lock()');
  });

/** pmd_populate() of a new PTE table: set_pmd() -> native_set_pmd(), one cmpxchg8b. */
const pmd_populate = kernelFunction({ name: 'pmd_populate', file: 'arch/x86/include/asm/pgalloc.h', version: V },
  (t: Ctx, mm: Mm, v: number): ThreadGen<void> => native_set_pmd(t, mm.pmd, v));

/** __pte_alloc(): under mm->page_table_lock, populate the PMD if it is still none. */
const __pte_alloc = kernelFunction({ name: '__pte_alloc', file: 'mm/memory.c', version: V },
  function* (t: Ctx, mm: Mm, v: number): ThreadGen<void> {
    yield t.lock(mm.pml);
    if (pmd_none(yield t.load(mm.pmd))) yield* pmd_populate(t, mm, v);
    yield t.unlock(mm.pml);
  });

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    // The PTE table the fault allocates lives above 4 GiB (CONFIG_HIGHPTE): its id (pfn) is 0x105,
    // so the PMD's high word is 1 and its low word names 0x05.
    const T = newPageTable(b, 0x105, [0], 'T1');
    const mm = newMm(b, 0, [T], [], { pae: true });
    const fixed = knob !== 'pre-fix';
    // mincore() under mmap_sem (read).
    b.thread('CPU0', (t: Ctx) => mincore_pmd_range(t, mm, fixed));
    // A page fault in the range, also under mmap_sem (read).
    b.thread('CPU1', (t: Ctx) => __pte_alloc(t, mm, pmd_table(T.id)));
  };
}
export const pmdReadAtomicScenario: Scenario = {
  name: 'pae-pmd-walk-vs-pmd-populate',
  description: 'mincore() reading a 32-bit PAE *pmd under mmap_sem (read) while a page fault populates it (B10, 26c191788f18)',
  seed: '000', section: '§2',
  variants: variants<Knob>('pae-pmd-walk-vs-pmd-populate', make, [
    { name: 'pre-fix', ref: '§2', expected: 'I13', commit: '26c191788f18', kernels: PRE,
      description: 'pmd_none_or_trans_huge_or_clear_bad() reads `pmdval = *pmd`, which gcc splits into two 32-bit loads, high word first, and reuses in pte_offset_map_lock(): a pmd_populate() between the loads gives a zero high word with the new table\'s low word' },
    { name: 'fixed', ref: '§2', expected: 'ok', commit: '26c191788f18', kernels: FIXED,
      description: 'pmd_read_atomic(): the low word first, the high word after smp_rmb() only if the low word is non-zero (a PMD only goes from none to a table under mmap_sem read)' },
  ]),
};
