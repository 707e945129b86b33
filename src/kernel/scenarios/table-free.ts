// §3: freeing a detached PTE table while lockless walkers may still be inside it. GUP-fast runs
// with IRQs off (blocks both IPIs and RCU grace periods); pte_offset_map() users hold only
// rcu_read_lock() with IRQs on (an IPI does not wait for them).
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { newFolio } from '../include/linux/page_ref.ts';
import { alloc_pages } from '../include/linux/gfp.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_table, type PageTable } from '../include/linux/pgtable.ts';
import { newVma } from '../include/linux/mm_types.ts';
import { newMm } from '../mm/mm.ts';
import { gup_fast, put_page } from '../mm/gup.ts';
import { pte_free, pte_free_defer, tlb_finish_mmu, tlb_gather_mmu, tlb_remove_table, type GatherSpec } from '../mm/mmu_gather.ts';
import { MMU_GATHER_MAINLINE } from '../include/asm-generic/tlb.ts';
import { collapse_pte_mapped_thp } from '../mm/khugepaged.ts';
import { zapPteRangeReclaim } from '../mm/pt_reclaim.ts';
import { pte_offset_map_lock, pte_unmap } from '../mm/pgtable-generic.ts';
import { variants, type Scenario } from '../scenario.ts';

// ---------------------------------------------------------------- U3.a / U3.b: vs GUP-fast
type GupKnob = 'ipi-sync' | 'immediate-pte-free' | 'batch-fail-no-sync' | 'call-rcu-preempt-flavour';

function makeGup(knob: GupKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const P = newFolio(b, 'P', 1, 2); // page cache + the mapping
    const Q = newFolio(b, 'Q', 7, 1); // whatever page the garbage "PTE" names
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]);
    const mm = newMm(b, pmd_table(0), [T], [P, Q]);
    const vma = newVma(b, 'vma', { mm, shared: true }); // a shared file mapping; P is the file's (huge) folio
    b.thread('CPU0', function* (t: Ctx) {
      const g = yield* gup_fast(t, cpus.cpu[0], mm, 0, { write: false });
      if (g) yield* put_page(t, mm, g);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // collapse_pte_mapped_thp(): clear the PTEs, then detach the (now empty) table and free it
      // (pmdp_collapse_flush's TLB flush is a broadcast: no IPI to wait for).
      const cpu = cpus.cpu[1];
      const freeTable = (T: PageTable): ThreadGen<void> => {
        if (knob === undefined) return pte_free_defer(t, cpus, cpu, T);
        if (knob === 'immediate-pte-free') return pte_free(t, T);
        const spec: GatherSpec = knob === 'call-rcu-preempt-flavour'
          // the batch's tlb_table_flush() -> call_rcu() of the rcu_preempt flavour
          ? { mm, cpus, cpu, tableRcu: 'rcu_preempt' }
          // pte_free_tlb() -> tlb_remove_table() with the batch allocation failing
          : { mm, cpus, cpu, batchAllocFails: true, code: { ...MMU_GATHER_MAINLINE, removeTableOne: knob === 'ipi-sync' ? 'ipi' : 'immediate' } };
        return (function* () {
          const tlb = yield* tlb_gather_mmu(t, spec);
          yield* tlb_remove_table(t, tlb, T);
          yield* tlb_finish_mmu(t, tlb);
        })();
      };
      yield* collapse_pte_mapped_thp(t, cpus, cpu, vma, P, { freeTable });
    });
    b.thread('CPU2', function* (t: Ctx) {
      yield* alloc_pages(t, T, mk_pte(7, _PAGE_PRESENT | _PAGE_RW));
    });
  };
}

