// What the commands print: the text of a result, the catalog table, the JSON shapes and the
// trace file. The commands decide; this file only shapes what they decided into output.
import type { CheckResult, Ev, Graph, Instance, SampleInfo, WeakExplanation } from '../engine/index.ts';
import { describeParam, paramDefaults, paramSpecs, violationHeadline } from '../engine/index.ts';
import { describeStep } from '../engine/trace.ts';
import { scenarioTrace } from '../engine/trace-json.ts';
import type { FunctionSource, ScenarioTrace } from '../trace-format/index.ts';
import { kernelSource } from '../kernel/kfn.ts';
import { findInvariant } from '../kernel/invariants.ts';
import { boundedWords, judge, invariantsOf, variantModel } from '../kernel/expect.ts';
import type { Scenario } from '../kernel/catalog.ts';
import type { Benchmark } from '../programs/index.ts';
import type { Run } from './targets.ts';
import type { SplitInfo } from '../engine/parallel/run.ts';

export { out, err, fmt } from './io.ts';
import { out, fmt, writeOut } from './io.ts';

/** The command line that replays one execution of `run` (the options only where they differ from the defaults). */
export function replayCommand(run: Run, model: string, params: Record<string, number>, schedule: string): string {
  const parts = ['mmcheck replay', run.target];
  if (run.variant && run.variant.name !== 'safe') parts.push(`--variant ${run.variant.name}`);
  for (const [k, v] of Object.entries(params)) parts.push(`--param ${k}=${v}`);
  if (model !== variantModel(run.variant)) parts.push(`--model ${model}`);
  parts.push(`--schedule ${schedule}`);
  return parts.join(' ');
}

/** How the user's options bounded the run, for the words of a bounded verdict. */
export interface Bounds {
  params: Record<string, number>;
  seed?: number;
  /** --random N: the complete executions asked for. */
  random?: number;
  timeout?: number;
  maxExecutions?: number;
}

/** One check's result as text: the verdict, and for a violation its trace and a replay command. */
export function printResult(run: Run, r: CheckResult, b: Bounds): void {
  const label = run.variant ? `${run.scenario} --variant ${run.variant.name}` : run.program.name;
  const ps = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  out(`mmcheck check ${label}${ps ? ` (${ps})` : ''} under ${r.model.toUpperCase()}`);
  if (run.variant?.description) out(`  ${run.variant.description}`);
  if (r.flags.length) out(`Flag ${r.flags.join(', ')}: raised by the ${r.model.toUpperCase()} in some execution (a data race makes the outcome undefined there)`);
  const blocked = r.blocked ? `, ${fmt(r.blocked)} blocked` : '';
  if (r.violation) {
    const v = r.violation;
    out(`\nVIOLATION${violationKindNote(v)}: ${violationHeadline(v)}`);
    if (!r.violations) out(`found after ${fmt(r.executions + r.blocked)} executions in ${r.seconds.toFixed(2)} s${r.sample ? ` of sampling (${samplerWords(r.sample)}${r.blocked ? `; ${fmt(r.blocked)} of them blocked` : ''})` : ''}\n`);
    else out('');
    out(v.trace);
    out(`\nfinal memory: ${v.memory}`);
    const why = v.explain();
    if (why) out(`\n${why.text.join('\n')}\n`);
    out(`replay: ${replayCommand(run, r.model, b.params, v.schedule)}`);
    if (r.violations) printViolationCounts(run, r, b);
    else if (r.mode === 'exhaustive') out('(the search stopped here; --all-violations explores every execution and counts those that break each invariant)');
  } else if (r.sample) {
    const s = r.sample;
    const thrown = r.blocked + r.rejected;
    const retried = thrown ? `; ${fmt(r.blocked)} blocked${r.rejected ? ` and ${fmt(r.rejected)} inconsistent` : ''} draw${thrown === 1 ? '' : 's'} thrown away and drawn again` : '; no draw blocked';
    out(`SAMPLED: no violation in ${fmt(r.executions)} complete executions (${samplerWords(s)})${retried}, ${r.seconds.toFixed(2)} s.`);
    if (s.gaveUp) out(`Gave up after ${fmt(s.draws)} draws: most executions of this program block (exhaustive search counts them).`);
    else if (r.cutBy === 'timeout') out(`Stopped at --timeout ${b.timeout} s before the ${fmt(b.random ?? 0)} executions asked for.`);
    out('This is a sample, not a proof: executions outside it were not explored.');
  } else if (r.verdict === 'bounded') {
    const by = boundWords(r, b);
    out(`BOUNDED: explored ${fmt(r.executions)} complete executions${r.symmetry ? ` ${r.symmetry}` : ''}${blocked} in ${r.seconds.toFixed(2)} s, then stopped at ${by}.`);
    out('The search is NOT exhaustive: no violation among the executions explored; the rest were not explored.');
    out(countedWords(r));
    const sp = splitOf(r);
    if (sp && sp.tasks) out(`(${fmt(sp.finished)} of the ${fmt(sp.owned)} parts the search was split into were explored to the end, the others partly or not at all)`);
    if (sp && sp.jobs > 1 && r.cutBy === 'max-executions') out(`(on ${sp.jobs} threads the bound stops whichever thread reaches it: these are not the first ${fmt(b.maxExecutions ?? 0)} executions of the search order, which --jobs 1 explores)`);
  } else {
    const upTo = r.symmetry ? ` ${r.symmetry}` : '';
    out(`OK: no violation in ${r.executions === 1 ? `the only execution${upTo}` : `all ${fmt(r.executions)} executions${upTo}`}${blocked}; ${r.seconds.toFixed(2)} s.`);
    out(countedWords(r));
  }
  const sp = splitOf(r);
  if (sp && sp.resumed) out(`(resumed: ${fmt(sp.resumed)} of the ${fmt(sp.tasks)} parts of the search came from ${sp.resumedFrom})`);
}

