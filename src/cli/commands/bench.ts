// `mmcheck bench`: executions, seconds, executions per second and peak memory per benchmark
// program (each in a child process), then the whole LKMM litmus corpus, then every variant of
// the scenario catalog under --model lkmm (seconds and counts per row); printed as tables
// and written as JSON. Counts are compared with GenMC's (docs/design/benchmarks.md §1) as they go.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { writeOut } from '../io.ts';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_ROOT } from '../../litmus/corpus.ts';
import { benchmarks } from '../../programs/index.ts';
import { UsageError, parseParams, type Parsed } from '../options.ts';
import { didYouMean } from '../suggest.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');

interface Row {
  program: string;
  params: Record<string, number>;
  model: string;
  executions: number;
  blocked: number;
  seconds: number;
  execPerSec: number;
  peakRssMB: number;
  expected?: number;
  matches?: boolean;
}

function child(args: string[]): { stdout: string; stderr: string; status: number | null; wall: number } {
  const t0 = performance.now();
  // A --jobs child's worker threads load the bundle this command runs from, as `check` would.
  const bundle = (globalThis as Record<symbol, unknown>)[Symbol.for('mmcheck.workerBundle')] as string | undefined;
  const env = bundle ? { ...process.env, MMCHECK_WORKER_BUNDLE: bundle } : process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20, env });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, wall: (performance.now() - t0) / 1000 };
}

export async function benchCmd(p: Parsed): Promise<number> {
  const names = p.positional;
  const known = new Set(benchmarks.map((b) => b.program.name).concat(['litmus-corpus', 'lkmm-catalog']));
  for (const n of names) if (!known.has(n)) throw new UsageError(`unknown benchmark '${n}'${didYouMean(n, [...known])} (known: ${[...known].join(', ')})`);
  const only = parseParams(p.opts.param as string[] | undefined);
  if (p.opts.jobs !== undefined) return benchJobs(p, names, only);
  const rows: Row[] = [];
  const json = !!p.opts.json;
  const say = (s: string): void => { if (!json) process.stdout.write(s + '\n'); };
  say('program        params      executions   blocked   seconds      exec/s   peak MB  GenMC sc');
  let mismatches = 0;
  for (const b of benchmarks) {
    if (names.length ? !names.includes(b.program.name) : b.heavy && !p.opts.heavy) continue;
    // With --param, each program runs once: its first size with the given values on top.
    const runs = Object.keys(only).length ? [{ ...b.sizes[0], ...only }] : b.sizes;
    runs.forEach((params, i) => {
      const r = child([join(here, '..', 'bench-one.ts'), b.program.name, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)]);
      if (r.status !== 0) throw new Error(`benchmark ${b.program.name} failed: ${r.stderr.trim()}`);
      const o = JSON.parse(r.stdout.trim().split('\n').pop() as string);
      const expected = runs === b.sizes ? b.expected[i] : undefined;
      const row: Row = {
        program: b.program.name, params, model: 'sc', executions: o.executions, blocked: o.blocked,
        seconds: Number(o.seconds.toFixed(3)), execPerSec: Math.round((o.executions + o.blocked) / Math.max(o.seconds, 1e-6)),
        peakRssMB: Number(o.peakRssMB.toFixed(1)), expected, matches: expected === undefined ? undefined : expected === o.executions,
      };
      if (row.matches === false) mismatches++;
      rows.push(row);
      const ps = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
      say(`${row.program.padEnd(14)} ${ps.padEnd(10)} ${String(row.executions).padStart(11)} ${String(row.blocked).padStart(9)} ${row.seconds.toFixed(2).padStart(9)} ${String(row.execPerSec).padStart(11)} ${row.peakRssMB.toFixed(0).padStart(9)}  ${expected === undefined ? '' : row.matches ? `= ${expected}` : `MISMATCH (GenMC ${expected})`}`);
    });
  }
  let corpus: Record<string, unknown> | undefined;
  if (!names.length || names.includes('litmus-corpus')) {
    const root = CORPUS_ROOT;
    if (existsSync(join(root, 'herd7-results.tsv'))) {
      const r = child([join(repo, 'src/litmus/corpus.ts'), '--root', root, '--json']);
      const text = r.stdout;
      const start = text.indexOf('{');
      const rep = start >= 0 ? JSON.parse(text.slice(start, text.lastIndexOf('}') + 1)) : {};
      corpus = { program: 'litmus-corpus', tests: rep.total ?? rep.tests, wallSeconds: Number(r.wall.toFixed(2)), herd7Seconds: 66, summary: text.trim().split('\n').pop() };
      say(`\nlitmus corpus (${root}): ${corpus.summary}`);
      say(`  wall time ${r.wall.toFixed(1)} s in one process (herd7: about 66 s, one process per test) — ratio ${(66 / r.wall).toFixed(1)}x`);
    } else {
      say(`\nlitmus corpus: ${root} not found, skipped`);
    }
  }
  let lkmmCatalog: LkmmCatalog | undefined;
  if (!names.length || names.includes('lkmm-catalog')) lkmmCatalog = benchLkmmCatalog(say);
  const result = { results: rows, corpus, lkmmCatalog };
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (typeof p.opts.out === 'string') writeOut(p.opts.out, JSON.stringify(result, null, 2) + '\n');
  if (mismatches) say(`\n${mismatches} count(s) differ from GenMC's`);
  if (lkmmCatalog?.unexpected) say(`\n${lkmmCatalog.unexpected} catalog row(s) under the LKMM not as expected`);
  return mismatches || lkmmCatalog?.unexpected ? 1 : 0;
}

