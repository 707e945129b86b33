// One process's address space as the scenarios need it: a PMD entry (with its lock), the PTE
// tables it may point to, and the folios a pfn can name (docs/design/protocols.md §M.1).
import type { Loc } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import { newPmd, showPmd, type PageTable, type Pmd } from '../include/linux/pgtable.ts';

/** One address space: a PMD entry and its lock, the PTE tables and folios it can reach. */
export interface Mm extends Pmd {
  tables: PageTable[];
  folios: Folio[];
  /** page->compound_head per pfn (0 = the page is a head or an order-0 folio), when modeled. */
  compound_head: Map<number, Loc>;
  /** mm->write_protect_seq (fork), when modeled. */
  write_protect_seq?: Loc;
  /** MMF_HAS_PINNED in mm->flags (mm->has_pinned before v5.13): GUP has pinned in this mm, when modeled. */
  MMF_HAS_PINNED?: Loc;
}

/**
 * An mm whose PMD holds `pmdInit`, with the PTE tables and folios its entries may name (traces then
 * name the folio an entry maps). `pmdName` names the PMD entry and its lock (`*pmd`, `pmd_lock`)
 * where a scenario has several mms.
 */
export function newMm(b: Builder, pmdInit: number, tables: PageTable[], folios: Folio[], pmdName = 'pmd'): Mm {
  const mm: Mm = { ...newPmd(b, pmdInit, pmdName), tables, folios, compound_head: new Map() };
  for (const loc of [mm.pmd, ...tables.flatMap((T) => T.entries)]) decorate(b, mm, loc);
  return mm;
}

/**
 * A further PMD entry of `mm`, on the same PMD page (it shares the PMD lock): mremap's source and
 * destination, two VMAs of one process.
 */
export function mmPmd(b: Builder, mm: Mm, name: string, init: number, show: (v: number) => string = showPmd): Pmd {
  const pmd: Pmd = { pmd: b.loc(`*${name}`, init, show), pml: mm.pml };
  decorate(b, mm, pmd.pmd);
  return pmd;
}

// Traces name the folio an entry maps and the table a PMD points to: "T0[0] → pte(pfn 1 PW, P)",
// "*pmd → huge(pfn 9, HP)", "*new_pmd → table(page0)".
function decorate(b: Builder, mm: Mm, loc: Loc): void {
  const info = b.locs[loc];
  const show = info.show;
  if (!show) return;
  info.show = (v) => {
    const text = show(v);
    const t = /^table\(T(\d+)\)$/.exec(text);
    const T = t ? mm.tables.find((x) => x.id === Number(t[1])) : undefined;
    if (T) return `table(${T.name})`;
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

/** The folio at `pfn` (a PTE names it). */
export function folio(mm: Mm, pfn: number): Folio {
  const f = mm.folios.find((x) => x.pfn === pfn);
  if (!f) throw new Error(`no folio at pfn ${pfn}`);
  return f;
}