export const tableFreeGupScenario: Scenario = {
  name: 'table-free-vs-gup-fast',
  description: 'khugepaged detaching and freeing a PTE table while IRQs-off GUP-fast walks it; the page is then reused (§3, U3.a/b)',
  seed: '003', section: '§3',
  variants: variants<GupKnob>('table-free-vs-gup-fast', makeGup, [
    { name: 'safe', ref: '§3', expected: 'ok', description: 'pte_free_defer(): the table is freed from an RCU callback, after IRQs-off walkers are done' },
    { name: 'ipi-sync', kernels: "~v6.9: tlb_remove_table_one()'s IPI fallback", ref: '§3', expected: 'ok', description: 'tlb_remove_table() whose batch allocation failed, with the ~v6.9 fallback tlb_remove_table_sync_one() then free (as 2ba99c5e0881 added to khugepaged): the IPI waits for the IRQs-off walker' },
    { name: 'immediate-pte-free', kernels: 'khugepaged before 2ba99c5e0881 (2022)', ref: 'U3.a', expected: 'I1', description: 'pte_free() right after the broadcast TLB flush (khugepaged before 2022): the walker reads the reused page as a PTE table' },
    { name: 'batch-fail-no-sync', kernels: 'a hypothetical change to the ~v6.9 fallback', ref: 'U3.b', expected: 'I1', description: 'tlb_remove_table() whose batch allocation failed frees the table at once, without tlb_remove_table_sync_one()' },
    { name: 'call-rcu-preempt-flavour', kernels: 'a hypothetical change to a pre-v5.0 CONFIG_PREEMPT kernel', ref: '§3', origin: 'a hypothetical change to a pre-v5.0 CONFIG_PREEMPT kernel, not its code: those kernels freed tables with call_rcu_sched() precisely because call_rcu() (the rcu_preempt flavour) does not wait for IRQs-off walkers', expected: 'I14', description: 'the table freed by call_rcu() (rcu_preempt) instead of the call_rcu_sched() a pre-v5.0 CONFIG_PREEMPT kernel used: its grace period ends while IRQs-off GUP-fast is still walking the table it is about to free (I14)' },
  ]),
};

// ---------------------------------------------------------------- U3.c = U4.d: vs pte_offset_map
type MapKnob = 'ipi-then-free';

function makeMap(knob: MapKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const T = newPageTable(b, 0, [PTE_NONE]);
    const mm = newMm(b, pmd_table(0), [T], []);
    b.thread('CPU0', function* (t: Ctx) {
      // e.g. a zap_pte_range() caller: pte_offset_map_lock() under RCU with IRQs on.
      const cpu = cpus.cpu[0];
      const m = yield* pte_offset_map_lock(t, cpu, mm);
      if (!m) return;
      yield t.load(m.T.entries[0]);
      yield t.unlock(m.T.ptl);
      yield* pte_unmap(t, cpu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // MADV_DONTNEED with PT reclaim: T is empty; detach it under PTL(T) + trylock(PML), then free.
      yield* zapPteRangeReclaim(t, cpus, cpus.cpu[1], mm, knob === 'ipi-then-free' ? 'ipi' : 'rcu');
    });
  };
}

export const tableFreeMapScenario: Scenario = {
  name: 'table-free-vs-pte-offset-map',
  description: 'PT reclaim freeing an empty PTE table while a pte_offset_map_lock() user (RCU, IRQs on) is inside it (§3.5, §4, U3.c = U4.d)',
  seed: '001', section: '§4',
  variants: variants<MapKnob>('table-free-vs-pte-offset-map', makeMap, [
    { name: 'safe', ref: '§4', expected: 'ok', description: 'the table is freed through RCU (PT reclaim requires MMU_GATHER_RCU_TABLE_FREE)' },
    { name: 'ipi-then-free', kernels: 'a hypothetical change to v6.12 (PT reclaim with the IPI fallback)', ref: 'U3.c', expected: 'I1', description: 'single-table free by IPI + immediate free: the RCU reader with IRQs on takes the IPI at once and then locks the freed table\'s PTL (U3.c = U4.d)' },
  ]),
};
