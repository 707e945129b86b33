// The model's state at one step of a scenario trace, read from the trace's typed objects (page
// tables, folios, CPUs, page caches, struct pages …), its value types (locks, PMD entries) and its
// values as data. No display string is parsed: the kernel model's pretty-printers can be reworded
// without changing what the page understands. Objects of kinds not drawn here, and locations of
// no object, land in `other`, one plain table each, so every trace renders. Pure functions over
// the JSON trace: unit-tested in Node, used by the page.
import type {
  CpuStateValue, ObjectAttrs, ObjectFields, ObjectKind, PmdValue, PteValue, RefcountValue, ScenarioTrace, TraceObject, TraceStep, TraceValue,
  WaitKind,
} from '../trace-format/index.ts';

export interface Cell {
  loc: number;
  name: string;
  /** Short label inside its object, e.g. '[0]', 'ptl', '_refcount'. */
  label: string;
  /** The value as text (as the step table prints it) … */
  value: string;
  /** … and as data (null: freed memory). */
  data: TraceValue;
  /** The step wrote this location, or its value differs from the step before. */
  changed: boolean;
  /** The step read this location. */
  read: boolean;
  /** Value before the step (when changed). */
  before: string | null;
}

export interface PmdView { cell: Cell; kind: 'table' | 'huge' | 'none' | 'other'; table: string | null; lock: Cell | null }
export interface TableView {
  name: string;
  /** A PTE table, or the kernel's own page table (the vmemmap). */
  kind: 'pte' | 'kernel';
  /** attached (a PMD points to it), detached (no PMD does, not freed), freed, or kernel page table. */
  status: 'attached' | 'detached' | 'freed' | 'kernel page table' | 'table';
  pointedBy: string[];
  ptl: Cell | null;
  entries: Cell[];
  fields: Cell[];
}
export interface FolioView {
  name: string;
  refcount: Cell | null;
  /** Pins: the _pincount field if there is one, else what the refcount says (refcount / GUP_PIN_COUNTING_BIAS). */
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
  /** A hardware access is in flight on the CPU (its 'hw_access' field), which a broadcast invalidation waits for; null: not modelled. */
  accessInFlight: boolean | null;
  readerDepth: number | null;
  gen: number | null;
  /** Step index at which the current RCU read-side section began (null: none or unknown). */
  readerSince: number | null;
  rcu: Cell | null;
  tlb: Cell | null;
  fields: Cell[];
}
export interface LockView { cell: Cell; held: boolean; holder: string | null; since: number | null }
/** A 64-bit entry stored as two 32-bit words (PAE). */
export interface SplitEntryView { name: string; low: Cell; high: Cell }
export interface MappingView { name: string; slots: Cell[]; fields: Cell[] }
export interface PagesView { name: string; columns: string[]; rows: { index: string; cells: (Cell | null)[] }[] }
export interface WaitView {
  thread: string;
  fn: string;
  /** The step where the thread entered the waiting function. */
  since: number;
  kind: WaitKind;
  /** False at the step where the wait ends (the thread's next step is elsewhere). */
  pending: boolean;
  /** What the wait is held up by: for a grace period the CPUs seen inside a reader (with the
   * state seen), for an IPI or TLB flush the other CPUs with IRQs off, for a broadcast
   * invalidation the CPUs with a hardware access in flight. Empty when not pending. */
  waitingFor: string[];
  /** At the cursor's step, the thread's wait on this object (a CPU) returned. */
  returnsFrom: string | null;
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

/** An object of a kind trace-format declares, with the fields that kind is sure to have. */
type Obj<K extends ObjectKind> = TraceObject & { kind: K; fields: ObjectFields[K] & Record<string, number | number[]> };

export function memoryAt(t: ScenarioTrace, cursor: number): string[] {
  return cursor < 0 ? t.locations.map((l) => l.initText) : t.steps[cursor].memory;
}

export function valuesAt(t: ScenarioTrace, cursor: number): TraceValue[] {
  return cursor < 0 ? t.locations.map((l) => l.initValue) : t.steps[cursor].values;
}

function objectsOf<K extends ObjectKind>(t: ScenarioTrace, kind: K): Obj<K>[] {
  return t.objects.filter((o): o is Obj<K> => o.kind === kind);
}

const isLock = (t: ScenarioTrace, loc: number): boolean => t.locations[loc].type === 'lock';

/** The label of a location inside its object: its field, with the index of an array field ('[3]' for entries). */
function labelOf(t: ScenarioTrace, loc: number): string {
  const l = t.locations[loc];
  if (l.field === null) return l.name;
  if (l.index === null) return l.field;
  return l.field === 'entries' ? `[${l.index}]` : `${l.field}[${l.index}]`;
}

export function deriveState(t: ScenarioTrace, cursor: number): StepState {
  const step = cursor >= 0 ? t.steps[cursor] : null;
  const mem = memoryAt(t, cursor);
  const vals = valuesAt(t, cursor);
  const prev = cursor >= 0 ? memoryAt(t, cursor - 1) : mem;
  const wrote = new Set(step?.wrote ?? []);
  const readLoc = step && (step.kind === 'read' || step.kind === 'rmw') ? step.loc : null;
  const used = new Set<number>();
  const cell = (loc: number, label = labelOf(t, loc)): Cell => {
    used.add(loc);
    const changed = wrote.has(loc) || mem[loc] !== prev[loc];
    return { loc, name: t.locations[loc].name, label, value: mem[loc], data: vals[loc], changed, read: readLoc === loc, before: changed ? prev[loc] : null };
  };
  const field = (o: TraceObject, f: string): Cell | null => {
    const l = o.fields[f];
    return typeof l === 'number' ? cell(l) : null;
  };
  const cells = (o: TraceObject, f: string): Cell[] => {
    const l = o.fields[f];
    return Array.isArray(l) ? l.map((x) => cell(x)) : [];
  };
  const rest = (o: TraceObject): Cell[] => Object.values(o.fields).flat().filter((l) => !used.has(l)).map((l) => cell(l));

  const locks = lockViews(t, cursor, cell);
  const pmds = pmdViews(t, cell);

  // Page tables (and the kernel's vmemmap table).
  const tables: TableView[] = [];
  for (const o of objectsOf(t, 'pagetable')) {
    const entries = cells(o, 'entries');
    const pointedBy = pmds.filter((p) => p.table === o.name).map((p) => p.cell.name);
    // A freed table's entries are freed memory (the engine's object lifetimes).
    const status = entries.length > 0 && entries.every((e) => e.data === null) ? 'freed' : pointedBy.length > 0 ? 'attached' : pmds.length > 0 ? 'detached' : 'table';
    tables.push({ name: o.name, kind: 'pte', status, pointedBy, ptl: field(o, 'ptl'), entries, fields: rest(o) });
  }
  for (const o of objectsOf(t, 'vmemmap')) {
    tables.push({ name: o.name, kind: 'kernel', status: 'kernel page table', pointedBy: [], ptl: null, entries: cells(o, 'entries'), fields: rest(o) });
  }
  const split = objectsOf(t, 'pae-pte').map((o) => ({ name: o.name, low: field(o, 'low')!, high: field(o, 'high')! }));
  const mappings = objectsOf(t, 'mapping').map((o) => ({ name: o.name, slots: cells(o, 'i_pages'), fields: rest(o) }));
  const folios = objectsOf(t, 'folio').map((o) => folioView(o, field, rest));
  const cpus = objectsOf(t, 'cpu').map((o) => cpuView(t, cursor, o, field, rest));
  const pages = objectsOf(t, 'struct-page-backing').map((o) => pagesView(o, cell));
  const ghost = objectsOf(t, 'ghost').flatMap((o) => rest(o));

  // Everything else: objects of other kinds, and locations of no object grouped by name. A group
  // that is only locks (pmd_lock, mm.page_table_lock) shows in Locks, not here.
  const other: GroupView[] = [];
  const drawn = new Set<string>(['pagetable', 'vmemmap', 'pae-pte', 'mapping', 'folio', 'cpu', 'struct-page-backing', 'ghost']);
  const push = (group: string, locs: number[]): void => {
    const left = locs.filter((l) => !used.has(l));
    if (left.length > 0 && !left.every((l) => isLock(t, l))) other.push({ group, cells: left.map((l) => cell(l)) });
  };
  for (const o of t.objects) if (!drawn.has(o.kind)) push(o.name, Object.values(o.fields).flat());
  for (const o of objectsOf(t, 'struct-page-backing')) push(o.name, Object.values(o.fields).flat());
  const loose = new Map<string, number[]>();
  for (const l of t.locations) if (l.object === null) loose.set(l.group, [...(loose.get(l.group) ?? []), l.id]);
  for (const [g, locs] of loose) push(g, locs);

  return { cursor, step, pmds, tables, split, folios, cpus, locks, mappings, pages, waits: waitViews(t, cursor, cpus), ghost, other };
}

/** Every lock word, with the thread whose step last took it. */
function lockViews(t: ScenarioTrace, cursor: number, cell: (loc: number, label?: string) => Cell): LockView[] {
  const holder = new Map<number, { who: string; since: number }>();
  for (let i = 0; i <= cursor; i++) {
    const s = t.steps[i];
    for (const loc of s.wrote) {
      if (!isLock(t, loc)) continue;
      if (s.values[loc] === true) holder.set(loc, { who: s.thread, since: i });
      else holder.delete(loc);
    }
  }
  return t.locations.filter((l) => isLock(t, l.id)).map((l) => {
    const c = cell(l.id, l.name);
    const held = c.data === true;
    const h = holder.get(l.id);
    return { cell: c, held, holder: held ? h?.who ?? null : null, since: held ? h?.since ?? null : null };
  });
}

/** The PMD entries (locations of type 'pmd'), each with the table it points to and its mm's PMD lock. */
function pmdViews(t: ScenarioTrace, cell: (loc: number, label?: string) => Cell): PmdView[] {
  return t.locations.filter((l) => l.type === 'pmd').map((l) => {
    const c = cell(l.id, l.name);
    const v = c.data as PmdValue | null;
    const owner = l.object !== null ? t.objects[l.object] : null;
    const lock = owner && owner.kind === 'mm' && typeof owner.fields.pmd_lock === 'number' ? cell(owner.fields.pmd_lock, 'pmd_lock') : null;
    const kind = v === null ? 'other' : v.entry === 'table' || v.entry === 'huge' || v.entry === 'none' ? v.entry : 'other';
    return { cell: c, kind, table: v !== null && v.entry === 'table' ? v.table : null, lock };
  });
}

function folioView(o: Obj<'folio'>, field: (o: TraceObject, f: string) => Cell | null, rest: (o: TraceObject) => Cell[]): FolioView {
  const refcount = field(o, '_refcount');
  const pc = field(o, '_pincount');
  const rc = refcount?.data as RefcountValue | null | undefined;
  const pincount = pc ? (typeof pc.data === 'number' ? pc.data : null) : rc ? rc.pins : null;
  const frozen = field(o, 'frozen_by');
  const freed = field(o, 'freed');
  const gen = field(o, 'gen');
  const status = freed === null || typeof freed.data !== 'boolean' ? 'unknown'
    : freed.data ? 'free' : frozen !== null && typeof frozen.data === 'number' ? 'frozen' : 'allocated';
  return { name: o.name, refcount, pincount, frozen, freed, gen, status, fields: rest(o) };
}

function cpuView(t: ScenarioTrace, cursor: number, o: Obj<'cpu'>, field: (o: TraceObject, f: string) => Cell | null, rest: (o: TraceObject) => Cell[]): CpuView {
  const n = (o.attrs as ObjectAttrs['cpu']).cpu;
  const th = t.threads.find((x) => x.tid === n) ?? null;
  const rcu = field(o, 'rcu_irq');
  const tlb = field(o, 'tlb');
  const p = (rcu?.data ?? null) as CpuStateValue | null;
  const depthAt = (v: TraceValue): number => (v as CpuStateValue | null)?.readerDepth ?? 0;
  let fn: string | null = null;
  let done = false;
  let readerSince: number | null = null;
  let depth0 = rcu ? depthAt(t.locations[rcu.loc].initValue) : 0;
  for (let i = 0; i <= cursor; i++) {
    const s = t.steps[i];
    if (th && s.tid === th.tid) {
      if (s.kind === 'end') done = true;
      else if (s.fn && s.fn !== '(check)') fn = s.fn;
    }
    if (rcu) {
      const d = depthAt(s.values[rcu.loc]);
      if (d > 0 && depth0 === 0) readerSince = i;
      if (d === 0) readerSince = null;
      depth0 = d;
    }
  }
  const fields = rest(o);
  const hw = fields.find((c) => c.label === 'hw_access');
  return {
    name: o.name, thread: th ? th.name : null, fn, done,
    irqsOff: p ? p.irqsOff : null, accessInFlight: typeof hw?.data === 'boolean' ? hw.data : null, readerDepth: p ? p.readerDepth : null, gen: p ? p.gen : null,
    readerSince: p && p.readerDepth > 0 ? readerSince : null, rcu, tlb, fields,
  };
}

/** A physical page of struct pages as a table: one row per struct page, one column per array field. */
function pagesView(o: Obj<'struct-page-backing'>, cell: (loc: number, label?: string) => Cell): PagesView {
  const columns = Object.keys(o.fields).filter((f) => Array.isArray(o.fields[f]));
  const n = Math.max(0, ...columns.map((c) => (o.fields[c] as number[]).length));
  const rows = Array.from({ length: n }, (_, i) => ({
    index: String(i),
    cells: columns.map((c) => {
      const l = (o.fields[c] as number[])[i];
      return l === undefined ? null : cell(l, c);
    }),
  }));
  return { name: o.name, columns, rows };
}

/**
 * Grace periods and IPI/TLB-flush waits in progress: the thread's latest run of steps in a
 * function the trace's function table says waits (synchronize_rcu, smp_call_function,
 * flush_tlb_*, …). In the model a waiter snapshots each other CPU's RCU word; a CPU seen inside a
 * reader is waited for until the waiter's wait on that word returns.
 */
function waitViews(t: ScenarioTrace, cursor: number, cpus: CpuView[]): WaitView[] {
  const cpuOf = (loc: number | null): TraceObject | null => {
    if (loc === null) return null;
    const l = t.locations[loc];
    const o = l.object !== null ? t.objects[l.object] : null;
    return o && o.kind === 'cpu' && l.field === 'rcu_irq' ? o : null;
  };
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
    const kind = last.fn ? t.functions?.[last.fn]?.waits : undefined;
    if (!last.fn || !kind) continue;
    let k = mine.length - 1;
    while (k > 0 && t.steps[mine[k - 1]].fn === last.fn) k--;
    const waitingFor = new Map<string, string>();
    for (const i of mine.slice(k)) {
      const st = t.steps[i];
      const c = cpuOf(st.loc);
      if (!c) continue;
      if (st.op === 'await' && !st.blocked) { waitingFor.delete(c.name); continue; }
      if (st.op === 'load' && st.read && (c.attrs as ObjectAttrs['cpu']).cpu !== th.tid && ((st.read.value as CpuStateValue | null)?.readerDepth ?? 0) > 0) {
        waitingFor.set(c.name, st.read.text);
      }
    }
    const pending = next >= 0 && t.steps[next].fn === last.fn;
    // An IPI (and a TLB flush by IPI) is taken by a CPU only with IRQs on: it waits for the
    // CPUs that have IRQs off now; a grace period waits for the readers it saw.
    // A broadcast invalidation (TLBI, tlbie) waits for the hardware accesses in flight.
    const blocking = kind === 'IPI' || kind === 'TLB flush'
      ? cpus.filter((c) => c.irqsOff && c.thread !== th.name).map((c) => `${c.name} (IRQs off)`)
      : kind === 'broadcast invalidation'
      ? cpus.filter((c) => c.accessInFlight && c.thread !== th.name).map((c) => `${c.name} (access in flight)`)
      : [...waitingFor].map(([c, v]) => `${c} (${v})`);
    const here = cursor >= 0 ? t.steps[cursor] : null;
    const returned = here && here.tid === th.tid && here.op === 'await' && !here.blocked && here.loc !== null
      ? cpuOf(here.loc)?.name ?? t.locations[here.loc].name : null;
    waits.push({ thread: th.name, fn: last.fn, since: mine[k], kind, pending, waitingFor: pending ? blocking : [], returnsFrom: returned });
  }
  return waits;
}

/** The step whose write the cursor's read returned (-1: the initial value; null: not a read). */
export function rfSource(t: ScenarioTrace, cursor: number): number | null {
  const s = t.steps[cursor];
  if (!s || (s.kind !== 'read' && s.kind !== 'rmw') || s.loc === null) return null;
  if (!s.readsFrom) return -1;
  return s.readsFrom.step;
}

/** The violation's invariant as a heading: 'I8 — GUP validity.' (its id alone when the trace has no title). */
export function invariantHeading(v: ScenarioTrace['violation']): string | null {
  if (!v || v.invariant === null) return null;
  return v.title ? `${v.invariant} — ${v.title}` : v.invariant;
}

/** Is a PTE none (an empty entry)? */
export const pteNone = (c: Cell): boolean => (c.data as PteValue | null)?.entry === 'none';
