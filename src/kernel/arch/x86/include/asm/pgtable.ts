// x86 PMD writers (arch/x86/include/asm/pgtable.h set_pmd_at, pmd_clear, pmdp_huge_get_and_clear;
// arch/x86/include/asm/pgalloc.h pmd_populate): one store of the PMD entry each.
import type { Ctx, ThreadGen } from '../../../../../engine/ops.ts';
import { _PAGE_RW, type Pmd } from '../../../../include/linux/pgtable.ts';
import { MAINLINE, kernelFunction } from '../../../../kfn.ts';

const pgtableH = (name: string) => ({ name, file: 'arch/x86/include/asm/pgtable.h', version: MAINLINE });

/** pmdp_set_wrprotect(): clears _PAGE_RW of a huge PMD (a locked bit clear: an atomic RMW). */
export const pmdp_set_wrprotect = kernelFunction(pgtableH('pmdp_set_wrprotect'), function* (t: Ctx, p: Pmd): ThreadGen<void> {
  yield t.rmw(p.pmd, (v) => v & ~_PAGE_RW);
});

/** set_pmd_at(): installs a PMD entry (a huge leaf). */
export const set_pmd_at = kernelFunction(pgtableH('set_pmd_at'), function* (t: Ctx, p: Pmd, value: number): ThreadGen<void> {
  yield t.store(p.pmd, value);
});

/** pmd_clear(): the PMD entry becomes none. */
export const pmd_clear = kernelFunction(pgtableH('pmd_clear'), function* (t: Ctx, p: Pmd): ThreadGen<void> {
  yield t.store(p.pmd, 0);
});

/** pmdp_huge_get_and_clear(): an xchg in the kernel; the model's caller ignores the old value (a store). */
export const pmdp_huge_get_and_clear = kernelFunction(pgtableH('pmdp_huge_get_and_clear'), function* (t: Ctx, p: Pmd): ThreadGen<void> {
  yield t.store(p.pmd, 0);
});

/** pmd_populate(): the PMD entry points to a PTE table (`value` = pmd_table(id)). */
export const pmd_populate = kernelFunction({ name: 'pmd_populate', file: 'arch/x86/include/asm/pgalloc.h', version: MAINLINE },
  function* (t: Ctx, p: Pmd, value: number): ThreadGen<void> {
    yield t.store(p.pmd, value);
  });
