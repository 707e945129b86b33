// The trace formats the viewer reads (docs/trace-format.md). Pure data and checks: this module
// runs both in the browser (the page) and in Node (`mmcheck view` validates the file with it).
import type { ScenarioTrace, TraceLocation, TraceStep } from '../engine/trace-json.ts';

export type { ScenarioTrace, TraceLocation, TraceStep };

export const SCHEMA = 'mmcheck-trace';
/** The versions of each kind this viewer understands. A new version is a breaking change. */
export const SUPPORTED: Record<string, number[]> = { scenario: [1], litmus: [1, 2] };

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
export const EDGE_TYPES: LitmusEdgeType[] = ['po', 'rf', 'co', 'fr'];

export interface LitmusEdge {
  type: LitmusEdgeType;
  from: string;
  to: string;
}

/** Why the model rejects a 'forbidden' execution (litmus version 2): the axiom, and its cycle
 * as edges of the model's relations ('wmb', 'rfe', 'ppo' …) between events of the execution. */
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
  /** 2 adds 'forbidden' executions with their explanation. */
  version: 1 | 2;
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

export type AnyTrace = ScenarioTrace | LitmusTrace;

export type Checked = { ok: true; trace: AnyTrace } | { ok: false; error: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Is this an mmcheck trace at all (right schema tag)? The first check `mmcheck view` makes. */
export function isMmcheckTrace(v: unknown): boolean {
  return isObj(v) && v.schema === SCHEMA;
}

/** Full check: schema, kind, version, and the fields the page relies on. */
export function checkTrace(v: unknown): Checked {
  if (!isObj(v)) return { ok: false, error: 'not an mmcheck trace: the file is not a JSON object' };
  if (v.schema !== SCHEMA) {
    return { ok: false, error: `not an mmcheck trace: "schema" is ${JSON.stringify(v.schema ?? null)}, expected "${SCHEMA}"` };
  }
  const kind = v.kind;
  if (typeof kind !== 'string' || !(kind in SUPPORTED)) {
    return { ok: false, error: `unknown trace kind ${JSON.stringify(kind ?? null)} (this viewer reads: ${Object.keys(SUPPORTED).join(', ')})` };
  }
  const versions = SUPPORTED[kind];
  if (typeof v.version !== 'number' || !versions.includes(v.version)) {
    return {
      ok: false,
      error: `unsupported ${kind} trace version ${JSON.stringify(v.version ?? null)}: this viewer reads version ${versions.join(', ')} ` +
        '(the trace was written by a different mmcheck; open it with the mmcheck that wrote it)',
    };
  }
  const missing = (fields: string[], o: Record<string, unknown>): string | null => {
    for (const f of fields) if (!(f in o)) return f;
    return null;
  };
  if (kind === 'scenario') {
    const m = missing(['threads', 'locations', 'steps'], v);
    if (m) return { ok: false, error: `malformed scenario trace: no "${m}"` };
    if (!Array.isArray(v.threads) || !Array.isArray(v.locations) || !Array.isArray(v.steps)) {
      return { ok: false, error: 'malformed scenario trace: "threads", "locations" and "steps" must be arrays' };
    }
    const n = v.locations.length;
    for (const s of v.steps as unknown[]) {
      if (!isObj(s) || !Array.isArray(s.memory) || s.memory.length !== n || typeof s.tid !== 'number') {
        return { ok: false, error: 'malformed scenario trace: every step needs a tid and a memory array with one value per location' };
      }
    }
  } else {
    const m = missing(['test', 'executions'], v);
    if (m) return { ok: false, error: `malformed litmus trace: no "${m}"` };
    if (!Array.isArray(v.executions)) return { ok: false, error: 'malformed litmus trace: "executions" must be an array' };
    for (const x of v.executions as unknown[]) {
      if (!isObj(x) || !Array.isArray(x.events) || !Array.isArray(x.edges)) {
        return { ok: false, error: 'malformed litmus trace: every execution needs "events" and "edges" arrays' };
      }
      const ids = new Set((x.events as unknown[]).map((e) => (isObj(e) ? e.id : undefined)));
      for (const e of x.edges as unknown[]) {
        if (isObj(e) && !EDGE_TYPES.includes(e.type as LitmusEdgeType)) {
          return { ok: false, error: `unsupported edge type ${JSON.stringify(e.type)} in a version-1 litmus trace (known: ${EDGE_TYPES.join(', ')})` };
        }
        if (!isObj(e) || !ids.has(e.from) || !ids.has(e.to)) {
          return { ok: false, error: `malformed litmus trace: edge ${JSON.stringify(e)} names an event that does not exist` };
        }
      }
      if ('explanation' in x) {
        const ex = x.explanation;
        if (!isObj(ex) || !Array.isArray(ex.cycle) || !Array.isArray(ex.text)) {
          return { ok: false, error: 'malformed litmus trace: an explanation needs "cycle" and "text" arrays' };
        }
        for (const e of ex.cycle as unknown[]) {
          if (!isObj(e) || typeof e.rel !== 'string' || !ids.has(e.from) || !ids.has(e.to)) {
            return { ok: false, error: `malformed litmus trace: cycle edge ${JSON.stringify(e)} names an event that does not exist` };
          }
        }
      }
    }
  }
  return { ok: true, trace: v as unknown as AnyTrace };
}
