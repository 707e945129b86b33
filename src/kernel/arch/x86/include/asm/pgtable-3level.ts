// 32-bit x86 PAE (arch/x86/include/asm/pgtable-3level.h; docs/design/protocols.md §2).
//
// PTE: two 32-bit words (two locations), written one at a time by native_set_pte() and
// native_pte_clear(); the present bit lives in the low word. The lockless reader is
// ptep_get_lockless() in include/linux/pgtable.ts.
//
// PMD: one 64-bit entry (the mm's one location, encoded as include/linux/pgtable.ts says: a low
// and a high word), because its writers store it whole: native_set_pmd() is set_64bit()
// (cmpxchg8b, until v6.1) or pxx_xchg64() (v6.2+), and so is native_pmdp_get_and_clear(). A reader
// that loads it as two 32-bit halves makes two loads of that location and keeps one half of each:
// a torn read when a store lands in between. (Under weak models one location is stronger than two
// words: both halves are coherent. The PAE scenarios are checked under SC, where they are the same.)
import type { Ctx, Loc, ThreadGen } from '../../../../../engine/ops.ts';
import type { Builder } from '../../../../../engine/program.ts';
import { MAINLINE, kernelFunction, modelStep } from '../../../../kfn.ts';
import { smp_rmb, smp_wmb } from '../../../../include/asm-generic/barrier.ts';
import { newSpinlock } from '../../../../include/linux/spinlock.ts';
import { pmd_from_halves, pmd_high, pmd_is_table, pmd_low, pmd_table_id, pmd_trans_huge } from '../../../../include/linux/pgtable.ts';
import type { Mm } from '../../../../mm/mm.ts';
import { I13 } from '../../../../invariants.ts';
import type { ObjectFields } from '../../../../../trace-format/index.ts';

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
  return newPaePteObject(b, low, high, {});
}

/** A PAE PTE and the PTL of its table (a field of the PTE's object: the table itself is not modelled). */
export function newPaePteLocked(b: Builder, low: number, high: number): PaePte & { ptl: Loc } {
  const ptl = newSpinlock(b, 'T0.ptl');
  return { ...newPaePteObject(b, low, high, { ptl }), ptl };
}

function newPaePteObject(b: Builder, low: number, high: number, extra: { ptl?: Loc }): PaePte {
  const p: ObjectFields['pae-pte'] = { low: b.loc('pte.low', low, showLow), high: b.loc('pte.high', high, showHigh), ...extra };
  b.object('pae-pte', 'pte', p);
  return { low: p.low, high: p.high };
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

// ---------------------------------------------------------------- the 64-bit PMD

/** native_set_pmd(): the whole 64-bit entry in one locked instruction (set_64bit, pxx_xchg64 since v6.2). */
export const native_set_pmd = kernelFunction({ ...src('native_set_pmd'), version: 'v2.6.25–v6.18' },
  function* (t: Ctx, pmdp: Loc, v: number): ThreadGen<void> {
    yield t.xchg(pmdp, v);
  });

/** native_pmdp_get_and_clear() (v6.2+: pxx_xchg64(pmd, pmdp, 0)): the whole entry, atomically. */
export const native_pmdp_get_and_clear = kernelFunction({ ...src('native_pmdp_get_and_clear'), version: 'v6.2–v6.18' },
  function* (t: Ctx, pmdp: Loc): ThreadGen<number> {
    return yield t.xchg(pmdp, 0);
  });

/**
 * `pmd_t pmdval = *pmd;` compiled for 32-bit: two 32-bit loads in an order the compiler picks
 * (B10's report: the high word first). Not a kernel function: what gcc made of a plain read.
 */
export const pmdPlainRead32 = modelStep('(*pmd as two 32-bit loads)',
  function* (t: Ctx, pmdp: Loc, order: 'high-low' | 'low-high'): ThreadGen<number> {
    if (order === 'high-low') {
      const high = pmd_high(yield t.load(pmdp));
      return pmd_from_halves(high, pmd_low(yield t.load(pmdp)));
    }
    const low = pmd_low(yield t.load(pmdp));
    return pmd_from_halves(pmd_high(yield t.load(pmdp)), low);
  });

/**
 * pmd_read_atomic() (26c191788f18, v3.5–v6.1): the low word first; the high word only if the low
 * one is non-zero, after smp_rmb(). Sound for callers holding mmap_lock for read, under which a
 * PMD only goes from none to a table (set whole by pmd_populate()).
 */
export const pmd_read_atomic = kernelFunction({ ...src('pmd_read_atomic'), version: 'v3.5–v6.1' },
  function* (t: Ctx, pmdp: Loc): ThreadGen<number> {
    const low = pmd_low(yield t.load(pmdp));
    if (low === 0) return 0;
    yield smp_rmb(t);
    return pmd_from_halves(pmd_high(yield t.load(pmdp)), low);
  });

/** A PMD value as its two words: "high 0x1, low 0x1005". */
export const showPmdHalves = (v: number): string => `high 0x${pmd_high(v).toString(16)}, low 0x${pmd_low(v).toString(16)}`;

/**
 * The ghost side of I13 for a PMD value a caller uses without a recheck under the PMD lock: none,
 * a huge leaf, or a table of this mm, i.e. a whole value some writer stored in this model (the
 * scenarios' writers store only those), never a mix of two stores' halves.
 */
export const checkPmdUntorn = modelStep('(check)',
  function* (t: Ctx, mm: Mm, v: number, what: string): ThreadGen<void> {
    const whole = v === 0 || pmd_trans_huge(v) || (pmd_is_table(v) && mm.tables.some((T) => T.id === pmd_table_id(v)));
    yield t.assert(whole, I13, () => `CPU${t.tid} ${what} pmd(${showPmdHalves(v)}), a value *pmd never held: a torn read (its words come from different stores)`);
  });
