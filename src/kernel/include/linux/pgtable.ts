// Page-table entry encodings and the lockless entry reader ptep_get_lockless() (include/linux/
// pgtable.h; docs/design/protocols.md §M.1, §2). Entries are small integers so a trace can decode them.
//
// PTE:  0 = none; bit 0x100 present, 0x200 writable, 0x400 dirty, 0x800 migration entry;
//       bits 0-7 the pfn; bits 12+ a ghost "mapping generation" (changes each time the entry is
//       re-established, so a recheck that compares whole values cannot be fooled by ABA in the
//       model; it is invisible to the code, which compares pfn and flags only through pte_same).
// PMD:  0 = none; 0x1000 | T = points to PTE table T; 0x2000 | pfn = huge leaf;
//       0x4000 | pfn = invalidated huge leaf (pmdp_invalidate: non-present, non-none).
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { ghostLoad } from '../../ghost.ts';
import { I1 } from '../../invariants.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { smp_rmb } from '../asm-generic/barrier.ts';
import type { PaePte } from '../../arch/x86/include/asm/pgtable-3level.ts';

/** The empty PTE (pte_none()). */
export const PTE_NONE = 0;
/** PTE flag: present. */
export const _PAGE_PRESENT = 0x100;
/** PTE flag: writable. */
export const _PAGE_RW = 0x200;
/** PTE flag: dirty. */
export const _PAGE_DIRTY = 0x400;
/** PTE flag: a migration entry (non-present; the pfn is the folio being migrated). */
export const _PAGE_MIGRATION = 0x800;
/**
 * In a migration entry: SWP_MIGRATION_READ_EXCLUSIVE (a read-only page that was AnonExclusive;
 * include/linux/swapops.ts). Above the pfn and flag bits and any generation a scenario uses.
 */
export const SWP_MIGRATION_EXCLUSIVE = 0x40000;

/** mk_pte(): the entry mapping `pfn` with `flags`; `gen` is the ghost mapping generation (see the header). */
export function mk_pte(pfn: number, flags = _PAGE_PRESENT, gen = 0): number {
  return (pfn & 0xff) | flags | (gen << 12);
}
/** pte_pfn() */
export const pte_pfn = (v: number): number => v & 0xff;
/** pte_present() */
export const pte_present = (v: number): boolean => (v & _PAGE_PRESENT) !== 0;
/** pte_none() */
export const pte_none = (v: number): boolean => v === PTE_NONE;
/** pte_write() */
export const pte_write = (v: number): boolean => (v & _PAGE_RW) !== 0;
/** pte_dirty() */
export const pte_dirty = (v: number): boolean => (v & _PAGE_DIRTY) !== 0;
/** is_migration_entry() */
export const is_migration_entry = (v: number): boolean => (v & _PAGE_MIGRATION) !== 0;

/** A PTE value as traces print it: "none", "pte(pfn 1 PW #2)", "migration entry(pfn 1)". */
export function showPte(v: number): string {
  if (v === PTE_NONE) return 'none';
  const f: string[] = [];
  if (v & _PAGE_MIGRATION) {
    const m = (v & _PAGE_RW ? 'W' : v & SWP_MIGRATION_EXCLUSIVE ? 'E' : '') + (v & _PAGE_DIRTY ? 'D' : '');
    return `migration entry(pfn ${pte_pfn(v)}${m ? ' ' + m : ''})`;
  }
  if (v & _PAGE_PRESENT) f.push('P');
  if (v & _PAGE_RW) f.push('W');
  if (v & _PAGE_DIRTY) f.push('D');
  return `pte(pfn ${pte_pfn(v)}${f.length ? ' ' + f.join('') : ''}${v >> 12 ? ` #${v >> 12}` : ''})`;
}

/** The empty PMD (pmd_none()). */
export const PMD_NONE = 0;
/** PMD tag: points to a PTE table (the low bits are its id). */
export const PMD_TABLE = 0x1000;
/** PMD tag: a huge leaf (the low bits are its pfn). */
export const PMD_LEAF = 0x2000;
/** PMD tag: an invalidated huge leaf (pmdp_invalidate(): non-present, non-none). */
export const PMD_INVALID = 0x4000;
/** The PMD value pointing to PTE table `id` (pmd_populate()). */
export const pmd_table = (id: number): number => PMD_TABLE | id;
/** The PMD value of a huge leaf mapping `pfn`. */
export const pmd_leaf = (pfn: number): number => PMD_LEAF | pfn;
/** pmd_none() */
export const pmd_none = (v: number): boolean => v === PMD_NONE;
/** Does the PMD point to a PTE table (not none, not a huge leaf)? */
export const pmd_is_table = (v: number): boolean => (v & PMD_TABLE) !== 0;
/** pmd_trans_huge() */
export const pmd_trans_huge = (v: number): boolean => (v & PMD_LEAF) !== 0;
/** The id of the PTE table a table PMD points to (pmd_page()). */
export const pmd_table_id = (v: number): number => v & 0xff;

