// `mmcheck` commands. A thin layer over the engine, the kernel catalog and the litmus checker:
// it parses options, resolves targets, prints results and maps failures to exit codes
// (0 no violation, 1 violation, 2 bad input or usage, 3 internal error).
import { writeFileSync } from 'node:fs';
import { check, replay, scenarioTrace, violationHeadline, type CheckResult } from '../engine/index.ts';
import { ModelError, ParamError } from '../engine/program.ts';
import { UnknownModelError, modelNames } from '../engine/models/index.ts';
import { ScheduleError } from '../engine/trace.ts';
import { catalog } from '../kernel/catalog.ts';
import { benchmarks } from '../programs/index.ts';
import { COMMANDS, UsageError, helpText, parseArgs, parseParams, type Parsed } from './options.ts';
import { InputError, catalogRuns, resolveTarget, userLocation, type Run } from './targets.ts';
import { benchMain } from './bench.ts';

const out = (s = ''): void => { process.stdout.write(s + '\n'); };
const err = (s: string): void => { process.stderr.write(s + '\n'); };

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    if (argv[0] === 'litmus') {
      const { litmusMain } = await import('../litmus/cli.ts');
      return await litmusMain(argv.slice(1));
    }
    parsed = parseArgs(argv);
    switch (parsed.command) {
      case 'help': out(helpText()); return 0;
      case 'list': return list(parsed);
      case 'check': return await checkCmd(parsed);
      case 'replay': return await replayCmd(parsed);
      case 'bench': return await benchMain(parsed);
      case 'view': {
        const { viewMain } = await import('./view.ts');
        return await viewMain(parsed);
      }
      default: throw new UsageError(`unknown command '${parsed.command}'`);
    }
  } catch (e) {
    return failure(e);
  }
}

/** Bad input → exit 2 with file:line:col where there is one; anything else is our bug → 3. */
export function failure(e: unknown): number {
  if (e instanceof UsageError || e instanceof ParamError || e instanceof UnknownModelError || e instanceof ScheduleError) {
    err(`mmcheck: ${(e as Error).message}`);
    return 2;
  }
  if (e instanceof InputError) {
    err(`${e.where ? `${e.where}: ` : ''}${e.message}`);
    return 2;
  }
  if (e instanceof ModelError) {
    const where = e.original !== undefined ? userLocation(e.original) : undefined;
    err(`${where ? `${where}: ` : ''}error in the model: ${e.message}`);
    return 2;
  }
  err(`[mmcheck internal error] ${(e as Error)?.message ?? String(e)}`);
  if (process.env.MMCHECK_DEBUG) err(String((e as Error)?.stack ?? ''));
  else err('(run with MMCHECK_DEBUG=1 for the stack; please report it)');
  return 3;
}