/** One variant of the catalog under the LKMM, as src/cli/bench-lkmm.ts prints it. */
interface LkmmRow {
  scenario: string;
  variant: string;
  found: string;
  judgement: string;
  executions: number;
  blocked: number;
  rejected: number;
  seconds: number;
  cutBy: string | null;
}

interface LkmmCatalog {
  rows: LkmmRow[];
  timeoutSeconds: number;
  totalSeconds: number;
  wallSeconds: number;
  unexpected: number;
  cut: number;
}

/** Rows of the LKMM catalog printed as the heaviest (all of them are in the JSON). */
const LKMM_HEAVIEST = 12;
/** The per-row bound: a row that reaches it is a regression to look at (the whole table takes about 20 s). */
const LKMM_ROW_TIMEOUT = 20;

/**
 * Every catalog variant under --model lkmm (what `check --all --model lkmm` explores), in one
 * child process: the total, the heaviest rows with their counts, and every row cut by the
 * per-row bound. The LKMM's full check makes its rows the ones whose time moves when the cat
 * model, the explorer or a scenario's code changes (migrate-vs-stale-tlb went from 0.4 s to
 * more than 3 min unnoticed), so the benchmark times each of them.
 */
function benchLkmmCatalog(say: (s: string) => void): LkmmCatalog {
  const r = child([join(here, '..', 'bench-lkmm.ts'), String(LKMM_ROW_TIMEOUT)]);
  if (r.status !== 0) throw new Error(`the LKMM catalog benchmark failed: ${r.stderr.trim()}`);
  const rows: LkmmRow[] = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const total = rows.reduce((a, x) => a + x.seconds, 0);
  const unexpected = rows.filter((x) => x.judgement === 'unexpected').length;
  const cut = rows.filter((x) => x.cutBy !== null);
  const count = (j: (x: LkmmRow) => boolean): number => rows.filter(j).length;
  say(`\nscenario catalog under --model lkmm (${rows.length} variants, ${LKMM_ROW_TIMEOUT} s bound per row): ${total.toFixed(1)} s exploring, ${r.wall.toFixed(1)} s wall; ` +
    `${count((x) => x.judgement === 'as expected')} as expected, ${count((x) => x.judgement.startsWith('finding'))} documented findings, ` +
    `${count((x) => x.judgement === 'n/a')} with no expectation under lkmm, ${unexpected} unexpected, ${cut.length} cut by the bound`);
  const line = (x: LkmmRow): string => `${x.scenario.padEnd(42)} ${x.variant.padEnd(32)} ${x.found.padEnd(9)} ${String(x.executions).padStart(10)} ${String(x.blocked).padStart(8)} ${String(x.rejected).padStart(9)} ${x.seconds.toFixed(2).padStart(8)}${x.cutBy ? `  CUT by ${x.cutBy}` : ''}`;
  say(`${'heaviest rows'.padEnd(42)} ${'variant'.padEnd(32)} ${'found'.padEnd(9)} ${'executions'.padStart(10)} ${'blocked'.padStart(8)} ${'rejected'.padStart(9)} ${'seconds'.padStart(8)}`);
  const heavy = [...rows].sort((a, b) => b.seconds - a.seconds).slice(0, LKMM_HEAVIEST);
  for (const x of heavy) say(line(x));
  for (const x of cut) if (!heavy.includes(x)) say(line(x));
  return { rows, timeoutSeconds: LKMM_ROW_TIMEOUT, totalSeconds: Number(total.toFixed(2)), wallSeconds: Number(r.wall.toFixed(2)), unexpected, cut: cut.length };
}

interface JobsRow {
  program: string;
  params: Record<string, number>;
  jobs: number;
  executions: number;
  blocked: number;
  /** The search's own seconds (check's figure: from the search's start to its result) on one thread and on `jobs`. */
  seconds1: number;
  secondsN: number;
  speedup: number;
  /** Wall-clock seconds of the whole command `mmcheck check PROGRAM --jobs 1` and `--jobs N` (start-up included). */
  command1: number;
  commandN: number;
  commandSpeedup: number;
  /** CPU seconds of the one searching thread, and of each of the N (calling thread first); V8's helper threads not included. */
  cpu1: number | null;
  cpuN: (number | null)[];
  /** cpu1 over the busiest thread's CPU: the speed-up with a free core per thread and for V8's helpers. */
  cpuSpeedup: number | null;
  sameCounts: boolean;
}