/** A PMD value as traces print it: "none", "table(T0)", "huge(pfn 9)". */
export function showPmd(v: number): string {
  if (v === PMD_NONE) return 'none';
  if (v & PMD_TABLE) return `table(T${v & 0xff})`;
  if (v & PMD_LEAF) return `huge(pfn ${v & 0xff})`;
  if (v & PMD_INVALID) return `invalidated huge(pfn ${v & 0xff})`;
  return `pmd(${v})`;
}

/** Lifecycle of a page-table page (ghost, docs/design/protocols.md §M.1). */
export const PT_LIVE = 0;
/** Ghost lifecycle: detached from the PMD, not yet freed. */
export const PT_DETACHED = 1;
/** Ghost lifecycle: freed (pte_free()). */
export const PT_FREED = 2;
/** Ghost lifecycle: reused as a data page after the free. */
export const PT_REUSED = 3;
/** Memory a bogus PMD can name that never was a page table (pmd_pgtable() of a none PMD: page 0). */
export const PT_NOT_A_TABLE = 4;
/** A table's ghost lifecycle word as traces print it. */
export const showPtLife = (v: number): string => ['attached', 'detached', 'freed', 'reused as a data page', 'not a page table'][v] ?? String(v);

/** A PTE table: its entries, its split PTL, and its ghost lifecycle word. */
export interface PageTable {
  id: number;
  name: string;
  entries: Loc[];
  ptl: Loc;
  life: Loc;
}

/** PTE table T`id` with entries `init` (PTE values), its PTL unlocked, attached. */
export function newPageTable(b: Builder, id: number, init: number[]): PageTable {
  const name = `T${id}`;
  return {
    id, name,
    entries: init.map((v, i) => b.loc(`${name}[${i}]`, v, showPte)),
    ptl: b.loc(`${name}.ptl`, 0, (v) => (v ? 'locked' : 'unlocked')),
    life: b.loc(`${name}.life`, PT_LIVE, showPtLife),
  };
}

/**
 * Physical page 0 in the shape of a PTE table (id 0): what `pmd_pgtable(pmd)` names for a none PMD
 * on x86 (pfn 0). It is not a page table; a scenario whose tables are numbered from 1 lists it so
 * that a bogus PMD built from a none value (mremap's B7, a retract that lost a race) leads a walker
 * or a free to page 0, where it is caught (I1).
 */
export function newPageZero(b: Builder): PageTable {
  return {
    id: 0, name: 'page0',
    entries: [b.loc('page0[0]', PTE_NONE, showPte)],
    ptl: b.loc('page0.ptl', 0, (v) => (v ? 'locked' : 'unlocked')),
    life: b.loc('page0.life', PT_NOT_A_TABLE, showPtLife),
  };
}

/** A PMD entry with its PMD lock (pmd_lock / PML). */
export interface Pmd {
  pmd: Loc;
  pml: Loc;
}

/** The PMD entry `*pmd` with value `init`, and its lock. */
export function newPmd(b: Builder, init: number, name = 'pmd'): Pmd {
  return {
    pmd: b.loc(`*${name}`, init, showPmd),
    pml: b.loc(`${name}_lock`, 0, (v) => (v ? 'locked' : 'unlocked')),
  };
}

/**
 * I1 on the software-walker side: the table the walker reached must not have been freed.
 * Called right after an access, while the walker is still inside its IRQs-off / RCU window.
 */
export function* checkTableAlive(t: Ctx, T: PageTable, what: string): ThreadGen<void> {
  const life = yield* ghostLoad(t, T.life);
  yield t.assert(life < PT_FREED, I1, () => life === PT_NOT_A_TABLE
    ? `CPU${t.tid} ${what}: ${T.name} is not a page table`
    : `CPU${t.tid} ${what} after ${T.name} was ${showPtLife(life)}`);
}

/** The PAE reader's shape: the kernel's loop, or one of the broken two-load readers (U2.a/b). */
export type PaeReader = 'low-high-low' | 'low-high' | 'high-low';

/**
 * ptep_get_lockless() under CONFIG_GUP_GET_PXX_LOW_HIGH (32-bit PAE): low, smp_rmb(), high,
 * smp_rmb(), until low rereads the same. The caller has IRQs off.
 */
export const ptep_get_lockless = kernelFunction({ name: 'ptep_get_lockless', file: 'include/linux/pgtable.h', version: MAINLINE },
  function* (t: Ctx, p: PaePte, reader: PaeReader = 'low-high-low'): ThreadGen<[number, number]> {
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
      yield smp_rmb(t);
      const hi = yield t.load(p.high);
      yield smp_rmb(t);
      const again = yield t.load(p.low);
      if (again === lo) return [lo, hi];
    }
  });
