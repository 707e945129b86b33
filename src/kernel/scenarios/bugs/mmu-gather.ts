// Bug-history scenario of mmu_gather's nested-flush handling: B12, 7a30df49f63a. Since
// dd2283f2605e (v4.20) munmap() zaps and frees page tables with the mmap lock downgraded to read,
// so another thread's MADV_DONTNEED can batch on the same mm at the same time; tlb_finish_mmu()
// then sees mm_tlb_flush_nested() and, before the fix, rebuilt the range with __tlb_reset_range(),
// dropping freed_tables. arm64's tlb_flush() (since v4.20 it relies on freed_tables instead of a
// synchronous TLBI in __pte_free_tlb()) then invalidated the leaf entries only (TLBI VALE1IS): a
// CPU's walk cache kept its link to the PTE table munmap freed.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { PTE_NONE, newPageTable, pmd_table } from '../../include/linux/pgtable.ts';
import { newTlbFlushPending } from '../../include/linux/mm_types.ts';
import { MMU_GATHER_V5_1, MMU_GATHER_V5_2 } from '../../include/asm-generic/tlb.ts';
import { newMm } from '../../mm/mm.ts';
import { free_pgtables } from '../../mm/memory.ts';
import { tlb_finish_mmu, tlb_gather_mmu } from '../../mm/mmu_gather.ts';
import { arm64_tlb_flush } from '../../arch/arm64/include/asm/tlb.ts';
import { mmuAccessBegin, mmuAccessEnd, mmuTranslate, newMmu } from '../../hw.ts';
import { variants, type Scenario } from '../../scenario.ts';

type Knob = 'pre-fix' | 'fixed';

function makeNested(knob: Knob | undefined) {
  return (b: Builder) => {
    const code = knob === 'pre-fix' ? MMU_GATHER_V5_1 : MMU_GATHER_V5_2;
    const cpus = new Cpus(b, 3);
    const T = newPageTable(b, 0, [PTE_NONE]); // the munmapped range's PTE table (its pages already zapped)
    const mm = newMm(b, pmd_table(0), [T], []);
    newTlbFlushPending(b, mm);
    // An arm64 CPU running the process: its walk cache links *pmd -> T0 from an earlier access.
    const mmu = newMmu(b, cpus.cpu[0], { flush: 'broadcast', pwc: pmd_table(0) });
    b.thread('CPU0 MMU', function* (t: Ctx) {
      // A (speculative) walk for an address in the range: through the walk cache if it still
      // holds the link, else from the PMD.
      yield* mmuAccessBegin(t, mmu);
      yield* mmuTranslate(t, mmu, mm, 0);
      yield* mmuAccessEnd(t, mmu);
    });
    b.thread('CPU1 munmap', function* (t: Ctx) {
      // unmap_region() after downgrade_write(): tlb_gather_mmu(), unmap_vmas() (nothing left to
      // zap), free_pgtables(): the PMD is cleared and T0 goes to the gather (freed_tables,
      // cleared_pmds); tlb_finish_mmu(tlb, start, end).
      const cpu = cpus.cpu[1];
      const tlb = yield* tlb_gather_mmu(t, { mm, cpus, cpu, mmus: [mmu], archFlush: arm64_tlb_flush, code });
      yield* free_pgtables(t, tlb, mm);
      yield* tlb_finish_mmu(t, tlb, [0, 1]);
    });
    b.thread('CPU2 madvise', function* (t: Ctx) {
      // Another thread's MADV_DONTNEED of its own stack (pthread_exit()), mmap lock held for read:
      // zap_page_range() gathers on the same mm (its PTEs are elsewhere and not modeled).
      const cpu = cpus.cpu[2];
      const tlb = yield* tlb_gather_mmu(t, { mm, cpus, cpu, mmus: [mmu], archFlush: arm64_tlb_flush, code });
      yield* tlb_finish_mmu(t, tlb, [2, 3]);
    });
  };
}

export const nestedFlushScenario: Scenario = {
  name: 'munmap-vs-madvise-nested-flush',
  description: 'munmap() freeing a page table under the read-held mmap lock while another thread\'s MADV_DONTNEED batches on the same mm, on arm64 (bug B12, 7a30df49f63a)',
  seed: '003', section: '§3',
  variants: variants<Knob>('munmap-vs-madvise-nested-flush', makeNested, [
    { name: 'pre-fix', commit: '7a30df49f63a', fixes: 'dd2283f2605e', kernels: 'v4.20–v5.1 (before 7a30df49f63a)', ref: '§3', expected: 'I16',
      description: 'tlb_finish_mmu() sees the MADV_DONTNEED gather (mm_tlb_flush_nested()), resets the range and with it freed_tables, re-adds the range: arm64 flushes the leaf entries only (TLBI VALE1IS), the table is RCU-freed, and CPU0\'s walk cache still goes through it' },
    { name: 'fixed', commit: '7a30df49f63a', fixes: 'dd2283f2605e', kernels: 'v5.2+', ref: '§3', expected: 'ok',
      description: '7a30df49f63a: on a nested flush, tlb->fullmm = 1 and freed_tables = 1 after __tlb_reset_range(): arm64 flushes the whole ASID, walk cache included, before the table is freed' },
  ]),
};
