// One litmus test two ways (test helper): `mmcheck litmus` (herd-style enumeration, src/litmus)
// and the same program as a scenario under --model lkmm (litmus-as-scenario.ts), compared
// execution for execution. The scenario explorer builds only porf-acyclic executions (no load
// buffering, docs/memory-models.md), so the litmus side keeps the consistent executions whose
// po ∪ rf is acyclic: on those, the two must have the same number of executions and the same
// final states. The litmus side's verdict on its full set is reported too, with whether the
// states it observes only through load buffering are what make it differ.
import { readFileSync } from 'node:fs';
import { check } from '../../src/engine/index.ts';
import type { Execution } from '../../src/axiomatic/execution.ts';
import type { CLoc } from '../../src/litmus/ast.ts';
import { runText, type Verdict } from '../../src/litmus/run.ts';
import { loadLitmusModel, type LitmusModel } from '../../src/litmus/model.ts';
import { showVal, type Setup } from '../../src/litmus/setup.ts';
import { evalProp } from '../../src/litmus/condition.ts';
import { scenarioOf, Unsupported } from './litmus-as-scenario.ts';

let model: LitmusModel | null = null;

/**
 * A test the kernel model rejects as kernel code: synchronize_rcu() inside a read-side section,
 * which the LKMM lets a litmus test do and the kernel model reports as I12 (a grace period that
 * waits for its own reader never ends). `litmusExecutions`: how many consistent executions
 * `mmcheck litmus` found (load buffering included).
 */
export class KernelRefuses extends Error {
  constructor(message: string, readonly litmusExecutions: number) { super(message); }
}

export interface Comparison {
  name: string;
  /** `mmcheck litmus`'s verdict on every execution, load buffering included. */
  litmusVerdict: Verdict;
  /** Consistent executions with po ∪ rf acyclic, and their final states. */
  litmusExecutions: number;
  litmusStates: string[];
  /** The condition's verdict on the porf-acyclic executions alone. */
  litmusPorfVerdict: Verdict;
  scenarioExecutions: number;
  scenarioStates: string[];
  /** The condition's verdict on the scenario's executions. */
  scenarioVerdict: Verdict;
}

/** po ∪ rf (between threads) acyclic: an execution the scenario explorer can build. */
export function porfAcyclic(x: Execution): boolean {
  const next = new Map<number, number[]>();
  const edge = (a: number, b: number): void => { const l = next.get(a); if (l) l.push(b); else next.set(a, [b]); };
  const byTid = new Map<number, { id: number; po: number }[]>();
  for (const e of x.events) {
    if (e.tid < 0) continue;
    const l = byTid.get(e.tid) ?? [];
    l.push({ id: e.id, po: e.poIndex });
    byTid.set(e.tid, l);
  }
  for (const l of byTid.values()) {
    l.sort((a, b) => a.po - b.po);
    for (let i = 1; i < l.length; i++) edge(l[i - 1]!.id, l[i]!.id);
  }
  for (const [w, r] of x.rf) if (x.events[w]!.tid >= 0) edge(w, r);
  const state = new Uint8Array(x.events.length); // 0 new, 1 on stack, 2 done
  const visit = (v: number): boolean => {
    state[v] = 1;
    for (const u of next.get(v) ?? []) {
      if (state[u] === 1) return false;
      if (state[u] === 0 && !visit(u)) return false;
    }
    state[v] = 2;
    return true;
  };
  for (let v = 0; v < x.events.length; v++) if (state[v] === 0 && !visit(v)) return false;
  return true;
}

const verdictOf = (pos: number, neg: number): Verdict => (pos === 0 ? 'Never' : neg === 0 ? 'Always' : 'Sometimes');

function stateKey(s: Setup, look: (l: CLoc) => number): string {
  return s.observed.map((l) => `${l.k === 'reg' ? `${l.tid}:${l.reg}` : l.name}=${showVal(s, look(l))}`).join('; ');
}

/** Both runs of the litmus file at `path`; throws Unsupported for a test outside the translation. */
export async function compare(path: string): Promise<Comparison> {
  model ??= await loadLitmusModel();
  const text = readFileSync(path, 'utf8');
  let all = 0, executions = 0, pos = 0, neg = 0;
  const states = new Set<string>();
  const r = runText(path, text, model, {}, (sat, x, _out, look, s) => {
    all++;
    if (!porfAcyclic(x)) return;
    executions++;
    if (sat) pos++; else neg++;
    states.add(stateKey(s, look));
  });
  const s = r.setup;
  if (s.test.filter) throw new Unsupported('a filter clause');
  const sStates = new Set<string>();
  let sPos = 0, sNeg = 0;
  const program = scenarioOf(s, (regs, mem) => {
    const look = (l: CLoc): number => (l.k === 'reg' ? regs[l.tid]?.get(l.reg) ?? s.regInit[l.tid]?.get(l.reg) ?? 0 : mem(l.name));
    sStates.add(stateKey(s, look));
    if (evalProp(s, s.test.cond, look)) sPos++; else sNeg++;
  });
  let res;
  try {
    res = check(program, { model: 'lkmm' });
  } catch (e) {
    // The translation refuses inside a thread body (a dependency it cannot declare): the engine
    // reports that as the user's error, with the Unsupported as its cause or in its message.
    const msg = e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e);
    const m = /Unsupported: (.*)|an access with two dependencies[^\n]*|a dependency on a read that is not the latest[^\n]*/.exec(msg);
    if (m) throw new Unsupported(m[0]);
    throw e;
  }
  if (res.verdict !== 'ok') {
    if (res.violation?.invariant === 'I12') throw new KernelRefuses(`${r.name}: ${res.violation.message} (I12: the kernel forbids it; the LKMM lets a test do it)`, all);
    throw new Error(`${r.name}: the scenario reported ${res.violation?.message}`);
  }
  return {
    name: r.name,
    litmusVerdict: r.verdict,
    litmusExecutions: executions,
    litmusStates: [...states].sort(),
    litmusPorfVerdict: verdictOf(pos, neg),
    scenarioExecutions: res.executions,
    scenarioStates: [...sStates].sort(),
    scenarioVerdict: verdictOf(sPos, sNeg),
  };
}
