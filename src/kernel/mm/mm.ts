// One process's address space as the scenarios need it: a PMD entry (with its lock), the PTE
// tables it may point to, and the folios a pfn can name (docs/design/protocols.md §M.1). An mm
// whose walks start one level up has a PUD entry and the PMD tables it may point to (hugetlb PMD
// sharing: mm/hugetlb.ts).
import type { Loc } from '../../engine/ops.ts';
import type { Builder, ObjInfo } from '../../engine/program.ts';
import type { ObjectFields, PmdValue } from '../../trace-format/index.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import {
  PMD_VALUE, newPmd, pmd_high, pmd_is_table, pmd_low, pmd_table_id, showPmd, showPud, type PageTable, type Pmd, type PmdTable,
} from '../include/linux/pgtable.ts';

/** One address space: a PMD entry and its lock, the PTE tables and folios it can reach. */
export interface Mm extends Pmd {
  /** The mm as an object of the program (kind 'mm': its PMD entries and PMD lock), for traces. */
  obj: ObjInfo;
  tables: PageTable[];
  folios: Folio[];
  /** page->compound_head per pfn (0 = the page is a head or an order-0 folio), when modeled. */
  compound_head: Map<number, Loc>;
  /** mm->write_protect_seq (fork), when modeled. */
  write_protect_seq?: Loc;
  /** MMF_HAS_PINNED in mm->flags (mm->has_pinned before v5.13): GUP has pinned in this mm, when modeled. */
  MMF_HAS_PINNED?: Loc;
  /** mm->tlb_flush_pending (mmu_gather batching in progress), when modeled (newTlbFlushPending). */
  tlb_flush_pending?: Loc;
  /** 32-bit x86 PAE: the PMD is read as two 32-bit words (pmdp_get_lockless()'s loop). */
  pae?: boolean;
  /** The PUD entry walks start from, when modeled (then `pmd` is unused). */
  pud?: Loc;
  /** The PMD tables the PUD may point to. */
  pmdTables?: PmdTable[];
}

/** What newMm() models beyond one PMD. */
export interface MmOptions {
  /** Names the PMD entry and its lock (`*pmd`, `pmd_lock`) where a scenario has several mms. */
  pmdName?: string;
  /** 32-bit PAE (Mm.pae). */
  pae?: boolean;
  /** A PUD with this value (named `<name>: *pud`), pointing into `pmdTables`. */
  pud?: number;
  name?: string;
  pmdTables?: PmdTable[];
}

/**
 * An mm whose PMD holds `pmdInit`, with the PTE tables and folios its entries may name (traces then
 * name the folio an entry maps); `opts` for what more it models.
 */
export function newMm(b: Builder, pmdInit: number, tables: PageTable[], folios: Folio[], opts: MmOptions = {}): Mm {
  const pmd = newPmd(b, pmdInit, opts.pmdName);
  const fields: ObjectFields['mm'] = { pmd: pmd.pmd, pmd_lock: pmd.pml };
  const obj = b.object('mm', opts.name ?? (opts.pmdName ? `mm (${opts.pmdName})` : 'mm'), fields);
  const mm: Mm = { ...pmd, obj, tables, folios, compound_head: new Map() };
  if (opts.pae) mm.pae = true;
  if (opts.pud !== undefined) {
    mm.pud = b.loc(opts.name ? `${opts.name}: *pud` : '*pud', opts.pud, showPud);
    mm.pmdTables = opts.pmdTables ?? [];
    b.addField(obj, 'pud', mm.pud);
  }
  decorate(b, mm, mm.pmd, true);
  for (const loc of tables.flatMap((T) => T.entries)) decorate(b, mm, loc);
  for (const loc of (mm.pmdTables ?? []).flatMap((S) => S.entries)) decorate(b, mm, loc, true);
  return mm;
}

/**
 * A further PMD entry of `mm`, on the same PMD page (it shares the PMD lock): mremap's source and
 * destination, two VMAs of one process.
 */
export function mmPmd(b: Builder, mm: Mm, name: string, init: number, show: (v: number) => string = showPmd): Pmd {
  const pmd: Pmd = { pmd: b.loc(`*${name}`, init, { ...PMD_VALUE, show }), pml: mm.pml };
  b.addField(mm.obj, name, pmd.pmd);
  decorate(b, mm, pmd.pmd, true);
  return pmd;
}

// Traces name the folio an entry maps and the table a PMD points to: "T0[0] → pte(pfn 1 PW, P)",
// "*pmd → huge(pfn 9 W, HP)", "*new_pmd → table(page0)"; on PAE a PMD's two words too, and a value
// that names no table of the mm (a torn read) as its words.
function decorate(b: Builder, mm: Mm, loc: Loc, isPmd = false): void {
  const info = b.locs[loc];
  const show = info.show;
  if (!show) return;
  // As data: a table PMD names the mm's table object (page 0's is 'page0', not T0).
  const decode = info.decode;
  if (isPmd && decode) {
    info.decode = (v) => {
      const T = pmd_is_table(v) ? mm.tables.find((x) => x.id === pmd_table_id(v)) : undefined;
      return T ? { entry: 'table', table: T.name } satisfies PmdValue : decode(v);
    };
  }
  info.show = (v) => {
    const text = show(v);
    if (isPmd && pmd_is_table(v)) {
      const T = mm.tables.find((x) => x.id === pmd_table_id(v));
      const halves = `high 0x${pmd_high(v).toString(16)}, low 0x${pmd_low(v).toString(16)}`;
      if (T) return `table(${T.name}${mm.pae ? `: ${halves}` : ''})`;
      if (mm.pae) return `pmd(${halves}: no table)`;
    }
    const m = /^(?:pte|huge|invalidated huge|splitting huge)\(pfn (\d+)/.exec(text);
    const f = m ? mm.folios.find((x) => x.pfn === Number(m[1])) : undefined;
    return f && text.endsWith(')') ? `${text.slice(0, -1)}, ${f.name})` : text;
  };
}

/** The PTE table with id `id` (a table PMD names it). */
export function table(mm: Mm, id: number): PageTable {
  const T = mm.tables.find((x) => x.id === id);
  if (!T) throw new Error(`no page table T${id}`);
  return T;
}

/** The PMD table with id `id` (a PUD names it). */
export function pmdTable(mm: Mm, id: number): PmdTable {
  const S = mm.pmdTables?.find((x) => x.id === id);
  if (!S) throw new Error(`no PMD table S${id}`);
  return S;
}

/** The folio at `pfn` (a PTE names it). */
export function folio(mm: Mm, pfn: number): Folio {
  const f = mm.folios.find((x) => x.pfn === pfn);
  if (!f) throw new Error(`no folio at pfn ${pfn}`);
  return f;
}
