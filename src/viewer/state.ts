// The model's state at one step of a scenario trace, recognised from the location names of the
// kernel model (src/kernel): page tables, folios, CPUs (IRQs, RCU, TLB), locks, page caches.
// Anything not recognised lands in `other`, one plain table per group, so every trace renders.
// Pure functions over the JSON trace: unit-tested in Node, used by the page.
import type { ScenarioTrace, TraceStep } from '../trace-format/index.ts';

export interface Cell {
  loc: number;
  name: string;
  /** Short label inside its object, e.g. '[0]', 'ptl', '_refcount'. */
  label: string;
  value: string;
  /** The step wrote this location, or its value differs from the step before. */
  changed: boolean;
  /** The step read this location. */
  read: boolean;
  /** Value before the step (when changed). */
  before: string | null;
}

export interface PmdView { cell: Cell; kind: 'table' | 'huge' | 'none' | 'other'; table: string | null }
export interface TableView {
  name: string;
  /** attached (a PMD points to it), detached (no PMD does, not freed), freed, reused, or the life value. */
  status: string;
  pointedBy: string[];
  life: Cell | null;
  ptl: Cell | null;
  entries: Cell[];
  fields: Cell[];
}
export interface FolioView {
  name: string;
  refcount: Cell | null;
  /** Pins: the _pincount location if there is one, else refcount / GUP_PIN_COUNTING_BIAS (1024). */
  pincount: number | null;
  frozen: Cell | null;
  freed: Cell | null;
  gen: Cell | null;
  status: 'allocated' | 'free' | 'frozen' | 'unknown';
  fields: Cell[];
}
export interface CpuView {
  name: string;
  thread: string | null;
  /** The kernel function the CPU's thread ran last (null: not started), and whether it has returned. */
  fn: string | null;
  done: boolean;
  irqsOff: boolean | null;
  readerDepth: number | null;
  gen: number | null;
  /** Step index at which the current RCU read-side section began (null: none or unknown). */
  readerSince: number | null;
  rcu: Cell | null;
  tlb: Cell | null;
  fields: Cell[];
}
export interface LockView { cell: Cell; held: boolean; holder: string | null; since: number | null }
/** A 64-bit entry stored as two 32-bit words (PAE): `<g>.low`, `<g>.high`. */
export interface SplitEntryView { name: string; low: Cell; high: Cell }
export interface MappingView { name: string; slots: Cell[]; fields: Cell[] }
export interface PagesView { name: string; columns: string[]; rows: { index: string; cells: (Cell | null)[] }[] }
export interface WaitView {
  thread: string;
  fn: string;
  /** The step where the thread entered the waiting function. */
  since: number;
  kind: 'grace period' | 'IPI' | 'TLB flush' | 'wait';
  /** False at the step where the wait ends (the thread's next step is elsewhere). */
  pending: boolean;
  /** What the wait is held up by: for a grace period the CPUs seen inside a reader (with the
   * state seen), for an IPI or TLB flush the other CPUs with IRQs off. Empty when not pending. */
  waitingFor: string[];
}
export interface GroupView { group: string; cells: Cell[] }

export interface StepState {
  /** -1: the initial state. */
  cursor: number;
  step: TraceStep | null;
  pmds: PmdView[];
  tables: TableView[];
  split: SplitEntryView[];
  folios: FolioView[];
  cpus: CpuView[];
  locks: LockView[];
  mappings: MappingView[];
  pages: PagesView[];
  /** Grace periods, IPIs and TLB-flush waits in progress (or ending at this step). */
  waits: WaitView[];
  ghost: Cell[];
  other: GroupView[];
}

export const PIN_BIAS = 1024;
const LOCK_VALUES = new Set(['locked', 'unlocked']);
const WAIT_FNS = /synchronize_rcu|call_rcu|rcu_barrier|sync_one|smp_call_function|flush_tlb|synchronize|wait/;

export function memoryAt(t: ScenarioTrace, cursor: number): string[] {
  return cursor < 0 ? t.locations.map((l) => l.initText) : t.steps[cursor].memory;
}

