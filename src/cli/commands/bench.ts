// `mmcheck bench`: executions, seconds, executions per second and peak memory per benchmark
// program (each in a child process), then the whole LKMM litmus corpus; printed as a table
// and written as JSON. Counts are compared with GenMC's (docs/design/benchmarks.md §1) as they go.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
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
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, wall: (performance.now() - t0) / 1000 };
}

export async function benchCmd(p: Parsed): Promise<number> {
  const names = p.positional;
  const known = new Set(benchmarks.map((b) => b.program.name).concat(['litmus-corpus']));
  for (const n of names) if (!known.has(n)) throw new UsageError(`unknown benchmark '${n}'${didYouMean(n, [...known])} (known: ${[...known].join(', ')})`);
  const only = parseParams(p.opts.param as string[] | undefined);
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
  const result = { results: rows, corpus };
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (typeof p.opts.out === 'string') writeFileSync(p.opts.out, JSON.stringify(result, null, 2) + '\n');
  if (mismatches) say(`\n${mismatches} count(s) differ from GenMC's`);
  return mismatches ? 1 : 0;
}
