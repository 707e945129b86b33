// §2 / U2.a–d: ptep_get_lockless() on 32-bit PAE against a PTE writer. I13 is a property of the
// caller. GUP-fast uses the value it reads without any recheck under a lock, so it must never get
// a torn value: it reads with IRQs off, the writer's TLB-flush IPI cannot complete during the read,
// hence within one read the entry moves in one direction only, and low/high/low returns an untorn
// present value (pae-ptep-get-lockless). handle_pte_fault() reads with IRQs on and may get a torn
// value, but it acts on nothing before rechecking the entry under the PTL
// (pae-handle-pte-fault).
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { local_irq_disable, local_irq_enable } from '../include/linux/irqflags.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { PAE_PRESENT, newPaePte, newPaePteLocked, native_pte_clear, native_set_pte } from '../arch/x86/include/asm/pgtable-3level.ts';
import { ptep_get_lockless, type PaeReader } from '../include/linux/pgtable.ts';
import { handle_pte_fault, pmd_install, type PaePteLocked, type PaePteVal } from '../mm/memory.ts';
import { newPageTable, pmd_table, pmdp_get_lockless_sync } from '../include/linux/pgtable.ts';
import { newMm } from '../mm/mm.ts';
import { __pte_offset_map, pmdp_collapse_flush, pte_unmap } from '../mm/pgtable-generic.ts';
import { flush_tlb_mm_range } from '../arch/x86/mm/tlb.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I13 } from '../invariants.ts';

type Knob = 'two-loads-low-high' | 'two-loads-high-low' | 'writer-present-to-present' | 'reader-irqs-on';

const L1 = 0x11, H1 = 0x1, L2 = 0x21, H2 = 0x2, H3 = 0x3;

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    // U2.b starts from a none entry that the writer makes present; the others from (L1,H1).
    const startNone = knob === 'two-loads-high-low';
    const pte = newPaePte(b, startNone ? 0 : L1, startNone ? 0 : H1);
    const stored = startNone ? [[L2, H2]] : knob === 'writer-present-to-present' ? [[L1, H1], [L2, H2]] : [[L1, H1], [L2, H2], [L1, H3]];
    const reader: PaeReader = knob === 'two-loads-low-high' ? 'low-high' : knob === 'two-loads-high-low' ? 'high-low' : 'low-high-low';

    b.thread('CPU0', function* (t: Ctx) {
      const cpu = cpus.cpu[0];
      if (knob === 'reader-irqs-on') yield* rcu_read_lock(t, cpu);
      else yield* local_irq_disable(t, cpu);
      const [lo, hi] = yield* ptep_get_lockless(t, pte, reader);
      if (knob === 'reader-irqs-on') yield* rcu_read_unlock(t, cpu);
      else yield* local_irq_enable(t, cpu);
      // The caller is GUP-fast's gup_fast_pte_range(): it uses a present value as it is.
      const ok = !(lo & PAE_PRESENT) || stored.some(([l, h]) => l === lo && h === hi);
      yield t.assert(ok, I13, () => `ptep_get_lockless() on CPU0 returned present (low 0x${lo.toString(16)}, high 0x${hi.toString(16)}), a value never stored in the PTE, to a caller that uses it without a recheck`);
    });

    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      if (startNone) {
        yield* native_set_pte(t, pte, L2, H2); // set_pte()
        return;
      }
      if (knob === 'writer-present-to-present') {
        // A helper that replaces one present value by another with two plain stores.
        yield* native_set_pte(t, pte, L2, H2);
        return;
      }
      // zap, flush, remap; then again (the second change ends with the low word it began with).
      for (const [l, h] of [[L2, H2], [L1, H3]]) {
        yield* native_pte_clear(t, pte); // pte_clear()
        yield* flush_tlb_mm_range(t, cpus, cpu);
        yield* native_set_pte(t, pte, l, h); // set_pte()
      }
    });
  };
}

export const paeScenario: Scenario = {
  name: 'pae-ptep-get-lockless',
  description: 'ptep_get_lockless() low/high/low on 32-bit PAE against a zap/flush/remap writer (§2)',
  seed: '000',
  section: '§2',
  variants: variants<Knob>('pae-ptep-get-lockless', make, [
    { name: 'safe', ref: '§2', expected: 'ok',
      description: 'GUP-fast\'s read: IRQs off, the low/high/low retry loop; writer goes present -> none -> IPI flush -> present' },
    { name: 'two-loads-low-high', kernels: 'a hypothetical change to v6.12', ref: 'U2.a/b', expected: 'I13',
      description: 'reader loads low then high once, without rereading low: a concurrent clear tears it' },
    { name: 'two-loads-high-low', kernels: 'a hypothetical change to v6.12', ref: 'U2.a/b', expected: 'I13',
      description: 'reader loads high then low once: a concurrent none -> present set tears it (U2.b)' },
    { name: 'writer-present-to-present', kernels: 'a hypothetical change to v6.12', ref: 'U2.c', expected: 'I13',
      description: 'writer replaces a present entry by another present one with two plain stores, breaking the "via not-present + flush" rule' },
    { name: 'reader-irqs-on', ref: 'U2.d', expected: 'I13', kernels: 'a hypothetical change to v6.12',
      description: 'a caller that trusts the value (GUP-fast) reading with only rcu_read_lock(), IRQs on: the flush IPI does not wait for it and two remaps fit in one read. A hypothetical change: mainline GUP-fast reads with IRQs off, and mainline\'s IRQs-on caller, handle_pte_fault(), rechecks under the PTL before it acts (pae-handle-pte-fault)' },
  ]),
};
// ---------------------------------------------------------------- handle_pte_fault(): IRQs on, recheck under the PTL
type FaultKnob = 'no-pte-unmap-same';

