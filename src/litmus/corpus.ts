// Corpus runner: checks every test of the corpus in test/fixtures/litmus (or another root holding a
// herd7-results.tsv) and compares with herd7 on the verdict, the number of executions
// (positive and negative), the number of final states and the data-race flag. Prints each
// disagreement and a summary line. Runs the tests in-process, or on N worker threads with --jobs N.
//
//   node --import tsx src/litmus/corpus.ts [--root DIR] [--jobs N] [--filter SUBSTR] [--every K] [--json]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData as startData } from 'node:worker_threads';
import { loadLitmusModel, type LitmusModel } from './model.ts';
import { Refused, runText } from './run.ts';

/**
 * The 1091-test corpus with herd7's results, kept in the repository as test fixtures (each file
 * under its upstream license; see its README). Not in the npm package: `files` leaves test/ out.
 */
export const CORPUS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/litmus');
export const DEFAULT_ROOT = CORPUS_ROOT;

export interface HerdRow {
  path: string;
  verdict: string;
  states: number;
  positive: number;
  negative: number;
  flags: string[];
  herdSeconds: number;
  timeMs: number;
}

export interface TestOutcome {
  path: string;
  ok: boolean;
  refused?: string;
  error?: string;
  verdict?: string;
  positive?: number;
  negative?: number;
  states?: number;
  flags?: string[];
  seconds: number;
}

export interface Disagreement {
  path: string;
  what: string[];
}

export interface CorpusReport {
  total: number;
  agreeVerdict: number;
  agreeCounts: number;
  agreeStates: number;
  agreeFlags: number;
  /** Tests whose whole flag set (data-race, mixed-accesses, ...) equals herd7's. */
  agreeAllFlags: number;
  flagSetDifferences: Disagreement[];
  agreeAll: number;
  disagreements: Disagreement[];
  seconds: number;
  wallSeconds: number;
  herdSeconds: number;
}

export function readHerdResults(root = DEFAULT_ROOT): HerdRow[] {
  const lines = readFileSync(join(root, 'herd7-results.tsv'), 'utf8').trim().split('\n');
  const head = lines[0]!.split('\t');
  const col = (n: string): number => head.indexOf(n);
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    const flags = f[col('herd_flags')]!;
    return {
      path: f[col('path')]!,
      verdict: f[col('verdict')]!,
      states: Number(f[col('states')]),
      positive: Number(f[col('positive')]),
      negative: Number(f[col('negative')]),
      flags: flags === '-' || flags === '' ? [] : flags.split(','),
      herdSeconds: Number(f[col('herd_time_s')]),
      timeMs: Number(f[col('time_ms')]),
    };
  });
}

export function checkOne(root: string, path: string, model: LitmusModel): TestOutcome {
  const file = join(root, path);
  const t0 = performance.now();
  try {
    const r = runText(file, readFileSync(file, 'utf8'), model);
    return { path, ok: true, verdict: r.verdict, positive: r.positive, negative: r.negative, states: r.stateList.length, flags: r.flags, seconds: r.seconds };
  } catch (e) {
    const seconds = (performance.now() - t0) / 1000;
    if (e instanceof Refused) return { path, ok: false, refused: e.message, seconds };
    return { path, ok: false, error: String((e as Error).stack ?? e), seconds };
  }
}

export function compare(h: HerdRow, o: TestOutcome): string[] {
  if (o.refused) return [`refused: ${o.refused}`];
  if (o.error) return [`internal error: ${o.error.split('\n')[0]}`];
  const what: string[] = [];
  if (o.verdict !== h.verdict) what.push(`verdict ${o.verdict} (herd7 ${h.verdict})`);
  if (o.positive !== h.positive || o.negative !== h.negative) {
    what.push(`executions ${o.positive}+${o.negative} (herd7 ${h.positive}+${h.negative})`);
  }
  if (o.states !== h.states) what.push(`states ${o.states} (herd7 ${h.states})`);
  const dr = (o.flags ?? []).includes('data-race');
  const hdr = h.flags.includes('data-race');
  if (dr !== hdr) what.push(`data-race flag ${dr ? 'raised' : 'not raised'} (herd7 ${hdr ? 'raised' : 'not raised'})`);
  return what;
}

/** True when the whole flag set (not only data-race) equals herd7's. */
export function sameFlags(h: HerdRow, o: TestOutcome): boolean {
  const a = [...(o.flags ?? [])].sort().join(',');
  const b = [...h.flags].sort().join(',');
  return a === b;
}

export interface CorpusOptions {
  root?: string;
  jobs?: number;
  filter?: (path: string) => boolean;
  onResult?: (h: HerdRow, o: TestOutcome, what: string[]) => void;
}

