// 32-bit x86 PAE: a 64-bit PTE as two 32-bit words (arch/x86/include/asm/pgtable-3level.h and
// the CONFIG_GUP_GET_PXX_LOW_HIGH ptep_get_lockless() of include/linux/pgtable.h; docs/design/protocols.md §2).
// The present bit lives in the low word.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';

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

/** native_set_pte(): not-present -> present, high word first, then the low word with the present bit. */
export function* native_set_pte(t: Ctx, p: PaePte, low: number, high: number): ThreadGen<void> {
  yield t.store(p.high, high);
  yield t.fence('wmb');
  yield t.store(p.low, low);
}

/** native_pte_clear(): present -> not-present, low word (present bit) first. */
export function* native_pte_clear(t: Ctx, p: PaePte): ThreadGen<void> {
  yield t.store(p.low, 0);
  yield t.fence('wmb');
  yield t.store(p.high, 0);
}

/** How ptep_get_lockless() reads the two words: the kernel's low-high-low retry, or the unsafe single passes. */
export type PaeReader = 'low-high-low' | 'low-high' | 'high-low';

/** ptep_get_lockless() (PAE): low, rmb, high, rmb, until low rereads the same. Caller has IRQs off. */
export function* ptep_get_lockless(t: Ctx, p: PaePte, reader: PaeReader = 'low-high-low'): ThreadGen<[number, number]> {
  if (reader === 'low-high') {
    const lo = yield t.load(p.low);
    const hi = yield t.load(p.high);
    return [lo, hi];
  }
  if (reader === 'high-low') {
    const hi = yield t.load(p.high);
    const lo = yield t.load(p.low);
    return [lo, hi];
  }
  for (;;) {
    const lo = yield t.load(p.low);
    yield t.fence('rmb');
    const hi = yield t.load(p.high);
    yield t.fence('rmb');
    const again = yield t.load(p.low);
    if (again === lo) return [lo, hi];
  }
}