/** What the counts count (the model's executions, symmetry's classes) and what symmetry explored beyond them. */
function countedWords(r: CheckResult): string {
  return `(counted: ${r.counts}${r.unordered ? `; ${fmt(r.unordered)} more explored, permutations of those counted` : ''}${r.unorderedCut ? `; search stopped early at ${fmt(r.unorderedCut)} partial executions whose every extension is such a permutation` : ''})`;
}

/** 'PCT depth 3, seed 1' or 'uniform random walk, seed 1'. */
function samplerWords(s: SampleInfo): string {
  const weak = s.weak ? `, ${s.weak.choices} weak choice${s.weak.choices === 1 ? '' : 's'} among the ${s.weak.history} latest` : '';
  return `${s.sampler === 'pct' ? `PCT depth ${s.depth}${weak}` : 'uniform random walk'}, seed ${s.seed}`;
}

/** The bound that cut a run short, as the user gave it (merge: a shard's, whose value it does not know). */
function boundWords(r: CheckResult, b: Bounds): string {
  if (r.cutBy === 'timeout') return b.timeout !== undefined ? `--timeout ${b.timeout} s` : 'the --timeout of a shard';
  return b.maxExecutions !== undefined ? `--max-executions ${b.maxExecutions}` : 'the --max-executions of a shard';
}

/** How a shared-out search was split (src/engine/parallel/run.ts), when it was. */
function splitOf(r: CheckResult): SplitInfo | undefined {
  return (r as CheckResult & { split?: SplitInfo }).split;
}

/** One shard of a search (check --shard I/N): what it explored and where it wrote it. */
export function printShard(run: Run, r: CheckResult, b: Bounds, shard: { index: number; count: number }, file: string): void {
  const sp = splitOf(r) as SplitInfo;
  const of = `shard ${shard.index}/${shard.count}`;
  const label = run.variant ? `${run.scenario} --variant ${run.variant.name}` : run.program.name;
  const ps = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  out(`mmcheck check ${label}${ps ? ` (${ps})` : ''} under ${r.model.toUpperCase()}, ${of}`);
  const blocked = r.blocked ? `, ${fmt(r.blocked)} blocked` : '';
  const parts = `${fmt(sp.finished)} of its ${fmt(sp.owned)} parts of the search (of ${fmt(sp.tasks)})`;
  if (r.verdict === 'violation') {
    for (const v of sp.found) out(`VIOLATION in this shard: ${v.key === v.message ? v.message : `${v.key}: ${v.message}`}${sp.found.length > 1 || v.count > 1 ? ` (${fmt(v.count)} execution${v.count === 1 ? '' : 's'})` : ''}`);
    out(`explored ${fmt(r.executions)} complete executions${blocked}, ${parts}, in ${r.seconds.toFixed(2)} s.`);
    out(`Written to ${file}. mmcheck merge with the other shards' files prints the first violation of the whole search, with its trace and replay.`);
    return;
  }
  if (r.verdict === 'bounded') {
    const by = boundWords(r, b);
    out(`SHARD BOUNDED: explored ${fmt(r.executions)} complete executions${r.symmetry ? ` ${r.symmetry}` : ''}${blocked} in ${r.seconds.toFixed(2)} s, then stopped at ${by}: ${parts} explored to the end.`);
  } else {
    out(`SHARD DONE: no violation in its ${fmt(r.executions)} executions${blocked}, ${parts}; ${r.seconds.toFixed(2)} s.`);
  }
  out(`Written to ${file}. This is 1/${shard.count} of the search, not a verdict: mmcheck merge with the other shards' files gives the result of the whole search.`);
}

