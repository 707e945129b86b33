// Writes the versioned JSON trace of one execution, for `mmcheck view` (the types are in
// src/trace-format; the schema in docs/trace-format.md).
// Each step carries the memory as it stands after the step (for every location, the value of
// the co-latest write executed so far), as text (the location's pretty-printer) and as data (its
// value type's decoder), with the program's objects, so a reader needs to parse no text.
// Written only on request (--trace), after the search: nothing here runs while exploring.
import { EvKind, Life, type Ev, type Graph } from './graph.ts';
import type { Instance } from './program.ts';
import { FREED, OpKind } from './ops.ts';
import { describeStep } from './trace.ts';
import {
  SCENARIO_VERSION, SCHEMA, type FunctionSource, type ScenarioTrace, type TraceLocation, type TraceObject, type TraceOp, type TraceStep,
  type TraceValue, type TraceWeakMemory,
} from '../trace-format/index.ts';
import type { WeakExplanation } from './models/lkmm-explain.ts';

const OP_NAME: Record<OpKind, TraceOp> = {
  [OpKind.Load]: 'load', [OpKind.Store]: 'store', [OpKind.Rmw]: 'rmw', [OpKind.Fence]: 'fence', [OpKind.Lock]: 'lock',
  [OpKind.Unlock]: 'unlock', [OpKind.Trylock]: 'trylock', [OpKind.Spawn]: 'spawn', [OpKind.Join]: 'join', [OpKind.Assume]: 'assume',
  [OpKind.Await]: 'await', [OpKind.Assert]: 'assert', [OpKind.Free]: 'free', [OpKind.Alloc]: 'alloc',
};

function group(name: string): string {
  const m = /^([^.[]+)/.exec(name);
  return m ? m[1] : name;
}

export function scenarioTrace(opts: {
  inst: Instance;
  graph: Graph;
  order: readonly Ev[];
  threadNames: readonly string[];
  target: string;
  scenario?: string | null;
  variant?: string | null;
  model: string;
  violation?: { property: string; invariant: string | null; message: string; at?: { tid: number; idx: number } | null } | null;
  replay?: string | null;
  schedule?: string | null;
  /**
   * Where a step's function comes from (the engine knows no kernel: the caller looks it up), given
   * the declarations of it (Ctx.call's ids) the trace's events ran.
   */
  functionSource?: (fn: string, ids: readonly number[]) => FunctionSource | null;
  /** An invariant's title and meaning, by id (the caller's table: the engine knows no invariants). */
  invariantInfo?: (id: string) => { title: string; meaning: string } | null;
  /** Why the counterexample needs weak memory (the model's explanation), if it does. */
  weak?: WeakExplanation | null;
}): ScenarioTrace {
  const { inst, graph: g, order, threadNames } = opts;
  const freed = (loc: number, v: number): boolean => v === FREED && inst.locObj[loc] >= 0;
  const show = (loc: number, v: number): string => (freed(loc, v) ? 'freed'
    : inst.locs[loc]?.show ? (inst.locs[loc].show as (v: number) => string)(v) : String(v));
  const decode = (loc: number, v: number): TraceValue => (freed(loc, v) ? null
    : inst.locs[loc]?.decode ? (inst.locs[loc].decode as (v: number) => TraceValue)(v) : v);
  const { locations, objects } = locationsAndObjects(inst, show, decode);
  const latest: Ev[] = g.co.map((list) => list[0]);
  const memory = (): string[] => latest.map((w, loc) => show(loc, w.val));
  const values = (): TraceValue[] => latest.map((w, loc) => decode(loc, w.val));
  const steps: TraceStep[] = [];
  let violationStep: number | null = null;
  // The step of each event (a write part, a read's Block, and the fault a read of freed memory
  // stops its thread with belong to the read's step).
  const stepOfEvent = new Map<Ev, number>();
  order.forEach((e, i) => {
    stepOfEvent.set(e, i);
    const nx = g.threads[e.tid][e.idx + 1];
    if (nx && e.kind === EvKind.Read && ((nx.kind === EvKind.Write && nx.excl) || nx.kind === EvKind.Block ||
      (nx.kind === EvKind.Error && nx.opKind !== OpKind.Assert))) stepOfEvent.set(nx, i);
  });
  for (const e of order) {
    const th = g.threads[e.tid];
    const next = th[e.idx + 1];
    const wrote: number[] = [];
    let life: TraceStep['life'] = null;
    const noteWrite = (w: Ev): void => {
      if (w.coPos > latest[w.loc].coPos) latest[w.loc] = w;
      wrote.push(w.loc);
      if (w.life !== Life.None) {
        life ??= { freed: [], allocated: [] };
        (w.life === Life.Free ? life.freed : life.allocated).push(w.loc);
      }
    };
    let kind: TraceStep['kind'];
    switch (e.kind) {
      case EvKind.Read:
        kind = next && next.kind === EvKind.Write && next.excl ? 'rmw' : 'read';
        if (kind === 'rmw') noteWrite(next);
        break;
      case EvKind.Write: kind = 'write'; noteWrite(e); break;
      case EvKind.Fence: kind = 'fence'; break;
      case EvKind.Spawn: kind = 'spawn'; break;
      case EvKind.Join: kind = 'join'; break;
      case EvKind.End: kind = 'end'; break;
      case EvKind.Block: kind = 'block'; break;
      default: kind = 'error';
    }
    // A use-after-free is reported at the access itself: a read whose thread stopped there, or
    // (found at the end of the execution) the store the violation names.
    const faults = (e.kind === EvKind.Read && next !== undefined && next.kind === EvKind.Error && next.opKind !== OpKind.Assert)
      || (opts.violation?.at != null && opts.violation.at.tid === e.tid && opts.violation.at.idx === e.idx);
    const isViolation = e.kind === EvKind.Error || faults || (next !== undefined && next.kind === EvKind.Block && opts.violation?.property === 'deadlock');
    if (isViolation && violationStep === null && (e.kind === EvKind.Error || faults)) violationStep = steps.length;
    steps.push({
      index: steps.length,
      tid: e.tid,
      thread: threadNames[e.tid] ?? `T${e.tid}`,
      fn: e.fn,
      text: describeStep(inst, g, e, threadNames),
      kind,
      op: OP_NAME[e.opKind] ?? null,
      loc: e.loc >= 0 ? e.loc : null,
      readsFrom: e.kind === EvKind.Read && e.rf && e.rf.tid >= 0 ? { tid: e.rf.tid, event: e.rf.idx, step: stepOfEvent.get(e.rf) ?? null } : null,
      read: e.kind === EvKind.Read ? { value: decode(e.loc, e.val), text: show(e.loc, e.val) } : null,
      blocked: e.kind === EvKind.Read && next !== undefined && next.kind === EvKind.Block,
      wrote,
      life,
      memory: memory(),
      values: values(),
      violation: false,
    });
  }
  if (opts.violation && violationStep === null) {
    // Deadlocks and final-state violations show at the last step.
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i].kind !== 'end') { violationStep = i; break; }
  }
  if (violationStep !== null && opts.violation) steps[violationStep].violation = true;
  const at = opts.violation?.at;
  const atEv = at ? g.threads[at.tid]?.[at.idx] : undefined;
  const atStep = atEv ? stepOfEvent.get(atEv) ?? null : null;
  const w = opts.weak;
  const stepOf = (e: Ev): number | null => stepOfEvent.get(e) ?? null;
  const weakMemory: TraceWeakMemory | undefined = w ? {
    sc: w.sc,
    staleReads: w.stale.map((x) => stepOf(x.read)).filter((i): i is number => i !== null),
    cycle: w.cycle.map((c) => ({ from: stepOf(c.from), to: stepOf(c.to), rel: c.rel })),
    unordered: w.orderings.filter((o) => o.fixes.length && stepOf(o.from) !== null && stepOf(o.to) !== null)
      .map((o) => ({ from: stepOf(o.from)!, to: stepOf(o.to)!, fixes: o.fixes.map((f) => f.fix) })),
    text: w.text,
  } : undefined;
  return {
    schema: SCHEMA,
    version: SCENARIO_VERSION,
    kind: 'scenario',
    target: opts.target,
    scenario: opts.scenario ?? null,
    variant: opts.variant ?? null,
    model: opts.model,
    params: inst.params,
    threads: threadNames.map((name, tid) => ({ tid, name })),
    locations,
    objects,
    steps,
    violation: opts.violation ? violationOf(opts.violation, violationStep, atStep, opts.invariantInfo) : null,
    replay: opts.replay ?? null,
    schedule: opts.schedule ?? null,
    ...(opts.functionSource ? { functions: functionTable(order, opts.functionSource) } : {}),
    ...(weakMemory ? { weakMemory } : {}),
  };
}

