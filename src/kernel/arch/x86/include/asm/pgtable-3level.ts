// 32-bit x86 PAE: a 64-bit PTE as two 32-bit words, and its writers (arch/x86/include/asm/
// pgtable-3level.h native_set_pte, native_pte_clear; docs/design/protocols.md §2). The present bit lives in
// the low word. The lockless reader is ptep_get_lockless() in include/linux/pgtable.ts.
import type { Ctx, Loc, ThreadGen } from '../../../../../engine/ops.ts';
import type { Builder } from '../../../../../engine/program.ts';
import { MAINLINE, kernelFunction } from '../../../../kfn.ts';
import { smp_wmb } from '../../../../include/asm-generic/barrier.ts';

/** A 64-bit PAE PTE as its two 32-bit words. */
export interface PaePte {
  low: Loc;
  high: Loc;
}

/** The present bit, in the low word. */
export const PAE_PRESENT = 0x1;
/** The low word as traces print it. */
export const showLow = (v: number): string => (v === 0 ? '0' : `0x${v.toString(16)}${v & PAE_PRESENT ? ' (present)' : ''}`);
/** The high word as traces print it. */
export const showHigh = (v: number): string => `0x${v.toString(16)}`;

/** A PAE PTE with words `low` and `high`. */
export function newPaePte(b: Builder, low: number, high: number): PaePte {
  return { low: b.loc('pte.low', low, showLow), high: b.loc('pte.high', high, showHigh) };
}

const src = (name: string) => ({ name, file: 'arch/x86/include/asm/pgtable-3level.h', version: MAINLINE });

/** native_set_pte(): not-present -> present, high word first, then the low word with the present bit. */
export const native_set_pte = kernelFunction(src('native_set_pte'), function* (t: Ctx, p: PaePte, low: number, high: number): ThreadGen<void> {
  yield t.store(p.high, high);
  yield smp_wmb(t);
  yield t.store(p.low, low);
});

/** native_pte_clear(): present -> not-present, low word (present bit) first. */
export const native_pte_clear = kernelFunction(src('native_pte_clear'), function* (t: Ctx, p: PaePte): ThreadGen<void> {
  yield t.store(p.low, 0);
  yield smp_wmb(t);
  yield t.store(p.high, 0);
});
