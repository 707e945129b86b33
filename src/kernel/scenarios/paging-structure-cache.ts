// §3.1 / U3.d: page-table freeing against the *hardware* walker. A CPU's paging-structure cache
// may still hold "walk through T" after the PMD entry is cleared; mmu_gather's order is unhook,
// invalidate (including paging-structure caches: freed_tables), free. The variants 'safe' and
// 'free-before-flush' run on an architecture with broadcast invalidation (arm64); 'pre-fix' and
// 'fixed' are x86 with RCU table freeing (HAVE_RCU_TABLE_FREE, v4.14+) whose flush is an IPI, on
// the path of bug B11 (d86564a2f085): the batch page for tlb_remove_table() cannot be allocated.
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { PTE_NONE, newPageTable, pmd_table } from '../include/linux/pgtable.ts';
import { newMm } from '../mm/mm.ts';
import { free_pgtables } from '../mm/memory.ts';
import { __tlb_remove_table, tlb_finish_mmu, tlb_gather_mmu } from '../mm/mmu_gather.ts';
import { MMU_GATHER_V4_18, MMU_GATHER_V4_19 } from '../include/asm-generic/tlb.ts';
import { pmd_clear } from '../arch/x86/include/asm/pgtable.ts';
import { x86_tlb_flush } from '../arch/x86/mm/tlb.ts';
import { __flush_tlb_range } from '../arch/arm64/include/asm/tlbflush.ts';
import { mmuAccessBegin, mmuAccessEnd, mmuTranslate, newMmu } from '../hw.ts';
import { variants, type Scenario } from '../scenario.ts';

type Knob = 'free-before-flush' | 'pre-fix' | 'fixed';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const x86 = knob === 'pre-fix' || knob === 'fixed';
    const cpus = new Cpus(b, 2);
    const T = newPageTable(b, 0, [PTE_NONE]);
    const mm = newMm(b, pmd_table(0), [T], []);
    // CPU0's paging-structure cache holds the link *pmd -> T0 from an earlier access.
    const mmu = newMmu(b, cpus.cpu[0], { flush: x86 ? 'ipi' : 'broadcast', pwc: pmd_table(0) });
    b.thread('CPU0 MMU', function* (t: Ctx) {
      // A speculative hardware page walk for an address under the PMD: through the cached
      // paging-structure entry if there is one, else from the PMD.
      yield* mmuAccessBegin(t, mmu);
      yield* mmuTranslate(t, mmu, mm, 0);
      yield* mmuAccessEnd(t, mmu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      if (x86) {
        // munmap on x86 with RCU table freeing (paravirt, v4.14+): free_pgtables() ->
        // pte_free_tlb() -> tlb_remove_table(), whose batch page cannot be allocated, then
        // tlb_finish_mmu().
        const tlb = yield* tlb_gather_mmu(t, {
          mm, cpus, cpu, mmus: [mmu], archFlush: x86_tlb_flush, batchAllocFails: true,
          code: knob === 'pre-fix' ? MMU_GATHER_V4_18 : MMU_GATHER_V4_19,
        });
        yield* free_pgtables(t, tlb, mm);
        yield* tlb_finish_mmu(t, tlb);
        return;
      }
      // free_pgtables() -> free_pte_range() and the flush and free of tlb_finish_mmu(), in short:
      // unhook, invalidate TLB + paging-structure caches (TLBI VAE1IS), free.
      yield* pmd_clear(t, mm);
      const flush = () => __flush_tlb_range(t, [mmu], false);
      if (knob !== 'free-before-flush') yield* flush();
      yield* __tlb_remove_table(t, T);
      if (knob === 'free-before-flush') yield* flush();
    });
  };
}

export const pagingStructureCacheScenario: Scenario = {
  name: 'table-free-vs-hardware-walker',
  description: 'freeing a detached PTE table that a CPU\'s paging-structure cache still points into (§3.1, §3.6a, U3.d; bug B11)',
  seed: '003', section: '§3',
  variants: variants<Knob>('table-free-vs-hardware-walker', make, [
    { name: 'safe', ref: '§3', expected: 'ok', description: 'unhook, then invalidate the TLB and paging-structure caches (waiting for walks in flight), then free' },
    { name: 'free-before-flush', kernels: 'a hypothetical change to v6.12', ref: 'U3.d', expected: 'I16', description: 'the table is freed before the invalidation: the CPU\'s cached walk goes through freed memory' },
    { name: 'pre-fix', commit: 'd86564a2f085', kernels: 'v4.14–v4.18 (x86 with HAVE_RCU_TABLE_FREE, before d86564a2f085)', ref: '§3', expected: 'I16',
      origin: 'the x86 kernel before d86564a2f085 (v4.14–v4.18): HAVE_RCU_TABLE_FREE without tlb_table_invalidate()',
      description: 'x86, batch allocation failed: tlb_remove_table_one() sends an IPI (which waits for instructions, not for cached walks) and frees the table; the TLB and paging-structure caches are flushed only later, at tlb_finish_mmu(): CPU0\'s cached walk goes through the freed table' },
    { name: 'fixed', commit: 'd86564a2f085', kernels: 'v4.19+', ref: '§3', expected: 'ok',
      description: 'd86564a2f085: tlb_table_invalidate() — tlb_flush_mmu_tlbonly(), x86\'s IPI flush that empties the paging-structure caches — before tlb_remove_table_one() frees the table' },
  ]),
};