function makeFault(knob: FaultKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const p: PaePteLocked = newPaePteLocked(b, L1, H1);
    const whole: PaePteVal[] = [[L1, H1], [L2, H2], [L1, H3]];
    b.thread('CPU0', (t: Ctx) => handle_pte_fault(t, cpus.cpu[0], p, whole, { noPteUnmapSame: knob === 'no-pte-unmap-same' }));
    b.thread('CPU1', function* (t: Ctx) {
      // zap_pte_range() under the PTL, then a fault mapping a new page under the PTL; twice (the
      // second remap ends with the low word the entry began with). The zap's flush IPI between
      // them is left out: CPU0 reads with IRQs on, so it would not wait for CPU0 anyway.
      for (const [l, h] of [[L2, H2], [L1, H3]]) {
        yield t.lock(p.ptl);
        yield* native_pte_clear(t, p); // pte_clear()
        yield t.unlock(p.ptl);
        yield t.lock(p.ptl);
        yield* native_set_pte(t, p, l, h); // set_pte_at()
        yield t.unlock(p.ptl);
      }
    });
  };
}

export const paeFaultScenario: Scenario = {
  name: 'pae-handle-pte-fault',
  description: 'handle_pte_fault() reading a 32-bit PAE PTE with ptep_get_lockless() and IRQs on, against zap and remap under the PTL (§2)',
  seed: '000', section: '§2',
  variants: variants<FaultKnob>('pae-handle-pte-fault', makeFault, [
    { name: 'safe', ref: '§2', expected: 'ok', kernels: 'v6.13–v6.18',
      description: 'mainline: the IRQs-on read may be torn, but every handler rechecks under the PTL (pte_same(), pte_unmap_same(), vmf_pte_changed()) before it acts' },
    { name: 'no-pte-unmap-same', ref: '§2', expected: 'I13', kernels: 'a hypothetical change to v6.13',
      origin: 'a change a patch could make: dropping pte_unmap_same()\'s PAE-only (sizeof(pte_t) > sizeof(long)) recheck from do_swap_page()',
      description: 'do_swap_page() without pte_unmap_same(): a half-written entry (low word 0, the new high word) read with IRQs on is taken for a swap entry and acted on' },
  ]),
};

// ---------------------------------------------------------------- pmdp_get_lockless(): the PMD on PAE
type PmdKnob = 'no-irqs-off-bracket' | 'no-lockless-sync';

function makePmd(knob: PmdKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    // Three PTE tables; T1 and T3 have the same low word (their pfns differ above 4 GiB only).
    const T1 = newPageTable(b, 0x105, [0], 'T1');
    const T2 = newPageTable(b, 0x206, [0], 'T2');
    const T3 = newPageTable(b, 0x305, [0], 'T3');
    const mm = newMm(b, pmd_table(T1.id), [T1, T2, T3], [], { pae: true });
    b.thread('CPU0', function* (t: Ctx) {
      // A pte_offset_map() user under RCU only (pte_offset_map_ro_nolock(), say): the PMD value
      // __pte_offset_map() reads is the table it walks, with no recheck.
      const cpu = cpus.cpu[0];
      const m = yield* __pte_offset_map(t, cpu, mm, { noLocklessBracket: knob === 'no-irqs-off-bracket' });
      if (m) yield* pte_unmap(t, cpu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // khugepaged retracts the table (pmdp_collapse_flush(), then pmdp_get_lockless_sync()); a
      // fault installs a new one (pmd_install()); twice. (The retracted tables' pte_free_defer()
      // is left out: an RCU callback, it would not delay the writer.)
      const cpu = cpus.cpu[1];
      for (const T of [T2, T3]) {
        yield t.lock(mm.pml);
        yield* pmdp_collapse_flush(t, mm, { returnsOld: true });
        if (knob !== 'no-lockless-sync') yield* pmdp_get_lockless_sync(t, cpus, cpu, true);
        yield t.unlock(mm.pml);
        yield* pmd_install(t, mm, T);
      }
    });
  };
}

export const paePmdScenario: Scenario = {
  name: 'pae-pmdp-get-lockless',
  description: '__pte_offset_map() reading a 32-bit PAE PMD with pmdp_get_lockless() against retract_page_tables() and refaults (§2)',
  seed: '000', section: '§2',
  variants: variants<PmdKnob>('pae-pmdp-get-lockless', makePmd, [
    { name: 'safe', ref: '§2', expected: 'ok', kernels: 'v6.5–v6.18',
      description: '__pte_offset_map() reads between pmdp_get_lockless_start() and _end() (IRQs off), and the retract waits for it with pmdp_get_lockless_sync(): at most one change lands during the low/high/low loop' },
    { name: 'no-irqs-off-bracket', ref: '§2', expected: 'I13', kernels: 'a hypothetical change to v6.5',
      origin: 'a change a patch could make: __pte_offset_map() without pmdp_get_lockless_start()/_end() on PAE (RCU only, IRQs on)',
      description: 'the reader holds only rcu_read_lock(): the sync IPI does not wait for it, two retract + refault rounds fit in its loop, and the PMD it returns is T2\'s high word with T1\'s (= T3\'s) low word' },
    { name: 'no-lockless-sync', ref: '§2', expected: 'I13', kernels: 'a hypothetical change to v6.5',
      origin: 'a change a patch could make: retract_page_tables() without pmdp_get_lockless_sync() after pmdp_collapse_flush()',
      description: 'the retract does not wait for the IRQs-off reader: two retract + refault rounds fit in its loop and the PMD it uses as a table pointer is torn' },
  ]),
};
