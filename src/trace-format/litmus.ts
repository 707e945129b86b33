// A litmus trace (kind 'litmus'): one litmus test under a memory model, with executions drawn as
// graphs of events and their po, rf, co and fr edges (version 2: and a forbidden execution with
// the cycle that forbids it). `mmcheck litmus --trace DIR/` writes it
// (src/litmus/trace.ts), the viewer draws it (src/viewer/litmus-graph.ts).
import type { LITMUS_VERSION, SCHEMA } from './version.ts';

/** One event of a litmus execution (an init write has tid -1). */
export interface LitmusEvent {
  /** Unique within the execution, e.g. 'a', 'e3', 'init:x'. */
  id: string;
  /** Thread (P0 = 0); -1 for the initial writes. */
  tid: number;
  /** Position in the thread's program order (0 first); for init writes, an ordinal. */
  poIndex: number;
  kind: 'R' | 'W' | 'F';
  /** Location (null for fences). */
  loc: string | null;
  /** Value read or written (null for fences). */
  value: number | string | null;
  /** The primitive or ordering, e.g. 'READ_ONCE', 'smp_store_release', 'smp_mb', 'once'. */
  annotation: string;
}

export type LitmusEdgeType = 'po' | 'rf' | 'co' | 'fr';
export const EDGE_TYPES: readonly LitmusEdgeType[] = ['po', 'rf', 'co', 'fr'];

export interface LitmusEdge {
  type: LitmusEdgeType;
  from: string;
  to: string;
}

/** Why the model rejects a 'forbidden' execution (version 2): the axiom, and its cycle as edges
 * of the model's relations ('wmb', 'rfe', 'ppo' …) between events of the execution. */
export interface LitmusExplanation {
  /** The failing check of the model, e.g. 'happens-before'. */
  axiom: string;
  /** 'acyclic' | 'irreflexive' | 'empty' (or 'with': a `with x from S` had no choice). */
  test: string;
  /** The checked relation as the model writes it, e.g. 'hb'. */
  relation: string;
  /** The explanation in words, as `mmcheck litmus --explain` prints it. */
  text: string[];
  cycle: { from: string; to: string; rel: string }[];
}

export interface LitmusExecution {
  /** 'witness': satisfies the test's exists clause; 'counterexample': violates a forall / ~exists;
   * 'forbidden' (version 2): ends in the condition's state but the model rejects it. */
  kind: 'witness' | 'counterexample' | 'execution' | 'forbidden';
  /** Optional caption, e.g. 'r0=1 /\ r1=0'. */
  label?: string;
  /** Final register and memory values, e.g. {"0:r0": 1, "x": 1}. */
  final?: Record<string, number | string>;
  events: LitmusEvent[];
  edges: LitmusEdge[];
  /** For a 'forbidden' execution: what rejects it. */
  explanation?: LitmusExplanation;
}

export interface LitmusTrace {
  schema: typeof SCHEMA;
  /** 1 (older writers) or 2 (adds 'forbidden' executions). */
  version: 1 | typeof LITMUS_VERSION;
  kind: 'litmus';
  /** The test's name (from its header line). */
  test: string;
  /** Path of the .litmus file as given on the command line. */
  path: string;
  /** herd7's verdict under the model: 'Sometimes' | 'Always' | 'Never' or 'Ok' / 'No'. */
  verdict: string;
  /** Memory model, e.g. 'lkmm'. */
  model?: string;
  /** The test's final condition as written, e.g. 'exists (1:r0=1 /\ 1:r1=0)'. */
  condition?: string;
  threads?: string[];
  executions: LitmusExecution[];
}