/** The trace's locations and objects: each location with its object, field and value type. */
function locationsAndObjects(inst: Instance, show: (loc: number, v: number) => string, decode: (loc: number, v: number) => TraceValue):
  { locations: TraceLocation[]; objects: TraceObject[] } {
  const where = new Map<number, { object: number; field: string; index: number | null }>();
  const objects: TraceObject[] = inst.objects.map((o) => {
    for (const [field, l] of Object.entries(o.fields)) {
      if (Array.isArray(l)) l.forEach((x, index) => where.set(x, { object: o.id, field, index }));
      else where.set(l, { object: o.id, field, index: null });
    }
    return { id: o.id, kind: o.kind, name: o.name, fields: { ...o.fields }, attrs: o.attrs, invariant: o.invariant };
  });
  const locations = inst.locs.map((l, id): TraceLocation => {
    const w = where.get(id);
    return {
      id, name: l.name, group: group(l.name), object: w?.object ?? null, field: w?.field ?? null, index: w?.index ?? null,
      type: l.type ?? null, init: l.init, initText: show(id, l.init), initValue: decode(id, l.init),
    };
  });
  return { locations, objects };
}

/** The trace's violation: where it shows, the step it is reported at, and its invariant's title and meaning. */
function violationOf(v: { property: string; invariant: string | null; message: string }, step: number | null, at: number | null,
  info: ((id: string) => { title: string; meaning: string } | null) | undefined): ScenarioTrace['violation'] {
  const inv = v.invariant !== null && info ? info(v.invariant) : null;
  return { property: v.property, invariant: v.invariant, title: inv?.title ?? null, meaning: inv?.meaning ?? null, message: v.message, step, at };
}

/**
 * The `functions` table of a trace: the source of every function a step names, if known — of the
 * declarations of that name the trace's events ran (a name declared twice, as two kernel versions
 * wrote it, is told by its events' fnId).
 */
function functionTable(order: readonly Ev[], lookup: (fn: string, ids: readonly number[]) => FunctionSource | null): Record<string, FunctionSource> {
  const ids = new Map<string, number[]>();
  for (const e of order) {
    if (e.fn === null) continue;
    const list = ids.get(e.fn);
    if (!list) ids.set(e.fn, [e.fnId]);
    else if (!list.includes(e.fnId)) list.push(e.fnId);
  }
  const table: Record<string, FunctionSource> = {};
  for (const [fn, list] of ids) {
    const src = lookup(fn, list);
    if (src) table[fn] = src;
  }
  return table;
}