/** The locations ever holding 'locked'/'unlocked' (spinlocks and PTLs). */
export function lockLocations(t: ScenarioTrace): Set<number> {
  const out = new Set<number>();
  t.locations.forEach((l, i) => {
    if (LOCK_VALUES.has(l.initText) || /(^|[._])(ptl|[a-z_]*lock)$/.test(l.name)) out.add(i);
    else if (t.steps.some((s) => LOCK_VALUES.has(s.memory[i]))) out.add(i);
  });
  return out;
}

export function parseRcu(v: string): { gen: number | null; irqsOff: boolean; depth: number } | null {
  const m = /^gen (\d+)(.*)$/.exec(v);
  if (!m) return null;
  const d = /reader depth (\d+)/.exec(m[2]);
  return { gen: Number(m[1]), irqsOff: /IRQs off/.test(m[2]), depth: d ? Number(d[1]) : 0 };
}

export function deriveState(t: ScenarioTrace, cursor: number): StepState {
  const step = cursor >= 0 ? t.steps[cursor] : null;
  const mem = memoryAt(t, cursor);
  const prev = cursor >= 0 ? memoryAt(t, cursor - 1) : mem;
  const wrote = new Set(step?.wrote ?? []);
  const readLoc = step && (step.kind === 'read' || step.kind === 'rmw') ? step.loc : null;
  const used = new Set<number>();
  const cell = (loc: number, label: string): Cell => {
    used.add(loc);
    const changed = wrote.has(loc) || mem[loc] !== prev[loc];
    return { loc, name: t.locations[loc].name, label, value: mem[loc], changed, read: readLoc === loc, before: changed ? prev[loc] : null };
  };
  const byName = new Map(t.locations.map((l) => [l.name, l.id]));
  const groups = new Map<string, number[]>();
  for (const l of t.locations) {
    const g = groups.get(l.group) ?? [];
    g.push(l.id);
    groups.set(l.group, g);
  }
  const field = (g: string, f: string): Cell | null => {
    const id = byName.get(`${g}.${f}`);
    return id === undefined ? null : cell(id, f);
  };
  const rest = (g: string): Cell[] => (groups.get(g) ?? []).filter((id) => !used.has(id)).map((id) => cell(id, t.locations[id].name.slice(g.length).replace(/^\./, '')));

  // Locks and their holders: the thread whose step last set the lock to 'locked'.
  const lockIds = lockLocations(t);
  const holder = new Map<number, { who: string; since: number }>();
  for (let i = 0; i <= cursor; i++) {
    const s = t.steps[i];
    for (const loc of s.wrote) {
      if (!lockIds.has(loc)) continue;
      if (s.memory[loc] === 'locked') holder.set(loc, { who: s.thread, since: i });
      else holder.delete(loc);
    }
  }

  // PMDs.
  const pmds: PmdView[] = [];
  for (const l of t.locations) {
    if (!/^\*pmd/.test(l.name)) continue;
    const c = cell(l.id, l.name);
    const v = c.value;
    const tm = /^table\(([^)]+)\)/.exec(v);
    pmds.push({ cell: c, kind: tm ? 'table' : /^huge/.test(v) ? 'huge' : v === 'none' ? 'none' : 'other', table: tm ? tm[1] : null });
  }

  // Page tables: groups with entries g[i] and a ptl or life field (or named T<n>).
  const tables: TableView[] = [];
  const mappings: MappingView[] = [];
  const folios: FolioView[] = [];
  const cpus: CpuView[] = [];
  const pages: PagesView[] = [];
  const ghost: Cell[] = [];
  const other: GroupView[] = [];
  const split: SplitEntryView[] = [];
  for (const [g, ids] of groups) {
    if (/^\*pmd/.test(g)) continue;
    const names = ids.map((id) => t.locations[id].name);
    const entryIds = ids.filter((id) => /^[^.[]+\[\d+\]$/.test(t.locations[id].name));
    const kernelPt = entryIds.length === ids.length && /pte|pmd|pgd|pud/.test(g);
    if (entryIds.length > 0 && (/^T\d+$/.test(g) || names.includes(`${g}.ptl`) || names.includes(`${g}.life`) || kernelPt)) {
      const entries = entryIds.map((id) => cell(id, t.locations[id].name.slice(g.length)));
      const life = field(g, 'life');
      const ptl = field(g, 'ptl');
      const pointedBy = pmds.filter((p) => p.table === g).map((p) => p.cell.name);
      // A freed table's entries read 'freed' (the engine's object lifetimes); older traces had a life word.
      const lv = life?.value ?? (entries.length > 0 && entries.every((e) => e.value === 'freed') ? 'freed' : '');
      const status = /freed/.test(lv) ? 'freed' : /reused/.test(lv) ? 'reused' : /detached/.test(lv) ? 'detached'
        : pointedBy.length > 0 ? 'attached' : kernelPt && !life ? 'kernel page table' : pmds.length > 0 ? 'detached' : (lv || 'table');
      tables.push({ name: g, status, pointedBy, life, ptl, entries, fields: rest(g) });
      continue;
    }
    if (ids.length === 2 && names.includes(`${g}.low`) && names.includes(`${g}.high`)) {
      split.push({ name: g, low: field(g, 'low')!, high: field(g, 'high')! });
      continue;
    }
    if (names.some((n) => /\.i_pages\[\d+\]$/.test(n))) {
      const slots = ids.filter((id) => /\.i_pages\[\d+\]$/.test(t.locations[id].name)).map((id) => cell(id, t.locations[id].name.slice(g.length + 1)));
      mappings.push({ name: g, slots, fields: rest(g) });
      continue;
    }
    if (names.includes(`${g}._refcount`) && (names.includes(`${g}.freed`) || names.includes(`${g}.frozen_by`) || names.includes(`${g}.gen`))) {
      const refcount = field(g, '_refcount');
      const pc = field(g, '_pincount');
      const rc = refcount ? Number(refcount.value) : NaN;
      const pincount = pc ? Number(pc.value) : Number.isFinite(rc) && rc >= PIN_BIAS ? Math.floor(rc / PIN_BIAS) : Number.isFinite(rc) ? 0 : null;
      const frozen = field(g, 'frozen_by');
      const freed = field(g, 'freed');
      const gen = field(g, 'gen');
      const status = freed && /allocator|freed/.test(freed.value) ? 'free' : frozen && /^frozen/.test(frozen.value) ? 'frozen' : freed ? 'allocated' : 'unknown';
      folios.push({ name: g, refcount, pincount, frozen, freed, gen, status, fields: rest(g) });
      continue;
    }
    if (/^cpu\d+$/.test(g)) {
      const n = Number(g.slice(3));
      const th = t.threads.find((x) => x.tid === n) ?? null;
      const rcu = field(g, 'rcu_irq');
      const tlb = field(g, 'tlb');
      const p = rcu ? parseRcu(rcu.value) : null;
      let fn: string | null = null;
      let done = false;
      let readerSince: number | null = null;
      let depth0 = p ? (parseRcu(t.locations[rcu!.loc].initText)?.depth ?? 0) : 0;
      for (let i = 0; i <= cursor; i++) {
        const s = t.steps[i];
        if (th && s.tid === th.tid) {
          if (s.kind === 'end') done = true;
          else if (s.fn && s.fn !== '(check)') fn = s.fn;
        }
        if (rcu) {
          const d = parseRcu(s.memory[rcu.loc])?.depth ?? 0;
          if (d > 0 && depth0 === 0) readerSince = i;
          if (d === 0) readerSince = null;
          depth0 = d;
        }
      }
      cpus.push({
        name: g, thread: th ? th.name : null, fn, done,
        irqsOff: p ? p.irqsOff : null, readerDepth: p ? p.depth : null, gen: p ? p.gen : null,
        readerSince: p && p.depth > 0 ? readerSince : null, rcu, tlb, fields: rest(g),
      });
      continue;
    }
    if (g === 'ghost') { ghost.push(...rest(g)); continue; }
    const pageRe = new RegExp(`^${g.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.page\\[(\\d+)\\]\\.(.+)$`);
    if (names.some((n) => pageRe.test(n))) {
      const columns: string[] = [];
      const rowsMap = new Map<string, Map<string, Cell>>();
      for (const id of ids) {
        const m = pageRe.exec(t.locations[id].name);
        if (!m) continue;
        if (!columns.includes(m[2])) columns.push(m[2]);
        const row = rowsMap.get(m[1]) ?? new Map<string, Cell>();
        row.set(m[2], cell(id, m[2]));
        rowsMap.set(m[1], row);
      }
      pages.push({ name: g, columns, rows: [...rowsMap].map(([index, r]) => ({ index, cells: columns.map((c) => r.get(c) ?? null) })) });
      const left = rest(g);
      if (left.length) other.push({ group: g, cells: left });
      continue;
    }
    // A group that is just a lock (pmd_lock) shows in Locks (and next to the PMD), not here.
    if (ids.every((id) => lockIds.has(id))) continue;
    other.push({ group: g, cells: rest(g) });
  }
  // Locks (also shown inside their objects).
  const locks: LockView[] = [...lockIds].map((id) => {
    const c = cell(id, t.locations[id].name);
    const h = holder.get(id);
    return { cell: c, held: c.value === 'locked', holder: c.value === 'locked' ? h?.who ?? null : null, since: c.value === 'locked' ? h?.since ?? null : null };
  });
  // Grace periods and IPI/TLB-flush waits in progress: the thread's latest run of steps in a
  // waiting function (synchronize_rcu, tlb_remove_table_sync_one, flush_tlb_*, …). In the model a
  // waiter snapshots each other CPU's rcu_irq word; a CPU seen inside a reader (depth > 0) is waited
  // for until its `wait on cpuN.rcu_irq` step (the await returning).
  const waits: WaitView[] = [];
  for (const th of t.threads) {
    const mine: number[] = [];
    let next = -1;
    for (let i = 0; i < t.steps.length; i++) {
      if (t.steps[i].tid !== th.tid) continue;
      if (i <= cursor) mine.push(i);
      else { next = i; break; }
    }
    if (mine.length === 0) continue;
    const last = t.steps[mine[mine.length - 1]];
    if (!last.fn || !WAIT_FNS.test(last.fn)) continue;
    let k = mine.length - 1;
    while (k > 0 && t.steps[mine[k - 1]].fn === last.fn) k--;
    const waitingFor = new Map<string, string>();
    for (const i of mine.slice(k)) {
      const st = t.steps[i];
      const w = /^wait on (cpu\d+)\.rcu_irq/.exec(st.text);
      if (w) { waitingFor.delete(w[1]); continue; }
      const r = /^(cpu\d+)\.rcu_irq → (.*?) \((?:once, )?from/.exec(st.text);
      if (r && st.tid === th.tid && r[1] !== `cpu${th.tid}`) {
        const p = parseRcu(r[2]);
        if (p && p.depth > 0) waitingFor.set(r[1], r[2]);
      }
    }
    const pending = next >= 0 && t.steps[next].fn === last.fn;
    const kind = /rcu/.test(last.fn) ? 'grace period' : /smp_call|sync_one/.test(last.fn) ? 'IPI' : /tlb|flush/.test(last.fn) ? 'TLB flush' : 'wait';
    // An IPI (and a TLB flush by IPI) is taken by a CPU only with IRQs on: it waits for the
    // CPUs that have IRQs off now; a grace period waits for the readers it saw.
    const blocking = kind === 'IPI' || kind === 'TLB flush'
      ? cpus.filter((c) => c.irqsOff && c.name !== `cpu${th.tid}`).map((c) => `${c.name} (IRQs off)`)
      : [...waitingFor].map(([c, v]) => `${c} (${v})`);
    waits.push({ thread: th.name, fn: last.fn, since: mine[k], kind, pending, waitingFor: pending ? blocking : [] });
  }
  return { cursor, step, pmds, tables, split, folios, cpus, locks, mappings, pages, waits, ghost, other };
}

/** The step whose write the cursor's read returned (-1: the initial value; null: not a read). The
 * trace names it; for traces without `readsFrom.step`, the last step of that thread writing the
 * location before the cursor (right under SC). */
export function rfSource(t: ScenarioTrace, cursor: number): number | null {
  const s = t.steps[cursor];
  if (!s || (s.kind !== 'read' && s.kind !== 'rmw') || s.loc === null) return null;
  if (!s.readsFrom) return -1;
  if (typeof s.readsFrom.step === 'number') return s.readsFrom.step; // exact (traces since readsFrom.step)
  for (let i = cursor - 1; i >= 0; i--) {
    const w = t.steps[i];
    if (w.tid === s.readsFrom.tid && w.wrote.includes(s.loc)) return i;
  }
  return null;
}

