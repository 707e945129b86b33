// `mmcheck check <target> | --all`: explores every execution of each run (or samples, or stops at
// a bound), prints one result or a table, and says by its exit code whether it found what the
// catalog expects (0), a violation (1).
import { DEFAULT_SAMPLER, check, type CheckOptions, type CheckResult, type SamplerName } from '../../engine/index.ts';
import { modelNames } from '../../engine/models/index.ts';
import { asExpected, judge, variantModel } from '../../kernel/expect.ts';
import { UsageError, parseParams, type Parsed } from '../options.ts';
import { catalogRuns, resolveTarget, type Run } from '../targets.ts';
import { err, jsonOf, out, printResult, printShard, printTable, writeTrace, type Bounds } from '../print.ts';
import { checkSplit, steals, type SplitCheckOptions } from '../../engine/parallel/run.ts';
import { writeSplitFile } from '../../engine/parallel/split-file.ts';
import { warmUp } from '../warm-up.ts';
import { closeWorkerPool, runRef, splitOptions, startWorkersEarly, workerPool, type SplitOptions } from '../parallel.ts';
import type { BugRow } from '../bug-table.ts';

function progress(label: string): ((c: number, b: number, s: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (c, b, s) => process.stderr.write(`\r${label}: ${c + b} executions (${b} blocked), ${Math.round((c + b) / s)}/s, ${s.toFixed(0)} s   `);
}

function boundsOf(p: Parsed): Bounds {
  if (p.opts['max-executions'] === 0) throw new UsageError('--max-executions needs at least 1 execution');
  return {
    params: parseParams(p.opts.param as string[] | undefined),
    seed: p.opts.seed as number | undefined,
    random: p.opts.random as number | undefined,
    timeout: p.opts.timeout as number | undefined,
    maxExecutions: p.opts['max-executions'] as number | undefined,
  };
}

/** How one run is explored: on its own, or shared out (threads, a shard, a checkpoint). */
interface Way {
  split: SplitOptions | null;
  /** What a worker thread needs to find the run's program. */
  ref?: unknown;
}

/** What --random, --sampler, --pct-depth, --pct-weak, --pct-history and --seed ask for (undefined: explore, do not sample). */
type Sampling = NonNullable<CheckOptions['random']> | undefined;

function samplingOf(p: Parsed, b: Bounds): Sampling {
  const n = p.opts.random as number | undefined;
  const sampler = p.opts.sampler as SamplerName | undefined;
  const depth = p.opts['pct-depth'] as number | undefined;
  const weak = p.opts['pct-weak'] as number | undefined;
  const history = p.opts['pct-history'] as number | undefined;
  if (n === undefined) {
    if (sampler !== undefined || depth !== undefined || weak !== undefined || history !== undefined) throw new UsageError('--sampler, --pct-depth, --pct-weak and --pct-history choose how --random N draws executions: give --random N');
    return undefined;
  }
  if (n === 0) throw new UsageError('--random needs at least 1 execution');
  if (depth !== undefined && sampler === 'random') throw new UsageError('--pct-depth is PCT\'s: the random walk (--sampler random) has no depth');
  if ((weak !== undefined || history !== undefined) && sampler === 'random') throw new UsageError('--pct-weak and --pct-history are PCT\'s: the random walk (--sampler random) draws every read\'s source at random');
  if (depth === 0) throw new UsageError('--pct-depth needs at least 1 (1: no priority change, the threads run in a random priority order)');
  if (history === 0) throw new UsageError('--pct-history needs at least 1 (1: every read reads the latest write, as under SC)');
  return { samples: n, seed: b.seed ?? 1, sampler: sampler ?? DEFAULT_SAMPLER, pctDepth: depth, pctWeak: weak, pctHistory: history };
}

async function runOne(run: Run, b: Bounds, modelOpt: string | undefined, random: Sampling, allViolations: boolean, way: Way, symmetry = true, ghosts = true): Promise<CheckResult> {
  const model = modelOpt ?? variantModel(run.variant);
  if (!modelNames().includes(model)) throw new UsageError(`unknown --model '${model}' (known: ${modelNames().join(', ')})`);
  const label = run.variant ? `${run.scenario}/${run.variant.name}` : run.program.name;
  const onProgress = progress(label);
  const common = {
    params: b.params,
    model,
    maxExecutions: b.maxExecutions,
    timeoutMs: b.timeout !== undefined ? b.timeout * 1000 : undefined,
    onProgress,
    allViolations,
    symmetry,
    ghosts,
  };
  let r: CheckResult;
  const sp = way.split;
  const split: SplitCheckOptions | null = sp ? {
    ...common, jobs: sp.jobs, shard: sp.shard, checkpoint: sp.checkpoint, resume: sp.resume,
    workers: sp.jobs > 1 ? { pool: workerPool(), program: way.ref } : undefined,
    source: { target: run.target, variant: run.variant?.name ?? null },
  } : null;
  // TurboFan held back while the search is young (warm-up.ts): a one-thread run, and work
  // stealing, which starts on this thread alone (steal-run.ts). Not the deterministic split, whose
  // plan pass has no tick to turn TurboFan back on.
  const warm = split === null || steals(split) ? warmUp() : null;
  try {
    if (split) {
      const o = await checkSplit(run.program, warm ? { ...split, onTick: warm.tick } : split);
      if (sp?.out) writeSplitFile(sp.out, o.file);
      r = o.result;
    } else {
      r = check(run.program, { ...common, random, onLeaf: warm?.tick });
    }
  } finally {
    warm?.done();
  }
  if (onProgress) process.stderr.write('\r\x1b[K');
  return r;
}

export async function checkCmd(p: Parsed): Promise<number> {
  if (p.opts.bugs) return checkBugs(p);
  startWorkersEarly(p);
  let runs: Run[];
  const table = !!p.opts.all || !!p.opts['all-variants'];
  if (p.opts.all) {
    if (p.positional.length) throw new UsageError('--all checks the whole catalog; give no target');
    runs = await catalogRuns();
  } else {
    if (p.positional.length !== 1) throw new UsageError('usage: mmcheck check <file.ts|scenario|program> [options] (or --all)');
    runs = await resolveTarget(p.positional[0], p.opts.variant as string | undefined, !!p.opts['all-variants']);
  }
  const many = table || runs.length > 1;
  // A table explores every variant completely, counting the violating executions per invariant.
  const allViolations = !!p.opts['all-violations'] || many;
  const b = boundsOf(p);
  const random = samplingOf(p, b);
  const split = splitOptions(p, runs.length);
  const results: [Run, CheckResult][] = [];
  try {
    for (const run of runs) {
      const r = await runOne(run, b, p.opts.model as string | undefined, random, allViolations, { split, ref: runRef(p, runs, run) }, !p.opts['no-symmetry'], !p.opts['no-ghosts']);
      results.push([run, r]);
      if (!p.opts.json && !many) {
        if (split?.shard) printShard(run, r, b, split.shard, split.out as string);
        else printResult(run, r, b);
      }
    }
  } finally {
    await closeWorkerPool();
  }
  if (typeof p.opts.trace === 'string') traceFirstViolation(p.opts.trace, results, b);
  if (p.opts.json) out(JSON.stringify({ results: results.map(([run, r]) => jsonOf(run, r, b)) }, null, 2));
  else if (many) printTable(results);
  if (many) return results.every(([run, r]) => judge(run.variant, r, run.findings) !== 'unexpected') ? 0 : 1;
  return results[0][1].verdict === 'violation' ? 1 : 0;
}

function traceFirstViolation(file: string, results: [Run, CheckResult][], b: Bounds): void {
  const hit = results.find(([, r]) => r.violation);
  if (!hit) {
    err(`mmcheck: no violation, so no counterexample trace was written to ${file}`);
    return;
  }
  const [run, r] = hit;
  const v = r.violation!;
  writeTrace(file, run, r.model, b.params, { instance: r.instance, graph: v.graph, order: v.order, threadNames: v.threadNames, violation: v, schedule: v.schedule });
  err(`mmcheck: trace written to ${file} (open it with: mmcheck view ${file})`);
}

/** `check --bugs` (with --all: the seed catalog's table first): every bug variant explored completely. */
async function checkBugs(p: Parsed): Promise<number> {
  if (p.positional.length) throw new UsageError('--bugs checks the whole bug-history catalog; give no target');
  const b = boundsOf(p);
  const model = p.opts.model as string | undefined;
  let status = 0;
  const seed: [Run, CheckResult][] = [];
  const [{ bugs }, { bugVariant }, { bugRowJson, printBugTable }] = await Promise.all([
    import('../../kernel/catalog.ts'), import('../../kernel/bugs/bug.ts'), import('../bug-table.ts'),
  ]);
  if (p.opts.all) {
    for (const run of await catalogRuns()) seed.push([run, await runOne(run, b, model, undefined, true, { split: null }, !p.opts['no-symmetry'], !p.opts['no-ghosts'])]);
    if (!seed.every(([run, r]) => judge(run.variant, r, run.findings) !== 'unexpected')) status = 1;
  }
  const rows: BugRow[] = [];
  for (const bug of bugs) {
    if (bug.notModelled) { rows.push({ bug, role: null, scenario: null, variant: null, result: null, asExpected: null }); continue; }
    for (const bv of bug.variants) {
      const v = bugVariant(bv);
      const run: Run = { target: bv.scenario.name, scenario: bv.scenario.name, variant: v, program: v.program };
      const r = await runOne(run, b, model, undefined, true, { split: null }, !p.opts['no-symmetry'], !p.opts['no-ghosts']);
      const ok = asExpected(v, r);
      if (ok === false) status = 1;
      rows.push({ bug, role: bv.role, scenario: bv.scenario.name, variant: v.name, result: r, asExpected: ok });
    }
  }
  if (p.opts.json) {
    out(JSON.stringify({ ...(p.opts.all ? { results: seed.map(([run, r]) => jsonOf(run, r, b)) } : {}), bugs: rows.map(bugRowJson) }, null, 2));
  } else {
    if (p.opts.all) { printTable(seed); out(''); }
    printBugTable(rows);
  }
  return status;
}