function list(p: Parsed): number {
  if (p.opts.json) {
    out(JSON.stringify({
      scenarios: catalog.map((s) => ({
        name: s.name, description: s.description, seed: s.seed, section: s.section,
        variants: s.variants.map((v) => ({ name: v.name, description: v.description, ref: v.ref, expected: v.expected, ...(v.also ? { alsoExpected: v.also } : {}), ...(v.origin ? { origin: v.origin } : {}), model: v.model ?? 'sc' })),
      })),
      programs: benchmarks.map((b) => ({ name: b.program.name, description: b.program.description, params: b.program.params ?? {} })),
    }, null, 2));
    return 0;
  }
  out('Scenarios (mmcheck check <scenario> [--variant V | --all-variants]):');
  for (const s of catalog) {
    out(`\n  ${s.name}  [${s.section}, seed ${s.seed}]`);
    out(`    ${s.description}`);
    const nw = Math.max(...s.variants.map((v) => v.name.length));
    for (const v of s.variants) {
      const exp = v.expected === 'ok' ? 'holds' : `violates ${[v.expected, ...(v.also ?? [])].join(',')}`;
      out(`    - ${v.name.padEnd(nw)}  ${v.ref.padEnd(8)} ${(v.model ?? 'sc').padEnd(5)} ${exp.padEnd(16)} ${v.description}`);
    }
  }
  out('\nPrograms (mmcheck check <program> [--param K=V]):');
  for (const b of benchmarks) {
    const ps = Object.entries(b.program.params ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    out(`  ${b.program.name.padEnd(14)} ${ps.padEnd(10)} ${b.program.description ?? ''}`);
  }
  return 0;
}

/** ' (deadlock)', ' (final state)', or nothing for a failed assertion. */
function violationKindNote(v: { property: string }): string {
  return v.property === 'assertion' ? '' : v.property === 'final' ? ' (final state)' : ` (${v.property})`;
}

function invariantOf(r: CheckResult): string | undefined {
  return r.violation ? r.violation.invariant ?? r.violation.property : undefined;
}

/** Every invariant found: all classes with --all-violations, else the first violation's. */
function invariantsOf(r: CheckResult): string[] {
  if (r.violations) return r.violations.map((c) => c.key);
  const inv = invariantOf(r);
  return inv ? [inv] : [];
}

function progress(label: string): ((c: number, b: number, s: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (c, b, s) => process.stderr.write(`\r${label}: ${c + b} executions (${b} blocked), ${Math.round((c + b) / s)}/s, ${s.toFixed(0)} s   `);
}

function runOne(run: Run, p: Parsed, allViolations: boolean): CheckResult {
  const model = (p.opts.model as string | undefined) ?? run.variant?.model ?? 'sc';
  if (!modelNames().includes(model)) throw new UsageError(`unknown --model '${model}' (known: ${modelNames().join(', ')})`);
  const label = run.variant ? `${run.scenario}/${run.variant.name}` : run.program.name;
  const onProgress = progress(label);
  const r = check(run.program, {
    params: parseParams(p.opts.param as string[] | undefined),
    model,
    maxExecutions: p.opts['max-executions'] as number | undefined,
    timeoutMs: p.opts.timeout !== undefined ? (p.opts.timeout as number) * 1000 : undefined,
    random: p.opts.random !== undefined ? { samples: p.opts.random as number, seed: (p.opts.seed as number | undefined) ?? 1 } : undefined,
    onProgress,
    allViolations,
  });
  if (onProgress) process.stderr.write('\r\x1b[K');
  return r;
}

function replayCommand(run: Run, r: CheckResult, p: Parsed, schedule = r.violation!.schedule): string {
  const parts = ['mmcheck replay', run.target];
  if (run.variant && run.variant.name !== 'safe') parts.push(`--variant ${run.variant.name}`);
  for (const [k, v] of Object.entries(parseParams(p.opts.param as string[] | undefined))) parts.push(`--param ${k}=${v}`);
  if (r.model !== (run.variant?.model ?? 'sc')) parts.push(`--model ${r.model}`);
  parts.push(`--schedule ${schedule}`);
  return parts.join(' ');
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function printResult(run: Run, r: CheckResult, p: Parsed): void {
  const label = run.variant ? `${run.scenario} --variant ${run.variant.name}` : run.program.name;
  const ps = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  out(`mmcheck check ${label}${ps ? ` (${ps})` : ''} under ${r.model.toUpperCase()}`);
  if (run.variant) out(`  ${run.variant.description}`);
  const what = `${r.counts}`;
  if (r.flags.length) out(`Flag ${r.flags.join(', ')}: raised by the ${r.model.toUpperCase()} in some execution (a data race makes the outcome undefined there)`);
  const blocked = r.blocked ? `, ${fmt(r.blocked)} blocked` : '';
  if (r.violation) {
    const v = r.violation;
    out(`\nVIOLATION${violationKindNote(v)}: ${violationHeadline(v)}`);
    if (!r.violations) out(`found after ${fmt(r.executions + r.blocked)} executions in ${r.seconds.toFixed(2)} s${r.mode === 'sample' ? ' of random sampling' : ''}\n`);
    else out('');
    out(v.trace);
    out(`\nfinal memory: ${v.memory}`);
    out(`replay: ${replayCommand(run, r, p)}`);
    if (r.violations) printViolationCounts(run, r, p);
    else if (r.mode === 'exhaustive') out('(the search stopped here; --all-violations explores every execution and counts those that break each invariant)');
  } else if (r.mode === 'sample') {
    out(`SAMPLED: no violation in ${fmt(r.executions)} random executions${blocked} (seed ${p.opts.seed ?? 1}), ${r.seconds.toFixed(2)} s.`);
    out('This is a sample, not a proof: executions outside it were not explored.');
  } else if (r.verdict === 'bounded') {
    const by = r.cutBy === 'timeout' ? `--timeout ${p.opts.timeout} s` : `--max-executions ${p.opts['max-executions']}`;
    out(`BOUNDED: explored ${fmt(r.executions)} complete executions${blocked} in ${r.seconds.toFixed(2)} s, then stopped at ${by}.`);
    out('The search is NOT exhaustive: no violation among the executions explored; the rest were not explored.');
  } else {
    out(`OK: no violation in ${r.executions === 1 ? 'the only execution' : `all ${fmt(r.executions)} executions`}${blocked}; ${r.seconds.toFixed(2)} s.`);
    out(`(counted: ${what})`);
  }
}

/** Executions that ended in a violation (all of them with --all-violations, else the first). */
function violatingCount(r: CheckResult): number {
  return r.violations ? r.violations.reduce((n, c) => n + c.count, 0) : r.violation ? 1 : 0;
}

/** --all-violations: how many executions broke each invariant, with a replay for each. */
function printViolationCounts(run: Run, r: CheckResult, p: Parsed): void {
  const total = r.executions + r.blocked;
  const bad = violatingCount(r);
  const scope = r.verdict === 'violation' && r.cutBy ? `the ${fmt(total)} executions explored before ${r.cutBy === 'timeout' ? '--timeout' : '--max-executions'} (NOT exhaustive)` : `all ${fmt(total)} executions`;
  out(`\n${fmt(bad)} of ${scope} end in a violation (${r.seconds.toFixed(2)} s):`);
  for (const c of r.violations!) {
    out(`  ${c.key}: ${fmt(c.count)} execution${c.count === 1 ? '' : 's'}${c === r.violations![0] ? ' (the trace above)' : ''}`);
    if (c !== r.violations![0]) {
      out(`    first: ${violationHeadline(c.first)}`);
      out(`    replay: ${replayCommand(run, r, p, c.first.schedule)}`);
    }
  }
}

function jsonOf(run: Run, r: CheckResult): Record<string, unknown> {
  const o: Record<string, unknown> = {
    target: run.target, params: r.params, model: r.model, verdict: r.verdict,
    executions: r.executions, blocked: r.blocked, seconds: Number(r.seconds.toFixed(4)), mode: r.mode,
  };
  if (r.flags.length) o.flags = r.flags;
  if (r.cutBy) o.cutBy = r.cutBy;
  if (run.variant) {
    o.scenario = run.scenario;
    o.variant = run.variant.name;
    o.ref = run.variant.ref;
    o.expected = run.variant.expected;
    if (run.variant.also) o.alsoExpected = run.variant.also;
  }
  if (r.violation) {
    o.property = r.violation.property;
    o.invariant = r.violation.invariant;
    o.message = r.violation.message;
    o.schedule = r.violation.schedule;
  }
  if (r.violations) {
    o.violations = r.violations.map((c) => ({ invariant: c.key, executions: c.count, message: c.first.message, schedule: c.first.schedule }));
  }
  return o;
}

/** Does the verdict match the catalog's expectation? */
/**
 * Does the verdict match the catalog's expectation? An unsafe variant's expectation holds for its
 * own model; run under another one (--model) it has none ('n/a'). A safe variant is expected to
 * hold under any model.
 */
function asExpected(run: Run, r: CheckResult): boolean | 'n/a' {
  if (!run.variant) return r.verdict === 'ok';
  if (run.variant.expected === 'ok') return r.verdict === 'ok';
  if (r.model !== (run.variant.model ?? 'sc')) return 'n/a';
  const found = invariantsOf(r);
  // Without --all-violations only the first violation is known: the row's other ids cannot be asked for.
  const want = r.violations ? [run.variant.expected, ...(run.variant.also ?? [])] : [run.variant.expected];
  return r.verdict === 'violation' && want.every((id) => found.includes(id));
}

async function checkCmd(p: Parsed): Promise<number> {
  let runs: Run[];
  const table = !!p.opts.all || !!p.opts['all-variants'];
  if (p.opts.all) {
    if (p.positional.length) throw new UsageError('--all checks the whole catalog; give no target');
    runs = catalogRuns();
  } else {
    if (p.positional.length !== 1) throw new UsageError('usage: mmcheck check <file.ts|scenario|program> [options] (or --all)');
    runs = await resolveTarget(p.positional[0], p.opts.variant as string | undefined, !!p.opts['all-variants']);
    if (runs.length > 1 && !p.opts['all-variants']) p.opts['all-variants'] = true;
  }
  // A table explores every variant completely, counting the violating executions per invariant.
  const allViolations = !!p.opts['all-violations'] || table || runs.length > 1;
  const results: [Run, CheckResult][] = [];
  for (const run of runs) {
    const r = runOne(run, p, allViolations);
    results.push([run, r]);
    if (!p.opts.json && !(table || runs.length > 1)) printResult(run, r, p);
  }
  if (typeof p.opts.trace === 'string') writeTrace(p, results);
  if (p.opts.json) {
    out(JSON.stringify({ results: results.map(([run, r]) => jsonOf(run, r)) }, null, 2));
  } else if (table || runs.length > 1) {
    printTable(results);
  }
  if (table || runs.length > 1) return results.every(([run, r]) => asExpected(run, r) !== false) ? 0 : 1;
  const r = results[0][1];
  return r.verdict === 'violation' ? 1 : 0;
}

function writeTrace(p: Parsed, results: [Run, CheckResult][]): void {
  const hit = results.find(([, r]) => r.violation);
  if (!hit) {
    err(`mmcheck: no violation, so no counterexample trace was written to ${p.opts.trace}`);
    return;
  }
  const [run, r] = hit;
  const v = r.violation!;
  const t = scenarioTrace({
    inst: r.instance, graph: v.graph, order: v.order, threadNames: v.threadNames, target: run.target,
    scenario: run.scenario ?? null, variant: run.variant?.name ?? null, model: r.model,
    violation: { property: v.property, invariant: v.invariant, message: v.message }, replay: replayCommand(run, r, p), schedule: v.schedule,
  });
  writeFileSync(p.opts.trace as string, JSON.stringify(t, null, 1) + '\n');
  err(`mmcheck: trace written to ${p.opts.trace} (open it with: mmcheck view ${p.opts.trace})`);
}

function printTable(results: [Run, CheckResult][]): void {
  const rows = [['scenario', 'variant', 'ref', 'model', 'expected', 'found', 'executions', 'blocked', 'violating', 'seconds', '']];
  let bad = 0;
  let na = 0;
  for (const [run, r] of results) {
    const found = r.verdict === 'violation' ? invariantsOf(r).join(',') : r.verdict;
    const okv = asExpected(run, r);
    if (okv === false) bad++;
    if (okv === 'n/a') na++;
    rows.push([run.scenario ?? run.program.name, run.variant?.name ?? '-', run.variant?.ref ?? '-', r.model, [run.variant?.expected ?? 'ok', ...(run.variant?.also ?? [])].join(','), found,
      fmt(r.executions), fmt(r.blocked), fmt(violatingCount(r)), r.seconds.toFixed(2), okv === 'n/a' ? `n/a (expectation is for ${run.variant?.model ?? 'sc'})` : okv ? 'as expected' : 'UNEXPECTED']);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) out(r.map((c, i) => (i >= 6 && i <= 9 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd());
  const total = results.reduce((s, [, r]) => s + r.seconds, 0);
  out(`\n${results.length} variants, ${results.length - bad - na} as expected, ${bad} unexpected${na ? `, ${na} with no expectation under this model` : ''}; ${total.toFixed(1)} s exploring.`);
  if (results.some(([, r]) => r.cutBy)) out('A row cut by --timeout or --max-executions counts only what it explored: it is NOT exhaustive.');
  else out('Every row explored every execution: "executions" counts the complete ones, "blocked" the blocked ones (assume() or a wait that cannot finish), "violating" those that break an invariant (in complete or blocked executions); "found" lists the invariants broken.');
}

async function replayCmd(p: Parsed): Promise<number> {
  if (p.positional.length !== 1) throw new UsageError('usage: mmcheck replay <file.ts|scenario|program> --schedule S [--variant V] [--param K=V] [--model M]');
  if (typeof p.opts.schedule !== 'string') throw new UsageError('replay needs --schedule S (printed with the violation)');
  const [run] = await resolveTarget(p.positional[0], p.opts.variant as string | undefined, false);
  const model = (p.opts.model as string | undefined) ?? run.variant?.model ?? 'sc';
  const r = replay(run.program, p.opts.schedule, { params: parseParams(p.opts.param as string[] | undefined), model });
  if (r.divergence) {
    err(`mmcheck replay: ${r.divergence}`);
    out(r.trace);
    return 2;
  }
  out(r.trace);
  out(`\nfinal memory: ${r.memory}`);
  if (typeof p.opts.trace === 'string') {
    const t = scenarioTrace({
      inst: r.instance, graph: r.graph, order: r.order, threadNames: r.threadNames, target: run.target,
      scenario: run.scenario ?? null, variant: run.variant?.name ?? null, model,
      violation: r.violation ? { property: r.violation.property, invariant: r.violation.invariant, message: r.violation.message } : null,
      replay: `mmcheck replay ${process.argv.slice(3).join(' ')}`, schedule: p.opts.schedule,
    });
    writeFileSync(p.opts.trace, JSON.stringify(t, null, 1) + '\n');
  }
  if (r.violation) {
    out(`\nVIOLATION${violationKindNote(r.violation)}: ${violationHeadline(r.violation)}`);
    return 1;
  }
  out(`\nThis execution is ${r.outcome === 'complete' ? 'complete' : r.outcome} and violates nothing.`);
  return 0;
}

export { COMMANDS };