export async function runCorpus(opt: CorpusOptions = {}): Promise<CorpusReport> {
  const root = opt.root ?? DEFAULT_ROOT;
  const rows = readHerdResults(root).filter((r) => !opt.filter || opt.filter(r.path));
  const jobs = Math.max(1, opt.jobs ?? 1);
  const t0 = performance.now();
  const outcomes = new Map<string, TestOutcome>();
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const record = (o: TestOutcome): void => {
    outcomes.set(o.path, o);
    const h = byPath.get(o.path)!;
    opt.onResult?.(h, o, compare(h, o));
  };
  // Longest herd7 times first, so that the slow tests do not end up last on one worker.
  const queue = rows.slice().sort((a, b) => b.timeMs - a.timeMs).map((r) => r.path);
  if (jobs === 1) {
    const model = await loadLitmusModel();
    for (const p of queue) record(checkOne(root, p, model));
  } else {
    await new Promise<void>((resolve, reject) => {
      let live = 0;
      for (let j = 0; j < Math.min(jobs, queue.length); j++) {
        // Workers do not inherit tsx's loader: register it, then load this module.
        const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
        const w = new Worker(boot, { eval: true, workerData: { root, litmusCorpus: true } });
        live++;
        const feed = (): void => {
          const p = queue.shift();
          if (p === undefined) void w.terminate();
          else w.postMessage(p);
        };
        w.on('message', (m: TestOutcome | 'ready') => {
          if (m !== 'ready') record(m);
          feed();
        });
        w.on('error', reject);
        w.on('exit', () => {
          if (--live === 0) resolve();
        });
      }
    });
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const rep: CorpusReport = {
    total: rows.length, agreeVerdict: 0, agreeCounts: 0, agreeStates: 0, agreeFlags: 0, agreeAllFlags: 0,
    flagSetDifferences: [], agreeAll: 0,
    disagreements: [], seconds: 0, wallSeconds, herdSeconds: 0,
  };
  for (const h of rows) {
    const o = outcomes.get(h.path) ?? { path: h.path, ok: false, error: 'not run', seconds: 0 };
    rep.seconds += o.seconds;
    rep.herdSeconds += h.timeMs / 1000;
    const what = compare(h, o);
    if (o.ok) {
      if (o.verdict === h.verdict) rep.agreeVerdict++;
      if (o.positive === h.positive && o.negative === h.negative) rep.agreeCounts++;
      if (o.states === h.states) rep.agreeStates++;
      if ((o.flags ?? []).includes('data-race') === h.flags.includes('data-race')) rep.agreeFlags++;
      if (sameFlags(h, o)) rep.agreeAllFlags++;
      else rep.flagSetDifferences.push({ path: h.path, what: [`flags [${(o.flags ?? []).join(',')}] (herd7 [${h.flags.join(',')}])`] });
    }
    if (what.length === 0) rep.agreeAll++;
    else rep.disagreements.push({ path: h.path, what });
  }
  return rep;
}

export function summaryLine(r: CorpusReport): string {
  return (
    `litmus corpus: ${r.agreeAll}/${r.total} agree with herd7 ` +
    `(verdict ${r.agreeVerdict}, executions ${r.agreeCounts}, states ${r.agreeStates}, data-race flag ${r.agreeFlags}, ` +
    `all flags ${r.agreeAllFlags}); ` +
    `${r.disagreements.length} disagreements; ${r.seconds.toFixed(1)} s of test time, ${r.wallSeconds.toFixed(1)} s wall ` +
    `(herd7: ${r.herdSeconds.toFixed(1)} s)`
  );
}

async function workerMain(): Promise<void> {
  const { workerData } = await import('node:worker_threads');
  const root = (workerData as { root: string }).root;
  const model = await loadLitmusModel();
  parentPort!.on('message', (p: string) => {
    parentPort!.postMessage(checkOne(root, p, model));
  });
  parentPort!.postMessage('ready');
}

async function main(argv: string[]): Promise<number> {
  let root = DEFAULT_ROOT;
  let jobs = 1;
  let json = false;
  const filters: string[] = [];
  let every = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root') root = argv[++i]!;
    else if (a === '--jobs' || a === '-j') jobs = Number(argv[++i]);
    else if (a === '--filter') filters.push(argv[++i]!);
    else if (a === '--every') every = Number(argv[++i]);
    else if (a === '--json') json = true;
    else {
      console.error(`corpus: unknown argument ${a}`);
      return 2;
    }
  }
  const all = readHerdResults(root).map((r) => r.path);
  const keep = new Set(all.filter((p, i) => i % every === 0 && (filters.length === 0 || filters.some((f) => p.includes(f)))));
  const rep = await runCorpus({
    root,
    jobs,
    filter: (p) => keep.has(p),
    onResult: json ? undefined : (_h, o, what) => {
      if (what.length) console.log(`DISAGREE ${o.path}: ${what.join('; ')}`);
    },
  });
  if (json) console.log(JSON.stringify(rep, null, 2));
  else for (const d of rep.flagSetDifferences) console.log(`FLAGS ${d.path}: ${d.what.join('; ')}`);
  console.log(summaryLine(rep));
  return rep.disagreements.length === 0 ? 0 : 1;
}

// Only the corpus's own workers: other worker threads (check --jobs) load this module in a bundle.
if (!isMainThread && (startData as { litmusCorpus?: boolean } | null)?.litmusCorpus) {
  void workerMain();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e) => {
    console.error(`[mmcheck internal error] ${(e as Error).stack ?? e}`);
    process.exit(3);
  });
}