/** Executions that ended in a violation (all of them with --all-violations, else the first). */
function violatingCount(r: CheckResult): number {
  return r.violations ? r.violations.reduce((n, c) => n + c.count, 0) : r.violation ? 1 : 0;
}

/** --all-violations: how many executions broke each invariant, with a replay for each. */
function printViolationCounts(run: Run, r: CheckResult, b: Bounds): void {
  const total = r.executions + r.blocked;
  const bad = violatingCount(r);
  const scope = r.verdict === 'violation' && r.cutBy ? `the ${fmt(total)} executions explored before ${r.cutBy === 'timeout' ? '--timeout' : '--max-executions'} (NOT exhaustive)` : `all ${fmt(total)} executions`;
  out(`\n${fmt(bad)} of ${scope} end in a violation (${r.seconds.toFixed(2)} s):`);
  for (const c of r.violations!) {
    out(`  ${c.key}: ${fmt(c.count)} execution${c.count === 1 ? '' : 's'}${c === r.violations![0] ? ' (the trace above)' : ''}`);
    if (c !== r.violations![0]) {
      out(`    first: ${violationHeadline(c.first)}`);
      out(`    replay: ${replayCommand(run, r.model, b.params, c.first.schedule)}`);
    }
  }
}

/** ' (deadlock)', ' (final state)', or nothing for a failed assertion. */
export function violationKindNote(v: { property: string }): string {
  return v.property === 'assertion' || v.property === 'use-after-free' ? '' : v.property === 'final' ? ' (final state)' : ` (${v.property})`;
}

/**
 * One result of `check --json`: the verdict and counts (`rejected`: executions the model's
 * full check discarded), and for a violation its counterexample — the schedule, the replay
 * command and the steps as the text trace prints them (every step, `violation` on the one
 * where it shows).
 */
export function jsonOf(run: Run, r: CheckResult, b: Bounds): Record<string, unknown> {
  const o: Record<string, unknown> = {
    target: run.target, params: r.params, model: r.model, verdict: r.verdict,
    executions: r.executions, blocked: r.blocked, rejected: r.rejected, seconds: Number(r.seconds.toFixed(4)), mode: r.mode,
  };
  if (r.flags.length) o.flags = r.flags;
  if (r.cutBy) o.cutBy = r.cutBy;
  if (r.sample) o.sample = r.sample;
  if (run.variant) {
    o.scenario = run.scenario;
    o.variant = run.variant.name;
    o.ref = run.variant.ref;
    o.expected = run.variant.expected;
    if (run.variant.also) o.alsoExpected = run.variant.also;
  }
  if (r.violation) {
    const v = r.violation;
    o.property = v.property;
    o.invariant = v.invariant;
    o.message = v.message;
    o.schedule = v.schedule;
    const t = traceOf(run, r.model, b.params, { instance: r.instance, graph: v.graph, order: v.order, threadNames: v.threadNames, violation: v, schedule: v.schedule });
    o.counterexample = {
      schedule: v.schedule, replay: t.replay, memory: v.memory,
      steps: t.steps.map((x) => ({ index: x.index, thread: x.thread, fn: x.fn, text: x.text, kind: x.kind, ...(x.violation ? { violation: true } : {}) })),
    };
    const why = v.explain();
    if (why) o.weakMemory = weakJson(r, why);
  }
  if (r.violations) {
    o.violations = r.violations.map((c) => ({ invariant: c.key, executions: c.count, message: c.first.message, schedule: c.first.schedule, replay: replayCommand(run, r.model, b.params, c.first.schedule) }));
  }
  return o;
}

