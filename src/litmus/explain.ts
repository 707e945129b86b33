// `mmcheck litmus --explain`: why the outcome a test asks about is allowed or forbidden. For a
// forbidden outcome, every candidate execution herd7 would try that ends in that state (every rf,
// every co: no pruning) is run through the model's explainer; each is rejected by some axiom.
// The one rejected by the latest axiom of the model (the one that passed the most checks) is
// shown: the axiom, its cycle in the model's relations, and how each edge is derived.
// herd7's `-show prop` and the viewer use the same result (explainOutcome).
import { baseEdges, formatRejection, rotate, type Derivation, type NamedEdge, type Rejection } from '../axiomatic/cat/index.ts';
import type { Execution, XEvent } from '../axiomatic/execution.ts';
import { loadLkmmExplainer, type LkmmBranch } from '../axiomatic/lkmm/index.ts';
import { enumerate, type Candidate } from './candidates.ts';
import { evalProp, showCondition, showProp } from './condition.ts';
import type { ModelOutcome } from './model.ts';
import { finalState, registerPrefilter, type LitmusResult } from './run.ts';
import { showVal, type Setup } from './setup.ts';
import { finalRecord } from './trace.ts';

export interface OutcomeExplanation {
  /** The test's condition as herd7 prints it. */
  condition: string;
  /** The outcome explained: the condition's proposition (exists, ~exists) or its negation (forall). */
  outcome: string;
  /** allowed: some execution of the model ends so; forbidden: candidates do, and the model
   * rejects every one; unreached: no candidate execution ends so (no values make it true). */
  verdict: 'allowed' | 'forbidden' | 'unreached';
  /** allowed: executions of the model that end in the outcome. */
  executions: number;
  /** forbidden: candidate completions (rf, co …) that end in the outcome, all rejected. */
  candidates: number;
  /** forbidden: how many of them each axiom rejects (the first axiom each one fails). */
  rejectedBy: Record<string, number>;
  /** forbidden: the candidate shown, and why the model rejects it. */
  example?: {
    x: Execution;
    co: [number, number][];
    rf: [number, number][];
    /** Its final state (observed registers and locations). */
    final: Record<string, number | string>;
    rejection: Rejection;
    cycle: NamedEdge[];
  };
  /** The explanation in words. */
  text: string[];
}

/** How an event of a litmus candidate reads in an explanation: P1:R[once] x=0. */
export function describeEvent(s: Setup, e: XEvent): string {
  const who = e.tid < 0 ? 'init' : `P${e.tid}`;
  const ann = e.annot ? `[${e.annot.toLowerCase()}]` : '';
  if (e.kind === 'F') return `${who}:F${ann}`;
  if (e.kind === 'R' || e.kind === 'W') return `${who}:${e.kind}${e.tid < 0 ? '' : ann} ${e.loc}=${showVal(s, e.value)}`;
  return `${who}:${e.kind} ${e.loc}`;
}

