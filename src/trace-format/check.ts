// The reader's check of a trace file: the schema tag, a kind and version this module knows, and
// the fields a reader relies on. Pure data: it runs in the browser (the viewer page) and in Node
// (`mmcheck view` and the writers' tests run files through it).
import type { LitmusEdgeType, LitmusTrace } from './litmus.ts';
import { EDGE_TYPES } from './litmus.ts';
import type { ScenarioTrace } from './scenario.ts';
import { SCHEMA, SUPPORTED } from './version.ts';

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
  if (kind !== 'scenario' && kind !== 'litmus') {
    return { ok: false, error: `unknown trace kind ${JSON.stringify(kind ?? null)} (this viewer reads: ${Object.keys(SUPPORTED).join(', ')})` };
  }
  const versions = SUPPORTED[kind];
  if (kind === 'scenario' && v.version === 1) {
    // Version 1 had no objects and no values as data: its state could only be read by parsing
    // the display strings, which this reader no longer does. Its replay command rebuilds it.
    return {
      ok: false,
      error: `unsupported scenario trace version 1: this viewer reads version ${versions.join(', ')} (typed objects); ` +
        (typeof v.replay === 'string' ? `write the trace again with this mmcheck: ${v.replay} --trace FILE` : 'write the trace again with this mmcheck'),
    };
  }
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
    if (!Array.isArray(v.objects)) return { ok: false, error: 'malformed scenario trace: no "objects" array' };
    const n = v.locations.length;
    for (const s of v.steps as unknown[]) {
      if (!isObj(s) || !Array.isArray(s.memory) || s.memory.length !== n || !Array.isArray(s.values) || s.values.length !== n ||
        typeof s.tid !== 'number') {
        return { ok: false, error: 'malformed scenario trace: every step needs a tid, and memory and values arrays with one entry per location' };
      }
    }
    for (const o of v.objects as unknown[]) {
      const locs = isObj(o) && isObj(o.fields) ? Object.values(o.fields).flat() : null;
      if (!locs || !locs.every((l) => typeof l === 'number' && l >= 0 && l < n)) {
        return { ok: false, error: `malformed scenario trace: object ${JSON.stringify(isObj(o) ? o.name : o)} names a location that does not exist` };
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
