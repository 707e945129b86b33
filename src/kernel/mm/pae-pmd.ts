// 32-bit x86 PAE: a 64-bit pmd_t and the ways code reads it without the PMD lock
// (arch/x86/include/asm/pgtable-3level.h native_set_pmd, pmd_read_atomic; include/linux/pgtable.h
// pmdp_get_lockless, pmdp_get_lockless_start/end/sync; kernel-spec §2 at the PMD level).
//
// One location holds the whole 64-bit entry, because its writers store it whole: native_set_pmd()
// is set_64bit() (cmpxchg8b, until v6.1) or pxx_xchg64() (v6.2+), and pmdp_huge_get_and_clear()
// is pxx_xchg64() too. A reader that loads the entry as two 32-bit halves makes two loads of that
// location and keeps one half of each: exactly a torn read when a store lands in between. (Under
// weak models one location is stronger than two 32-bit words: both halves are coherent. The PAE
// scenarios are checked under SC, where the two are the same.)
//
// Encoding (halves of 16 bits stand for the 32-bit words): value = high * PAE_HALF + low.
//   low:  bit 0 _PAGE_PRESENT, bits 4-15 the low part of the table's pfn;
//   high: the high part of the pfn (non-zero for a page above 4 GiB, where PAE puts page tables
//         with CONFIG_HIGHPTE).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { kernelFunction, modelStep } from '../kfn.ts';
import { smp_rmb } from '../include/asm-generic/barrier.ts';
import { local_irq_disable, local_irq_enable, type Cpu } from '../rcu.ts';
import { I13 } from '../invariants.ts';

export const PAE_HALF = 0x10000;
export const PAE_PMD_PRESENT = 0x1;

export const pae_pmd_low = (v: number): number => v % PAE_HALF;
export const pae_pmd_high = (v: number): number => Math.floor(v / PAE_HALF);
export const pae_pmd_val = (high: number, low: number): number => high * PAE_HALF + low;
export const pae_pmd_none = (v: number): boolean => v === 0;

/** A PTE table the PMD can point to, at pfn high:low. */
export interface PaeTablePage {
  name: string;
  high: number;
  low: number;
}

/** pmd_populate()'s value for table T: its pfn and _PAGE_TABLE (present). */
export const pae_pmd_table = (T: PaeTablePage): number => pae_pmd_val(T.high, (T.low << 4) | PAE_PMD_PRESENT);

export interface PaePmd {
  /** The 64-bit entry. */
  pmd: Loc;
  /** The lock pmd_populate() runs under (mm->page_table_lock, or the split PMD lock). */
  pml: Loc;
  /** The tables the entry may point to (for traces and checks). */
  tables: PaeTablePage[];
}

export function showPaePmd(tables: PaeTablePage[]): (v: number) => string {
  return (v) => {
    if (v === 0) return 'none';
    const T = tables.find((x) => pae_pmd_table(x) === v);
    const halves = `high 0x${pae_pmd_high(v).toString(16)}, low 0x${pae_pmd_low(v).toString(16)}`;
    return T ? `table(${T.name}: ${halves})` : `pmd(${halves})`;
  };
}

export function newPaePmd(b: Builder, init: number, tables: PaeTablePage[]): PaePmd {
  return {
    pmd: b.loc('*pmd', init, showPaePmd(tables)),
    pml: b.loc('pmd_lock', 0, (v) => (v ? 'locked' : 'unlocked')),
    tables,
  };
}

const V = 'v6.2–v6.18';
const h3 = (name: string, version = V) => ({ name, file: 'arch/x86/include/asm/pgtable-3level.h', version });

/** native_set_pmd(): the whole 64-bit entry in one locked instruction (set_64bit / pxx_xchg64). */
export const native_set_pmd = kernelFunction(h3('native_set_pmd', 'v2.6.25–v6.18'),
  function* (t: Ctx, p: PaePmd, v: number): ThreadGen<void> {
    yield t.xchg(p.pmd, v);
  });

/** native_pmdp_get_and_clear() (v6.2+: pxx_xchg64(pmd, pmdp, 0)): the whole entry, atomically. */
export const native_pmdp_get_and_clear = kernelFunction(h3('native_pmdp_get_and_clear'),
  function* (t: Ctx, p: PaePmd): ThreadGen<number> {
    return yield t.xchg(p.pmd, 0);
  });