/** Why the outcome of r's test is allowed or forbidden (r: the test's normal run). */
export function explainOutcome(r: LitmusResult, deadline?: number): OutcomeExplanation {
  const s = r.setup;
  const q = s.test.quant;
  const condition = showCondition(q, s.test.cond);
  // the states the test asks about: those that satisfy the proposition, or for forall the others
  const wanted = q === 'forall' ? (sat: boolean) => !sat : (sat: boolean) => sat;
  const outcome = q === 'forall' ? `not (${showProp(s.test.cond)})` : showProp(s.test.cond);
  const reached = q === 'forall' ? r.negative : r.positive;
  const base = { condition, outcome, executions: reached, candidates: 0, rejectedBy: {} };
  if (reached > 0) {
    return { ...base, verdict: 'allowed', text: [`${outcome}: allowed, ${reached} execution${reached === 1 ? '' : 's'} of the model end${reached === 1 ? 's' : ''} so; no axiom forbids it`] };
  }
  const ex = loadLkmmExplainer();
  const rejectedBy: Record<string, number> = {};
  let candidates = 0;
  type Found = { order: number; cand: Candidate; b: LkmmBranch; final: Record<string, number | string> };
  const found: { best: Found | null } = { best: null };
  const model = {
    name: 'LKMM (explaining)',
    check: (x: Execution): ModelOutcome[] => ex.branches(x).map((b) => ({ co: b.co ?? [], rf: b.rf ?? undefined, flags: b.flags, branch: b })),
  };
  enumerate(s, model, (cand, out) => {
    const b = (out as ModelOutcome & { branch: LkmmBranch }).branch;
    if (!b.rejected || !b.co) return; // kept branches do not reach the outcome (reached === 0)
    const look = finalState(s, cand, out);
    if (s.test.filter && !evalProp(s, s.test.filter, look)) return;
    if (!wanted(evalProp(s, s.test.cond, look))) return;
    candidates++;
    const name = b.rejected.step.k === 'with' ? `with ${b.rejected.step.name}` : (b.rejected.step.name ?? 'unnamed check');
    rejectedBy[name] = (rejectedBy[name] ?? 0) + 1;
    if (!found.best || b.rejected.order > found.best.order) found.best = { order: b.rejected.order, cand, b, final: finalRecord(s, look) };
  }, { unpruned: true, prefilter: registerPrefilter(s), deadline });
  if (!found.best) {
    return { ...base, verdict: 'unreached', text: [`${outcome}: no candidate execution ends so (no choice of reads-from gives these values); there is nothing for the model to forbid`] };
  }
  const { cand, b, final } = found.best;
  const x = cand.x;
  const rejection = ex.explain(b.rejected!);
  const tidOf = (id: number) => x.events[id]!.tid;
  const describe = (id: number) => describeEvent(s, x.events[id]!);
  const order = (id: number) => (x.events[id]!.tid + 1) * 1e6 + x.events[id]!.poIndex;
  const counts = Object.entries(rejectedBy).map(([k, n]) => `${k} ${n}`).join(', ');
  const text = [
    candidates === 1
      ? `${outcome}: forbidden; the one candidate execution that ends so is rejected by`
      : `${outcome}: forbidden; ${candidates} candidate executions end so and each is rejected (${counts}); the one that passes the most axioms is rejected by`,
    ...formatRejection(rejection, describe, tidOf, order).map((l) => '  ' + l),
  ];
  const cycle = rotate(rejection.witness.flatMap((w) => baseEdges(w, tidOf)), order);
  return { ...base, verdict: 'forbidden', candidates, rejectedBy, example: { x, co: b.co!, rf: b.rf ?? x.rf, final, rejection, cycle }, text };
}

/** A derivation with its events named (for JSON). */
export interface DerivationJson {
  rel: string;
  from: string;
  to: string;
  steps: DerivationJson[];
}

/** The explanation as `mmcheck litmus --explain --json` prints it. */
export function explanationJson(r: LitmusResult, e: OutcomeExplanation): Record<string, unknown> {
  const out: Record<string, unknown> = {
    outcome: e.outcome,
    verdict: e.verdict,
    executions: e.executions,
    candidates: e.candidates,
    rejectedBy: e.rejectedBy,
  };
  if (e.example) {
    const { x, rejection: rj } = e.example;
    const name = (id: number) => describeEvent(r.setup, x.events[id]!);
    const tree = (d: Derivation): DerivationJson => ({ rel: d.rel, from: name(d.from), to: name(d.to), steps: d.steps.map(tree) });
    Object.assign(out, {
      axiom: rj.check,
      test: rj.test,
      relation: rj.expr,
      at: rj.at,
      cycle: e.example.cycle.map((c) => ({ from: name(c.from), rel: c.rel, to: name(c.to) })),
      derivation: rj.witness.map(tree),
    });
  }
  out.text = e.text;
  return out;
}
