// A scenario trace (kind 'scenario', version 2): one execution of a scenario, program or model
// file, step by step, with the memory after each step as text and as data, and the program's
// typed objects. `mmcheck check|replay … --trace FILE` writes it (src/engine/trace-json.ts), the
// viewer steps through it (src/viewer).
import type { TraceValue } from './values.ts';
import type { SCENARIO_VERSION, SCHEMA } from './version.ts';

export interface TraceLocation {
  id: number;
  name: string;
  /** The name up to the first '.' or '[' (e.g. 'T0', 'cpu1'): how a reader groups locations of no object. */
  group: string;
  /** The object the location belongs to (index into `objects`), or null. */
  object: number | null;
  /** Its field in that object (e.g. 'entries', 'ptl'), and its index when the field is an array. */
  field: string | null;
  index: number | null;
  /** Its value type (e.g. 'lock', 'pmd': trace-format's ValueTypes), or null: plain integers. */
  type: string | null;
  init: number;
  initText: string;
  initValue: TraceValue;
}

/** An object of the program (Builder.object): a page table, a folio, a CPU … */
export interface TraceObject {
  id: number;
  /** 'pagetable', 'folio', 'cpu' … (trace-format's ObjectFields lists the kinds the viewer draws). */
  kind: string;
  name: string;
  /** Its locations by field (location ids; an array field lists several). */
  fields: Record<string, number | number[]>;
  /** Data about the object beyond its locations (e.g. a CPU's number: trace-format's ObjectAttrs). */
  attrs: Record<string, TraceValue>;
  /** The invariant an access to its freed memory breaks, when it declares one. */
  invariant: string | null;
}

/** What the step asked of the engine. */
export type TraceOp = 'load' | 'store' | 'rmw' | 'fence' | 'lock' | 'unlock' | 'trylock' | 'spawn' | 'join' |
  'assume' | 'await' | 'assert' | 'free' | 'alloc';

export interface TraceStep {
  index: number;
  tid: number;
  thread: string;
  fn: string | null;
  /** One line, as in the printed trace. */
  text: string;
  kind: 'read' | 'write' | 'rmw' | 'fence' | 'spawn' | 'join' | 'end' | 'block' | 'error';
  /** The operation (null: the thread's end). */
  op: TraceOp | null;
  loc: number | null;
  /** For reads: the write read from — its thread, its event index in that thread, and the step
   * that executed it (null: the initial value). */
  readsFrom: { tid: number; event: number; step: number | null } | null;
  /** For reads: the value read, as data and as text (under a weak model it may be older than `memory`). */
  read: { value: TraceValue; text: string } | null;
  /** The read left the thread blocked (a wait that stays blocked, a spin_lock that spins). */
  blocked: boolean;
  /** Locations this step wrote. */
  wrote: number[];
  /** What the step did to memory lifetimes: the locations it freed (t.free) and allocated (t.alloc). */
  life: { freed: number[]; allocated: number[] } | null;
  /** Memory after this step, per location (same order as `locations`): as text … */
  memory: string[];
  /** … and as data (null: freed memory). */
  values: TraceValue[];
  /** True for the step where the violation shows. */
  violation: boolean;
}

/**
 * What a kernel function does that a reader shows: it waits for other CPUs — a grace period (for
 * the readers it saw), an IPI or an IPI-based TLB flush (for the CPUs with IRQs off), a broadcast
 * invalidation (TLBI, tlbie: for the hardware accesses in flight), or a wait of another kind.
 */
export type WaitKind = 'grace period' | 'IPI' | 'TLB flush' | 'broadcast invalidation' | 'wait';

/** A function's source as a trace names it: its file, the versions the model follows, and what it waits for. */
export interface FunctionSource {
  file: string;
  version: string;
  /** The function waits for other CPUs (a grace period, an IPI …). */
  waits?: WaitKind;
}

export interface TraceViolation {
  /** What kind of check failed: 'assertion', 'deadlock', 'final', 'use-after-free' … */
  property: string;
  /** The invariant broken (its id), with its title and meaning when the writer knows them. */
  invariant: string | null;
  title: string | null;
  meaning: string | null;
  message: string;
  /** The step where it shows. */
  step: number | null;
  /** The step the violation is reported at (a failed assertion, the faulting access), if any. */
  at: number | null;
}

export interface ScenarioTrace {
  schema: typeof SCHEMA;
  version: typeof SCENARIO_VERSION;
  kind: 'scenario';
  target: string;
  scenario: string | null;
  variant: string | null;
  model: string;
  params: Record<string, number>;
  threads: { tid: number; name: string }[];
  locations: TraceLocation[];
  objects: TraceObject[];
  steps: TraceStep[];
  violation: TraceViolation | null;
  replay: string | null;
  schedule: string | null;
  /**
   * Where the functions the steps name come from, when the writer knows (the kernel model's
   * declarations: `mmcheck list --functions`): a step's `fn` is `functions[fn].file`:`fn`.
   * Optional: programs without declared functions have none.
   */
  functions?: Record<string, FunctionSource>;
  /** Under a weak model: why the counterexample needs weak memory (optional; see
   * docs/explain.md). Steps are indices into `steps`; null for an initial write. */
  weakMemory?: TraceWeakMemory;
}

/** Why a counterexample needs weak memory, by step (ScenarioTrace.weakMemory). */
export interface TraceWeakMemory {
  /** True when the execution is sequentially consistent (nothing below). */
  sc: boolean;
  /** The reads that saw a stale value. */
  staleReads: number[];
  /** The cycle of po, rf, co and fr. */
  cycle: { from: number | null; to: number | null; rel: string }[];
  /** The po edges the code leaves unordered, with what would order them. */
  unordered: { from: number; to: number; fixes: string[] }[];
  /** The explanation as the command line prints it. */
  text: string[];
}
