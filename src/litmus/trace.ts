// `mmcheck litmus --trace DIR/`: one JSON trace per test (kind 'litmus', version 2,
// docs/trace-format.md) with a witness or counterexample execution and an ordinary one, as
// graphs of events with their po, rf, co and fr edges, for `mmcheck view`; with --explain, a
// forbidden outcome's rejected execution too, with the axiom and the cycle that rejects it.
import type { Execution } from '../axiomatic/execution.ts';
import type { CLoc } from './ast.ts';
import type { ModelOutcome } from './model.ts';
import type { Capture, LitmusResult } from './run.ts';
import { showVal, type Setup } from './setup.ts';
import type { OutcomeExplanation } from './explain.ts';
import { LITMUS_VERSION, SCHEMA, type LitmusEdge, type LitmusEvent, type LitmusExecution, type LitmusTrace } from '../trace-format/index.ts';

export interface Kept { sat: boolean; x: Execution; out: ModelOutcome; final: Record<string, number | string> }

/** An execution as the capture callback sees it, with its final values shown as herd7 does. */
export function keptOf(sat: boolean, x: Execution, out: ModelOutcome, look: (l: CLoc) => number, s: Setup): Kept {
  return { sat, x, out, final: finalRecord(s, look) };
}

/** The observed registers and locations of a final state, as the trace writes them. */
export function finalRecord(s: Setup, look: (l: CLoc) => number): Record<string, number | string> {
  const final: Record<string, number | string> = {};
  for (const l of s.observed as CLoc[]) {
    const name = l.k === 'reg' ? `${l.tid}:${l.reg}` : l.name;
    const shown = showVal(s, look(l));
    final[name] = /^-?\d+$/.test(shown) ? Number(shown) : shown;
  }
  return final;
}

/** Collects the first execution that satisfies the condition and the first that does not. */
export class TraceCollector {
  readonly kept: Kept[] = [];
  readonly capture: Capture = (sat, x, out, look, s) => {
    if (this.kept.some((k) => k.sat === sat)) return;
    this.kept.push(keptOf(sat, x, out, look, s));
  };
}

function pairs(v: unknown): [number, number][] {
  return Array.isArray(v) ? (v as unknown[]).filter((p): p is [number, number] => Array.isArray(p) && p.length === 2) as [number, number][] : [];
}

/** One execution as a graph: its events and their po, rf, co (immediate) and fr edges. */
export function graphOf(s: Setup, k: Kept, kind: LitmusExecution['kind']): LitmusExecution {
  const { x, out } = k;
  const name = (id: number): string => `e${id}`;
  const events: LitmusEvent[] = x.events.map((e) => ({
    id: name(e.id),
    tid: e.tid,
    poIndex: e.poIndex,
    kind: e.kind === 'R' || e.kind === 'LKR' || e.kind === 'LF' || e.kind === 'RL' || e.kind === 'RU' ? 'R' : e.kind === 'F' || e.kind === 'SRCU' ? 'F' : 'W',
    loc: e.loc,
    value: e.kind === 'F' || e.kind === 'SRCU' ? null : showVal(s, e.value),
    annotation: e.tid < 0 ? 'init' : (e.kind !== 'R' && e.kind !== 'W' && e.kind !== 'F' ? e.kind.toLowerCase() : (e.annot || 'plain').toLowerCase()),
  }));
  const edges: LitmusEdge[] = [];
  const byThread = new Map<number, typeof x.events>();
  for (const e of x.events) if (e.tid >= 0) byThread.set(e.tid, [...(byThread.get(e.tid) ?? []), e]);
  for (const evs of byThread.values()) {
    evs.sort((a, b) => a.poIndex - b.poIndex);
    for (let i = 1; i < evs.length; i++) edges.push({ type: 'po', from: name(evs[i - 1].id), to: name(evs[i].id) });
  }
  const rf = pairs(out.rf).length ? pairs(out.rf) : x.rf;
  for (const [w, r] of rf) edges.push({ type: 'rf', from: name(w), to: name(r) });
  // co: immediate successors of the (transitive) order the model returned, per location.
  const co = pairs(out.co);
  const after = new Map<number, Set<number>>();
  for (const [a, b] of co) {
    if (a === b) continue;
    if (!after.has(a)) after.set(a, new Set());
    after.get(a)!.add(b);
  }
  const immediate: [number, number][] = [];
  for (const [a, succ] of after) {
    for (const b of succ) {
      let direct = true;
      for (const c of succ) if (c !== b && after.get(c)?.has(b)) { direct = false; break; }
      if (direct) immediate.push([a, b]);
    }
  }
  for (const [a, b] of immediate) edges.push({ type: 'co', from: name(a), to: name(b) });
  // fr: a read to the immediate co-successor of the write it read from.
  const imm = new Map<number, number[]>();
  for (const [a, b] of immediate) imm.set(a, [...(imm.get(a) ?? []), b]);
  for (const [w, r] of rf) for (const b of imm.get(w) ?? []) if (b !== r) edges.push({ type: 'fr', from: name(r), to: name(b) });
  const label = Object.entries(k.final).map(([n, v]) => `${n}=${v};`).join(' ');
  return { kind, label, final: k.final, events, edges };
}

export function litmusTrace(res: LitmusResult, coll: TraceCollector, why?: OutcomeExplanation): LitmusTrace {
  const s = res.setup;
  const quant = s.test.quant;
  const execs: LitmusExecution[] = [];
  const order = [...coll.kept].sort((a, b) => Number(b.sat) - Number(a.sat));
  for (const k of order) {
    let kind: LitmusExecution['kind'] = 'execution';
    if (quant === 'exists' && k.sat) kind = 'witness';
    if (quant === '~exists' && k.sat) kind = 'counterexample';
    if (quant === 'forall' && !k.sat) kind = 'counterexample';
    execs.push(graphOf(s, k, kind));
  }
  if (why?.example) {
    const { x, co, rf, rejection, cycle, final } = why.example;
    const g = graphOf(s, { sat: true, x, out: { co, rf, flags: [] }, final }, 'forbidden');
    const name = (id: number): string => `e${id}`;
    g.explanation = {
      axiom: rejection.check,
      test: rejection.test,
      relation: rejection.expr,
      text: why.text,
      cycle: cycle.map((c) => ({ from: name(c.from), to: name(c.to), rel: c.rel })),
    };
    execs.push(g);
  }
  const threads = [...new Set(execs.flatMap((e) => e.events.map((v) => v.tid)).filter((t) => t >= 0))].sort((a, b) => a - b);
  return {
    schema: SCHEMA,
    version: LITMUS_VERSION,
    kind: 'litmus',
    test: res.name,
    path: res.path,
    verdict: res.verdict,
    model: 'lkmm',
    threads: threads.map((t) => `P${t}`),
    executions: execs,
  };
}
