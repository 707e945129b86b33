// §3.1 / U3.d: page-table freeing against the *hardware* walker. A CPU's paging-structure cache
// may still hold "walk through T" after the PMD entry is cleared; mmu_gather's order is unhook,
// invalidate (including paging-structure caches: freed_tables), free.
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { PTE_NONE, newPageTable, pmd_table, pmd_is_table, pmd_table_id } from '../include/linux/pgtable.ts';
import { FREED } from '../../engine/ops.ts';
import { newMm, table } from '../mm/mm.ts';
import { __tlb_remove_table, tlb_flush_mmu_tlbonly } from '../mm/mmu_gather.ts';
import { pmd_clear } from '../arch/x86/include/asm/pgtable.ts';
import { hwAccessBegin, hwAccessEnd, newHwInsn } from '../hw.ts';
import { variants, type Scenario } from '../scenario.ts';
import { ghostLoad } from '../ghost.ts';
import { I16 } from '../invariants.ts';

type Knob = 'free-before-flush';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const T = newPageTable(b, 0, [PTE_NONE]);
    const mm = newMm(b, pmd_table(0), [T], []);
    const pwc = b.loc('cpu0.paging_structure_cache', 1, (v) => (v ? `walks through T${v - 1}` : 'empty'));
    const insn = newHwInsn(b, cpus.cpu[0]);
    b.thread('CPU0 MMU', function* (t: Ctx) {
      // A speculative hardware page walk for an address under the PMD: through the cached
      // paging-structure entry if there is one, else from the PMD.
      yield* hwAccessBegin(t, insn);
      const c = yield t.load(pwc);
      let id = c ? c - 1 : -1;
      if (id < 0) {
        const pmd = yield t.load(mm.pmd);
        if (pmd_is_table(pmd)) { id = pmd_table_id(pmd); yield t.store(pwc, id + 1); }
      }
      if (id >= 0) {
        const T2 = table(mm, id);
        if (!c) t.depends('addr', mm.pmd); // the MMU's walk: the PTE address comes from the PMD entry read
        // The MMU fetches the entry whatever became of the table; walking a freed table through a
        // stale paging-structure cache is I16 (TLB coherence on free), reported at that fetch.
        t.mayBeFreed();
        const v = yield t.load(T2.entries[0]);
        yield t.assert(v !== FREED, I16, () => `CPU0's MMU walks ${T2.name}[0] through its paging-structure cache after ${T2.name} was freed`);
      }
      yield* hwAccessEnd(t, insn);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // free_pgtables() -> free_pte_range(): unhook, invalidate TLB + paging-structure caches, free.
      yield* pmd_clear(t, mm);
      const flush = () => tlb_flush_mmu_tlbonly(t, [{ cache: pwc, insn }]);
      if (knob !== 'free-before-flush') yield* flush();
      yield* __tlb_remove_table(t, T);
      if (knob === 'free-before-flush') yield* flush();
    });
  };
}

export const pagingStructureCacheScenario: Scenario = {
  name: 'table-free-vs-hardware-walker',
  description: 'freeing a detached PTE table that a CPU\'s paging-structure cache still points into (§3.1, §3.6a, U3.d)',
  seed: '003', section: '§3',
  variants: variants<Knob>('table-free-vs-hardware-walker', make, [
    { name: 'safe', ref: '§3', expected: 'ok', description: 'unhook, then invalidate the TLB and paging-structure caches (waiting for walks in flight), then free' },
    { name: 'free-before-flush', kernels: 'a hypothetical change to v6.12', ref: 'U3.d', expected: 'I16', description: 'the table is freed before the invalidation: the CPU\'s cached walk goes through freed memory' },
  ]),
};
