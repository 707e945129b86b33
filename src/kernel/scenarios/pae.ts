// §2 / U2.a–d: ptep_get_lockless() on 32-bit PAE against a PTE writer. The reader runs with
// IRQs off, so the writer's TLB-flush IPI cannot complete during the read; hence within one read
// the entry moves in one direction only, and low/high/low returns an untorn present value (I13).
import type { Ctx } from '../../engine/ops.ts';
import { Cpus } from '../cpus.ts';
import { local_irq_disable, local_irq_enable } from '../include/linux/irqflags.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { PAE_PRESENT, newPaePte, native_pte_clear, native_set_pte } from '../arch/x86/include/asm/pgtable-3level.ts';
import { ptep_get_lockless, type PaeReader } from '../include/linux/pgtable.ts';
import { flush_tlb_mm_range } from '../arch/x86/mm/tlb.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I13 } from '../invariants.ts';

type Knob = 'two-loads-low-high' | 'two-loads-high-low' | 'writer-present-to-present' | 'reader-irqs-on';

const L1 = 0x11, H1 = 0x1, L2 = 0x21, H2 = 0x2, H3 = 0x3;

function make(knob: Knob | undefined) {
  return (b: import('../../engine/program.ts').Builder) => {
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
      const ok = !(lo & PAE_PRESENT) || stored.some(([l, h]) => l === lo && h === hi);
      yield t.assert(ok, I13, () => `ptep_get_lockless() on CPU0 returned present (low 0x${lo.toString(16)}, high 0x${hi.toString(16)}), a value never stored in the PTE`);
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
      description: 'IRQs-off reader with the low/high/low retry loop; writer goes present -> none -> IPI flush -> present' },
    { name: 'two-loads-low-high', kernels: 'a hypothetical change to v6.12', ref: 'U2.a/b', expected: 'I13',
      description: 'reader loads low then high once, without rereading low: a concurrent clear tears it' },
    { name: 'two-loads-high-low', kernels: 'a hypothetical change to v6.12', ref: 'U2.a/b', expected: 'I13',
      description: 'reader loads high then low once: a concurrent none -> present set tears it (U2.b)' },
    { name: 'writer-present-to-present', kernels: 'a hypothetical change to v6.12', ref: 'U2.c', expected: 'I13',
      description: 'writer replaces a present entry by another present one with two plain stores, breaking the "via not-present + flush" rule' },
    { name: 'reader-irqs-on', kernels: "v6.12–v6.18: handle_pte_fault()'s reader, which rechecks with pte_same() under the PTL (I13 is stricter than its contract: issue 10)", ref: 'U2.d', expected: 'I13',
      description: 'reader holds only rcu_read_lock() with IRQs on, so the flush IPI does not wait for it and two remaps fit in one read' },
  ]),
};