/**
 * `pmd_t pmdval = *pmd;` compiled for 32-bit: two 32-bit loads in an order the compiler picks
 * (B10's report: the high word first). Not a kernel function: what gcc made of a plain read.
 */
export const pmd_plain_read32 = modelStep('(*pmd as two 32-bit loads)',
  function* (t: Ctx, p: PaePmd, order: 'high-low' | 'low-high'): ThreadGen<number> {
    if (order === 'high-low') {
      const high = pae_pmd_high(yield t.load(p.pmd));
      const low = pae_pmd_low(yield t.load(p.pmd));
      return pae_pmd_val(high, low);
    }
    const low = pae_pmd_low(yield t.load(p.pmd));
    const high = pae_pmd_high(yield t.load(p.pmd));
    return pae_pmd_val(high, low);
  });

/**
 * pmd_read_atomic() (26c191788f18, v3.5–v6.1): the low word first; the high word only if the low
 * one is non-zero, after smp_rmb(). Sound for callers holding mmap_lock for read, under which a
 * PMD only goes from none to a table (set whole by pmd_populate()).
 */
export const pmd_read_atomic = kernelFunction(h3('pmd_read_atomic', 'v3.5–v6.1'),
  function* (t: Ctx, p: PaePmd): ThreadGen<number> {
    const low = pae_pmd_low(yield t.load(p.pmd));
    if (low === 0) return 0;
    yield smp_rmb(t);
    const high = pae_pmd_high(yield t.load(p.pmd));
    return pae_pmd_val(high, low);
  });

/**
 * pmdp_get_lockless() under CONFIG_GUP_GET_PXX_LOW_HIGH (v6.2+): low, smp_rmb(), high, smp_rmb(),
 * until low rereads the same. Untorn only if at most one transition of the entry can happen
 * during the loop: the caller has IRQs off and every writer that changes one table for another
 * waits for IRQs-off readers (pmdp_get_lockless_sync()) in between.
 */
export const pmdp_get_lockless = kernelFunction({ name: 'pmdp_get_lockless', file: 'include/linux/pgtable.h', version: V },
  function* (t: Ctx, p: PaePmd): ThreadGen<number> {
    for (;;) {
      const low = pae_pmd_low(yield t.load(p.pmd));
      yield smp_rmb(t);
      const high = pae_pmd_high(yield t.load(p.pmd));
      yield smp_rmb(t);
      if (pae_pmd_low(yield t.load(p.pmd)) === low) return pae_pmd_val(high, low);
    }
  });

/** pmdp_get_lockless_start() (PAE, v6.5+): local_irq_save(), so a pmdp_get_lockless_sync() IPI waits for the read. */
export const pmdp_get_lockless_start = kernelFunction({ name: 'pmdp_get_lockless_start', file: 'include/linux/pgtable.h', version: 'v6.5–v6.18' },
  (t: Ctx, cpu: Cpu): ThreadGen<void> => t.call('local_irq_save', local_irq_disable(t, cpu)));

/** pmdp_get_lockless_end() (PAE, v6.5+): local_irq_restore(). */
export const pmdp_get_lockless_end = kernelFunction({ name: 'pmdp_get_lockless_end', file: 'include/linux/pgtable.h', version: 'v6.5–v6.18' },
  (t: Ctx, cpu: Cpu): ThreadGen<void> => t.call('local_irq_restore', local_irq_enable(t, cpu)));

/**
 * The ghost side of I13 for a PMD value a caller acts on: it must be none or the whole value
 * some writer stored (`whole`), never a mix of two stores' halves.
 */
export const checkPmdUntorn = modelStep('(check)',
  function* (t: Ctx, p: PaePmd, v: number, whole: number[], what: string): ThreadGen<void> {
    const show = showPaePmd(p.tables);
    yield t.assert(v === 0 || whole.includes(v), I13,
      () => `CPU${t.tid} ${what} ${show(v)}, which *pmd never held: a torn read (its halves come from different stores)`);
  });
