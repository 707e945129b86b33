// A scenario trace (kind 'scenario'): one execution of a scenario, program or model file, step by
// step, with the memory after each step. `mmcheck check|replay … --trace FILE` writes it
// (src/engine/trace-json.ts), the viewer steps through it (src/viewer).
import type { SCENARIO_VERSION, SCHEMA } from './version.ts';

export interface TraceLocation {
  id: number;
  name: string;
  /** The object the location belongs to: the name up to the first '.' or '[' (e.g. 'T0', 'cpu1'). */
  group: string;
  init: number;
  initText: string;
}

export interface TraceStep {
  index: number;
  tid: number;
  thread: string;
  fn: string | null;
  /** One line, as in the printed trace. */
  text: string;
  kind: 'read' | 'write' | 'rmw' | 'fence' | 'spawn' | 'join' | 'end' | 'block' | 'error';
  loc: number | null;
  /** For reads: the write read from — its thread, its event index in that thread, and the step
   * that executed it (null: the initial value). */
  readsFrom: { tid: number; event: number; step: number | null } | null;
  /** Locations this step wrote. */
  wrote: number[];
  /** Memory after this step: decoded value per location (same order as `locations`). */
  memory: string[];
  /** True for the step where the violation shows. */
  violation: boolean;
}

/** A function's source as a trace names it: its file and the versions the model follows. */
export interface FunctionSource {
  file: string;
  version: string;
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
  steps: TraceStep[];
  violation: { property: string; invariant: string | null; message: string; step: number | null } | null;
  replay: string | null;
  schedule: string | null;
  /**
   * Where the functions the steps name come from, when the writer knows (the kernel model's
   * declarations: `mmcheck list --functions`): a step's `fn` is `functions[fn].file`:`fn`.
   * Optional: older traces and programs without declared functions have none.
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