/** A counterexample's weak-memory explanation as JSON: events as the trace prints them. */
function weakJson(r: CheckResult, w: WeakExplanation): Record<string, unknown> {
  const v = r.violation!;
  const ev = (e: Ev) => ({ thread: e.tid < 0 ? 'init' : (v.threadNames[e.tid] ?? `T${e.tid}`), step: describeStep(r.instance, v.graph, e, v.threadNames) });
  return {
    sequentiallyConsistent: w.sc,
    cycle: w.cycle.map((c) => ({ from: ev(c.from), rel: c.rel, to: ev(c.to) })),
    staleReads: w.stale.map((s) => ({ read: ev(s.read), source: s.source ? ev(s.source) : 'init', overwrittenBy: ev(s.overwrittenBy) })),
    needs: w.needs,
    orderings: w.orderings.map((o) => ({ from: ev(o.from), to: ev(o.to), fixes: o.fixes, declared: o.declared })),
    text: w.text,
  };
}

/** The table of `check --all` / `--all-variants`: one row per variant, expectation against verdict. */
export function printTable(results: [Run, CheckResult][]): void {
  const rows = [['scenario', 'variant', 'ref', 'model', 'expected', 'found', 'executions', 'blocked', 'violating', 'seconds', '']];
  let bad = 0;
  let na = 0;
  let findings = 0;
  let boundedSafe = 0;
  let boundedUnsafe = 0;
  for (const [run, r] of results) {
    const found = r.verdict === 'violation' ? invariantsOf(r).join(',') : r.verdict;
    const j = judge(run.variant, r, run.findings);
    if (j === 'unexpected') bad++;
    if (j === 'n/a') na++;
    if (j.startsWith('finding')) findings++;
    if (j === 'bounded') (run.variant && run.variant.expected !== 'ok' ? boundedUnsafe++ : boundedSafe++);
    const last = j === 'n/a' ? `n/a (expectation is for ${variantModel(run.variant)})` : j === 'unexpected' ? 'UNEXPECTED' : j === 'bounded' ? boundedWords(run.variant, r, run.findings) : j;
    rows.push([run.scenario ?? run.program.name, run.variant?.name ?? '-', run.variant?.ref ?? '-', r.model, [run.variant?.expected ?? 'ok', ...(run.variant?.also ?? [])].join(','), found,
      fmt(r.executions), fmt(r.blocked), fmt(violatingCount(r)), r.seconds.toFixed(2), last]);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) out(r.map((c, i) => (i >= 6 && i <= 9 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd());
  const total = results.reduce((s, [, r]) => s + r.seconds, 0);
  const documented = findings ? `, ${findings} documented finding${findings === 1 ? '' : 's'} (docs/weak-memory-findings.md)` : '';
  const sampled = results.find(([, r]) => r.sample)?.[1].sample;
  const bounded = boundedSafe + boundedUnsafe;
  const undecided = bounded ? `, ${bounded} not decided by the ${sampled ? 'sample' : 'bound'} (${[
    boundedSafe ? `${boundedSafe} safe with no violation in it` : '', boundedUnsafe ? `${boundedUnsafe} unsafe whose violation it did not ${sampled ? 'draw' : 'reach'}` : ''].filter(Boolean).join(', ')})` : '';
  out(`\n${results.length} variants, ${results.length - bad - na - findings - bounded} as expected${documented}, ${bad} unexpected${undecided}${na ? `, ${na} with no expectation under this model` : ''}; ${total.toFixed(1)} s exploring.`);
  if (sampled) out(`Every row is a sample (--random, ${samplerWords(sampled)}), not a proof: "executions" counts the complete executions drawn, "blocked" the blocked draws thrown away and drawn again. A violation drawn is real; a sample without one confirms no "ok" and contradicts no expected violation, so such rows count neither as expected nor as unexpected.`);
  else if (results.some(([, r]) => r.cutBy)) out('A row cut by --timeout or --max-executions counts only what it explored: it is NOT exhaustive. A violation found is real; a cut row without the expected one confirms no "ok" and contradicts no expected violation, so such rows count neither as expected nor as unexpected.');
  else out('Every row explored every execution: "executions" counts the complete ones, "blocked" the blocked ones (assume() or a wait that cannot finish), "violating" those that break an invariant (in complete or blocked executions); "found" lists the invariants broken.');
}

/** One execution (a counterexample, or a replayed schedule) with what a trace file needs. */
export interface TracedExecution {
  instance: Instance;
  graph: Graph;
  order: Ev[];
  threadNames: string[];
  violation?: { property: string; invariant: string | null; message: string; at?: { tid: number; idx: number } | null; explain?: () => WeakExplanation | null };
  schedule: string;
}

/** The JSON trace of one execution (docs/trace-format.md). */
function traceOf(run: Run, model: string, params: Record<string, number>, x: TracedExecution): ScenarioTrace {
  return scenarioTrace({
    inst: x.instance, graph: x.graph, order: x.order, threadNames: x.threadNames, target: run.target,
    scenario: run.scenario ?? null, variant: run.variant?.name ?? null, model,
    violation: x.violation ? { property: x.violation.property, invariant: x.violation.invariant, message: x.violation.message, at: x.violation.at ?? null } : null,
    replay: replayCommand(run, model, params, x.schedule), schedule: x.schedule,
    weak: x.violation?.explain?.() ?? null,
    functionSource: kernelFunctionSource,
    invariantInfo: (id) => findInvariant(id) ?? null,
  });
}

/** A declared kernel function's file and version(s), for a trace's `functions` table. */
function kernelFunctionSource(fn: string, ids: readonly number[]): FunctionSource | null {
  const all = kernelSource(fn, ids);
  if (all.length === 0) return null;
  const waits = all.find((s) => s.waits)?.waits;
  return { file: all[0].file, version: all.map((s) => s.version).join('; '), ...(waits ? { waits } : {}) };
}

/** Writes the JSON trace `mmcheck view` reads. */
export function writeTrace(file: string, run: Run, model: string, params: Record<string, number>, x: TracedExecution): void {
  writeOut(file, JSON.stringify(traceOf(run, model, params, x), null, 1) + '\n');
}

/** `mmcheck list --json`: every scenario with its variants, and every benchmark program. */
export function catalogJson(catalog: readonly Scenario[], benchmarks: readonly Benchmark[]): unknown {
  return {
    scenarios: catalog.map((s) => ({
      name: s.name, description: s.description, seed: s.seed, section: s.section,
      variants: s.variants.map((v) => ({ name: v.name, description: v.description, ref: v.ref, expected: v.expected, ...(v.also ? { alsoExpected: v.also } : {}), ...(v.origin ? { origin: v.origin } : {}), ...(v.kernels ? { kernels: v.kernels } : {}), model: variantModel(v) })),
    })),
    programs: benchmarks.map((b) => ({
      name: b.program.name, description: b.program.description, params: paramDefaults(b.program),
      paramRanges: Object.fromEntries(Object.entries(paramSpecs(b.program)).map(([k, r]) => [k, [r.min, r.max]])),
    })),
  };
}

/** `mmcheck list`: the catalog and the programs as text. */
export function printCatalog(catalog: readonly Scenario[], benchmarks: readonly Benchmark[]): void {
  out('Scenarios (mmcheck check <scenario> [--variant V | --all-variants]):');
  for (const s of catalog) {
    out(`\n  ${s.name}  [${s.section}, seed ${s.seed}]`);
    out(`    ${s.description}`);
    const nw = Math.max(...s.variants.map((v) => v.name.length));
    for (const v of s.variants) {
      const exp = v.expected === 'ok' ? 'holds' : `violates ${[v.expected, ...(v.also ?? [])].join(',')}`;
      out(`    - ${v.name.padEnd(nw)}  ${v.ref.padEnd(8)} ${variantModel(v).padEnd(5)} ${exp.padEnd(16)} ${v.description}`);
    }
  }
  out('\nPrograms (mmcheck check <program> [--param K=V]):');
  for (const b of benchmarks) {
    const ps = Object.entries(paramSpecs(b.program)).map(([k, r]) => describeParam(k, r)).join(' ');
    out(`  ${b.program.name.padEnd(14)} ${ps.padEnd(14)} ${b.program.description ?? ''}`);
  }
}