/**
 * `bench --jobs N`: each program of issue 11's list (or those named) on one thread and on N, one
 * after the other in processes of their own; the counts must be equal. Two figures of time: the
 * search's own seconds (bench-one.ts, whose worker threads start with its process, as an explicit
 * --jobs does) and the wall clock of the whole `mmcheck check` command, start-up included. The
 * machine's load average is printed before and after: on a shared machine a speed-up is only as
 * good as the quiet it had.
 */
async function benchJobs(p: Parsed, names: string[], only: Record<string, number>): Promise<number> {
  const jobs = p.opts.jobs as number;
  if (jobs < 2) throw new UsageError('bench --jobs N times N threads against one: N must be at least 2');
  const json = !!p.opts.json;
  const say = (s: string): void => { if (!json) process.stdout.write(s + '\n'); };
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  const loadBefore = load();
  say(`load average before: ${loadBefore} (${availableParallelism()} cores)`);
  say('search s: the search alone; command s: wall clock of the whole `mmcheck check PROGRAM --jobs J`, start-up included;');
  say(`CPU s: the searching threads' CPU seconds (V8's compiler and GC helper threads not counted), and one thread's over the busiest of ${jobs}'s`);
  say(`program        params      executions   blocked   search s (1 / ${jobs})  speed-up   command s (1 / ${jobs})  speed-up   CPU s: 1 thread / each of ${jobs}  CPU speed-up`);
  const rows: JobsRow[] = [];
  let bad = 0;
  for (const b of benchmarks) {
    if (names.length ? !names.includes(b.program.name) : !b.jobsSize || (b.heavy && !p.opts.heavy)) continue;
    const params = { ...(b.jobsSize ?? b.sizes[0]), ...only };
    const kv = Object.entries(params).map(([k, v]) => `${k}=${v}`);
    const run = (j: number): { executions: number; blocked: number; seconds: number; threadCpu: (number | null)[] } => {
      const r = child([join(here, '..', 'bench-one.ts'), b.program.name, `jobs=${j}`, ...kv]);
      if (r.status !== 0) throw new Error(`benchmark ${b.program.name} --jobs ${j} failed: ${r.stderr.trim()}`);
      return JSON.parse(r.stdout.trim().split('\n').pop() as string);
    };
    const command = (j: number): number => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(repo, 'bin', 'mmcheck.js'), 'check', b.program.name, ...kv.flatMap((x) => ['--param', x]), '--jobs', String(j)], { cwd: repo, encoding: 'utf8' });
      const wall = (performance.now() - t0) / 1000;
      if (r.status !== 0 && r.status !== 1) throw new Error(`mmcheck check ${b.program.name} --jobs ${j} failed: ${r.stderr.trim()}`);
      return wall;
    };
    const one = run(1);
    const many = run(jobs);
    const c1 = command(1);
    const cN = command(jobs);
    const row: JobsRow = {
      program: b.program.name, params, jobs, executions: one.executions, blocked: one.blocked,
      seconds1: Number(one.seconds.toFixed(3)), secondsN: Number(many.seconds.toFixed(3)),
      speedup: Number((one.seconds / Math.max(many.seconds, 1e-6)).toFixed(2)),
      command1: Number(c1.toFixed(2)), commandN: Number(cN.toFixed(2)), commandSpeedup: Number((c1 / Math.max(cN, 1e-6)).toFixed(2)),
      cpu1: one.threadCpu[0] ?? null, cpuN: many.threadCpu, cpuSpeedup: null,
      sameCounts: one.executions === many.executions && one.blocked === many.blocked,
    };
    const busiest = Math.max(...row.cpuN.map((c) => c ?? Infinity));
    if (row.cpu1 !== null && Number.isFinite(busiest)) row.cpuSpeedup = Number((row.cpu1 / Math.max(busiest, 0.01)).toFixed(2));
    if (!row.sameCounts) bad++;
    rows.push(row);
    const cpus = `${row.cpu1?.toFixed(2) ?? '?'} / ${row.cpuN.map((c) => c?.toFixed(2) ?? '?').join(' + ')}`;
    const pair = (a: number, b: number): string => `${a.toFixed(2)} / ${b.toFixed(2)}`;
    say(`${row.program.padEnd(14)} ${kv.join(' ').padEnd(10)} ${String(row.executions).padStart(11)} ${String(row.blocked).padStart(9)}   ${pair(row.seconds1, row.secondsN).padEnd(19)} ${(row.speedup.toFixed(2) + 'x').padStart(8)}   ${pair(row.command1, row.commandN).padEnd(20)} ${(row.commandSpeedup.toFixed(2) + 'x').padStart(8)}   ${cpus.padEnd(29)}  ${row.cpuSpeedup === null ? '?' : `${row.cpuSpeedup.toFixed(2)}x`}${row.sameCounts ? '' : `  COUNTS DIFFER (${many.executions} complete, ${many.blocked} blocked on ${jobs} threads)`}`);
  }
  const loadAfter = load();
  say(`load average after: ${loadAfter}`);
  const result = { jobs, loadBefore, loadAfter, results: rows };
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (typeof p.opts.out === 'string') writeOut(p.opts.out, JSON.stringify(result, null, 2) + '\n');
  if (bad) say(`\n${bad} program(s) counted differently on ${jobs} threads`);
  return bad ? 1 : 0;
}
