// Page-table entry encodings and the lockless entry reader ptep_get_lockless() (include/linux/
// pgtable.h; docs/design/protocols.md §M.1, §2). Entries are small integers so a trace can decode them.
//
// An entry's value is all the kernel sees of it: a recheck compares raw values (pte_val, pmd_val),
// so an entry that goes A -> B -> A between a read and its recheck passes the recheck, as in the
// kernel. Anything the invariants need beyond that is ghost state kept elsewhere.
//
// PTE:  0 = none; bit 0x100 present, 0x200 writable, 0x400 dirty, 0x800 migration entry;
//       bits 0-7 the pfn.
// PMD:  0 = none; 0x1000 | T = points to PTE table T; 0x2000 | pfn = huge leaf (0x200: writable);
//       0x4000 | pfn = invalidated huge leaf (pmdp_invalidate: non-present, non-none).
//       A PMD value is two words, as a 64-bit pmd_t is on 32-bit PAE: value = high * PMD_HALF +
//       low, the flags and the low 8 bits of the table id or pfn in the low word, the rest of the
//       id or pfn in the high word (a table "above 4 GiB" has a non-zero high word). Only the PAE
//       readers (arch/x86/include/asm/pgtable-3level.ts) look at the halves separately.
// PUD:  0 = none; 0x1000 | S = points to PMD table S (mm/hugetlb.ts shares those).
import { FREED, Mode, type Ctx, type Loc, type ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { ghostLoad } from '../../ghost.ts';
import { I1 } from '../../invariants.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { smp_rmb } from '../asm-generic/barrier.ts';
import type { PaePte } from '../../arch/x86/include/asm/pgtable-3level.ts';
import type { ObjectFields, PmdValue, PteValue, TypedValue } from '../../../trace-format/index.ts';
import { newSpinlock } from './spinlock.ts';
import type { Cpu, Cpus } from '../../cpus.ts';
import { local_irq_disable, local_irq_enable } from './irqflags.ts';
import { tlb_remove_table_sync_one } from '../../mm/mmu_gather.ts';

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

/** mk_pte(): the entry mapping `pfn` with `flags`. */
export function mk_pte(pfn: number, flags = _PAGE_PRESENT): number {
  return (pfn & 0xff) | flags;
}
/** pte_pfn() */
export const pte_pfn = (v: number): number => v & 0xff;
/** pte_present() */
export const pte_present = (v: number): boolean => (v & _PAGE_PRESENT) !== 0;
/** pte_none() */
export const pte_none = (v: number): boolean => v === PTE_NONE;
/**
 * PTE flag: a swap entry (non-present; include/linux/swapops.ts encodes and decodes it). The swap
 * offset is in bits 0-7 and the swap type (the device) in bits 20-23.
 */
export const _PAGE_SWP = 0x20000;
/** In a swap entry: pte_swp_exclusive() (the page was exclusive to this PTE when it was unmapped). */
export const _PAGE_SWP_EXCLUSIVE = 0x80000;
/** A swap PTE as traces print it: "swap entry(offset 1 E)", "swap entry(type 1 offset 2)". */
export function showSwpPte(v: number): string {
  const type = (v >> 20) & 0xf;
  return `swap entry(${type ? `type ${type} ` : ''}offset ${v & 0xff}${v & _PAGE_SWP_EXCLUSIVE ? ' E' : ''})`;
}
/** pte_write() */
export const pte_write = (v: number): boolean => (v & _PAGE_RW) !== 0;
/** pte_dirty() */
export const pte_dirty = (v: number): boolean => (v & _PAGE_DIRTY) !== 0;
/** is_migration_entry() */
export const is_migration_entry = (v: number): boolean => (v & _PAGE_MIGRATION) !== 0;

/** A PTE value as traces print it: "none", "pte(pfn 1 PW)", "migration entry(pfn 1)". */
export function showPte(v: number): string {
  if (v === PTE_NONE) return 'none';
  if (v & _PAGE_SWP) return showSwpPte(v);
  const f: string[] = [];
  if (v & _PAGE_MIGRATION) {
    const m = (v & _PAGE_RW ? 'W' : v & SWP_MIGRATION_EXCLUSIVE ? 'E' : '') + (v & _PAGE_DIRTY ? 'D' : '');
    return `migration entry(pfn ${pte_pfn(v)}${m ? ' ' + m : ''})`;
  }
  if (v & _PAGE_PRESENT) f.push('P');
  if (v & _PAGE_RW) f.push('W');
  if (v & _PAGE_DIRTY) f.push('D');
  return `pte(pfn ${pte_pfn(v)}${f.length ? ' ' + f.join('') : ''})`;
}

/** A PTE as data, for trace readers. */
export function decodePte(v: number): PteValue {
  if (v === PTE_NONE) return { entry: 'none' };
  if (v & _PAGE_SWP) return { entry: 'swap', offset: v & 0xff, type: (v >> 20) & 0xf, exclusive: (v & _PAGE_SWP_EXCLUSIVE) !== 0 };
  if (v & _PAGE_MIGRATION) return { entry: 'migration', pfn: pte_pfn(v) };
  if (v & _PAGE_PRESENT) return { entry: 'present', pfn: pte_pfn(v), write: pte_write(v), dirty: pte_dirty(v) };
  return { entry: 'other', raw: v };
}

/** The value type of a PTE: showPte() as text, decodePte() as data. */
export const PTE_VALUE: TypedValue<'pte'> = { type: 'pte', show: showPte, decode: decodePte };

/** The empty PMD (pmd_none()). */
export const PMD_NONE = 0;
/** PMD tag: points to a PTE table (the low bits are its id). */
export const PMD_TABLE = 0x1000;
/** PMD tag: a huge leaf (the low bits are its pfn). */
export const PMD_LEAF = 0x2000;
/** PMD tag: an invalidated huge leaf (pmdp_invalidate(): non-present, non-none). */
export const PMD_INVALID = 0x4000;
/** The boundary between a PMD's two words (a PAE pmd_t's 32-bit halves; 16 bits in the model). */
export const PMD_HALF = 0x10000;
/** A PMD's low word (the flags and the low 8 bits of the table id or pfn). */
export const pmd_low = (v: number): number => v % PMD_HALF;
/** A PMD's high word. */
export const pmd_high = (v: number): number => Math.floor(v / PMD_HALF);
/** A PMD value from its two words. */
export const pmd_from_halves = (high: number, low: number): number => high * PMD_HALF + low;
/** The value of tag `tag` naming `n` (a table id or a pfn), split across the two words. */
const pmdNaming = (tag: number, n: number): number => pmd_from_halves(n >> 8, tag | (n & 0xff));
/** The table id or pfn a PMD names. */
const pmdNamed = (v: number): number => (pmd_high(v) << 8) | (v & 0xff);
/** The PMD value pointing to PTE table `id` (pmd_populate()). */
export const pmd_table = (id: number): number => pmdNaming(PMD_TABLE, id);
/** The PMD value of a huge leaf mapping `pfn`, writable unless `flags` says otherwise (mk_huge_pmd()). */
export const pmd_leaf = (pfn: number, flags = _PAGE_RW): number => pmdNaming(PMD_LEAF | (flags & _PAGE_RW), pfn);
/** pmd_none() */
export const pmd_none = (v: number): boolean => v === PMD_NONE;
/** Does the PMD point to a PTE table (not none, not a huge leaf)? */
export const pmd_is_table = (v: number): boolean => (v & PMD_TABLE) !== 0;
/** pmd_trans_huge() / pmd_leaf(): a present huge mapping. */
export const pmd_trans_huge = (v: number): boolean => (v & PMD_LEAF) !== 0;
/** The id of the PTE table a table PMD points to (pmd_page()). */
export const pmd_table_id = (v: number): number => pmdNamed(v);
/** pmd_pfn() of a huge (or invalidated huge) leaf. */
export const pmd_pfn = (v: number): number => pmdNamed(v);
/** pmd_write() */
export const pmd_write = (v: number): boolean => (v & _PAGE_RW) !== 0;
/**
 * pmd_access_permitted(): a present huge leaf the user may access, for writing if `write`
 * (x86: _PAGE_PRESENT | _PAGE_USER, and _PAGE_RW for a write).
 */
export const pmd_access_permitted = (v: number, write: boolean): boolean => pmd_trans_huge(v) && (!write || pmd_write(v));
/** pmd_mkinvalid() of a present huge leaf: not present any more, still not none (the pfn and flags kept). */
export const pmd_mkinvalid = (v: number): number => v - PMD_LEAF + PMD_INVALID;

/** A PMD value as traces print it: "none", "table(T0)", "huge(pfn 9 W)". */
export function showPmd(v: number): string {
  if (v === PMD_NONE) return 'none';
  const w = pmd_write(v) ? ' W' : '';
  if (v & PMD_TABLE) return `table(T${pmd_table_id(v)})`;
  if (v & PMD_LEAF) return `huge(pfn ${pmd_pfn(v)}${w})`;
  if (v & PMD_INVALID) return `invalidated huge(pfn ${pmd_pfn(v)}${w})`;
  return `pmd(${v})`;
}

/** A PMD value as data, for trace readers: the table it points to is named T<id> (mm.ts names page 0's). */
export function decodePmd(v: number): PmdValue {
  if (v === PMD_NONE) return { entry: 'none' };
  if (v & PMD_TABLE) return { entry: 'table', table: `T${pmd_table_id(v)}` };
  if (v & PMD_LEAF) return { entry: 'huge', pfn: pmd_pfn(v), write: pmd_write(v) };
  if (v & PMD_INVALID) return { entry: 'invalid', pfn: pmd_pfn(v), write: pmd_write(v) };
  return { entry: 'other', raw: v };
}

/** The value type of a PMD entry: showPmd() as text, decodePmd() as data. */
export const PMD_VALUE: TypedValue<'pmd'> = { type: 'pmd', show: showPmd, decode: decodePmd };

/** The empty PUD (pud_none()). */
export const PUD_NONE = 0;
/** The PUD value pointing to PMD table `id` (pud_populate()). */
export const pud_table = (id: number): number => PMD_TABLE | id;
/** pud_none() */
export const pud_none = (v: number): boolean => v === PUD_NONE;
/** The id of the PMD table a PUD points to (pud_pgtable()). */
export const pud_table_id = (v: number): number => v & 0xff;
/** A PUD value as traces print it: "none", "table(S1)". */
export const showPud = (v: number): string => (v === PUD_NONE ? 'none' : `table(S${pud_table_id(v)})`);

/**
 * A PTE table: its entries and its split PTL, one page-table page. It is an object of the
 * program (Builder.object, kind 'pagetable'): freeing it (pte_free(), __tlb_remove_table()) frees
 * that memory, and a later access to it — a walker's load, a store, an MMU walk, a lock of its
 * PTL — is an I1 use-after-free reported at the access.
 */
export interface PageTable {
  id: number;
  name: string;
  entries: Loc[];
  ptl: Loc;
}

/** PTE table T`id` (or `name`) with entries `init` (PTE values), its PTL unlocked, attached. */
export function newPageTable(b: Builder, id: number, init: number[], name = `T${id}`): PageTable {
  const entries = init.map((v, i) => b.loc(`${name}[${i}]`, v, PTE_VALUE));
  const ptl = newSpinlock(b, `${name}.ptl`);
  b.object('pagetable', name, { entries, ptl } satisfies ObjectFields['pagetable'], { invariant: I1 });
  return { id, name, entries, ptl };
}

/**
 * pagetable_free() in the model: the table's memory goes back to the page allocator. What frees a
 * table (pte_free, __tlb_remove_table …) ends here. The entries are freed, the first one last and
 * with a release (the allocator's own locking), so an allocator that takes the page back (with an
 * acquire: alloc_pages()) sees all of it freed. The PTL's word is not freed: under the LKMM a lock
 * location has a coherence order of its own (lock.cat) that a plain free cannot join, so a lock of
 * a freed table's PTL is checked where it is taken (tableLockFault).
 */
export function* freeTablePage(t: Ctx, T: PageTable): ThreadGen<void> {
  for (let i = T.entries.length - 1; i >= 0; i--) yield t.free(T.entries[i], i === 0 ? Mode.Release : Mode.Once);
}

/**
 * The PTL of a table taken after the table was freed (spin_lock(ptl) of a table found under RCU
 * or through a stale pmd): an I1 use-after-free at the lock, as KASAN reports it.
 */
export function* tableLockFault(t: Ctx, T: PageTable): ThreadGen<void> {
  const v = yield* ghostLoad(t, T.entries[0]);
  yield t.assert(v !== FREED, I1, () => `use-after-free: CPU${t.tid} takes ${T.name}.ptl; ${T.name} is not an allocated page table`);
}

/**
 * A page of PMD entries that a PUD points to (only modeled where a walk starts at the PUD:
 * hugetlb PMD sharing), with ptdesc->pt_share_count: how many mms share it besides its first.
 */
export interface PmdTable {
  id: number;
  name: string;
  entries: Loc[];
  pt_share_count: Loc;
}

/** PMD table S`id` with entries `init` (PMD values), shared by `shareCount` mms besides its first user. */
export function newPmdTable(b: Builder, id: number, init: number[], shareCount = 0): PmdTable {
  const name = `S${id}`;
  const fields: ObjectFields['pmdtable'] = {
    entries: init.map((v, i) => b.loc(`${name}[${i}]`, v, PMD_VALUE)),
    pt_share_count: b.loc(`${name}.pt_share_count`, shareCount),
  };
  b.object('pmdtable', name, fields);
  return { id, name, ...fields };
}

/**
 * Physical page 0 in the shape of a PTE table (id 0): what `pmd_pgtable(pmd)` names for a none PMD
 * on x86 (pfn 0). It is not a page table; a scenario whose tables are numbered from 1 lists it so
 * that a bogus PMD built from a none value (mremap's B7, a retract that lost a race) leads a walker
 * or a free to page 0, where it is caught (I1).
 */
export function newPageZero(b: Builder): PageTable {
  const entries = [b.loc('page0[0]', PTE_NONE, PTE_VALUE)];
  const ptl = newSpinlock(b, 'page0.ptl');
  b.object('pagetable', 'page0', { entries, ptl } satisfies ObjectFields['pagetable'], { invariant: I1, unallocated: 'physical page 0 is not a page table' });
  return { id: 0, name: 'page0', entries, ptl };
}

/** A PMD entry with its PMD lock (pmd_lock / PML). */
export interface Pmd {
  pmd: Loc;
  pml: Loc;
}

/** The PMD entry `*pmd` with value `init`, and its lock. */
export function newPmd(b: Builder, init: number, name = 'pmd'): Pmd {
  return {
    pmd: b.loc(`*${name}`, init, PMD_VALUE),
    pml: newSpinlock(b, `${name}_lock`),
  };
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

/**
 * pmdp_get_lockless(): READ_ONCE(*pmdp) where a PMD is one word; under CONFIG_GUP_GET_PXX_LOW_HIGH
 * (32-bit PAE, `pae`, v6.2+) low, smp_rmb(), high, smp_rmb(), until low rereads the same. That is
 * untorn only if at most one change of the entry can land during the loop: the caller has IRQs off
 * (pmdp_get_lockless_start()) and every writer that could change a table for another one waits
 * for IRQs-off readers in between (pmdp_get_lockless_sync()).
 */
export const pmdp_get_lockless = kernelFunction({ name: 'pmdp_get_lockless', file: 'include/linux/pgtable.h', version: 'v6.2–v6.18' },
  function* (t: Ctx, pmdp: Loc, pae = false): ThreadGen<number> {
    if (!pae) return yield t.load(pmdp);
    for (;;) {
      const low = pmd_low(yield t.load(pmdp));
      yield smp_rmb(t);
      const high = pmd_high(yield t.load(pmdp));
      yield smp_rmb(t);
      if (pmd_low(yield t.load(pmdp)) === low) return pmd_from_halves(high, low);
    }
  });

/** pmdp_get_lockless_start() (v6.5+): local_irq_save() on PAE, so pmdp_get_lockless_sync() waits for the read; nothing elsewhere. */
export const pmdp_get_lockless_start = kernelFunction({ name: 'pmdp_get_lockless_start', file: 'include/linux/pgtable.h', version: 'v6.5–v6.18' },
  function* (t: Ctx, cpu: Cpu, pae = false): ThreadGen<void> {
    if (pae) yield* local_irq_disable(t, cpu); // local_irq_save()
  });

/** pmdp_get_lockless_end() (v6.5+): local_irq_restore() on PAE. */
export const pmdp_get_lockless_end = kernelFunction({ name: 'pmdp_get_lockless_end', file: 'include/linux/pgtable.h', version: 'v6.5–v6.18' },
  function* (t: Ctx, cpu: Cpu, pae = false): ThreadGen<void> {
    if (pae) yield* local_irq_enable(t, cpu); // local_irq_restore()
  });

/**
 * pmdp_get_lockless_sync() (v6.5+): on PAE tlb_remove_table_sync_one(), called after a PMD is
 * cleared (retract_page_tables(), collapse_pte_mapped_thp()) so that no lockless reader is still
 * between the two halves of its read; nothing where a PMD is one word.
 */
export const pmdp_get_lockless_sync = kernelFunction({ name: 'pmdp_get_lockless_sync', file: 'include/linux/pgtable.h', version: 'v6.5–v6.18' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, pae = false): ThreadGen<void> {
    if (pae) yield* tlb_remove_table_sync_one(t, cpus, self);
  });
