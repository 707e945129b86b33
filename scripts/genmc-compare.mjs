// Side by side with GenMC (docs/performance.md, "Side by side with GenMC 0.11"): runs GenMC and
// mmcheck on the GenMC benchmark programs mmcheck ships (and, if given, on the refcount program
// of the team's peer comparison), alternating between the two tools so that both see the same
// load, and prints a Markdown table of complete / blocked counts and median whole-process wall
// and CPU seconds. Not part of `npm test`: GenMC is built outside the repository.
//
//   GENMC=/path/to/genmc node scripts/genmc-compare.mjs [--runs N] [--jobs J] [program…]
//
// GENMC_TESTS: GenMC's tests/correct/synthetic folder (default: beside the genmc binary).
// REFCOUNT_C, REFCOUNT_TS: refcount.c for GenMC and its mmcheck translation (rows refcount2..4).
// --jobs J: mmcheck's --jobs (default 1: GenMC runs on one thread by default too).
// Programs: big0 big1 big2 readers lastzero indexer fib_bench refcount2 refcount3 refcount4
// (default: all but big1 and big2, which take minutes; name them to include them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const genmc = process.env.GENMC;
if (!genmc || !existsSync(genmc)) {
  console.error('set GENMC to a genmc binary (GenMC 0.11, built outside this repository)');
  process.exit(2);
}
const tests = process.env.GENMC_TESTS ?? join(dirname(resolve(genmc)), 'tests', 'correct', 'synthetic');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mmcheck = join(root, 'bin', 'mmcheck.js');

const argv = process.argv.slice(2);
let runs = 5;
let jobs = 1;
const names = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--jobs') jobs = Number(argv[++i]);
  else names.push(argv[i]);
}

// GenMC's file and flags for each program: the test suite's SC runs (args.sc.mo.in) of the
// variant named in the program's header comment (src/programs/genmc/*.ts).
const syn = (p) => join(tests, p);
const rows = [
  { name: 'big0', genmc: [syn('big0/variants/big00.c')], mm: ['big0'] },
  { name: 'big1', genmc: [syn('big1/variants/big10.c')], mm: ['big1'], heavy: true },
  { name: 'big2', genmc: ['--disable-ipr', '--disable-sr', '--', syn('big2/variants/big20r.c')], mm: ['big2'], heavy: true },
  { name: 'readers', label: 'readers(15)', genmc: ['--', '-DN=15', syn('readers/variants/readers0.c')], mm: ['readers', '--param', 'N=15'] },
  { name: 'lastzero', label: 'lastzero(15)', genmc: ['--', '-DN=15', syn('lastzero/variants/lastzero0.c')], mm: ['lastzero', '--param', 'N=15'] },
  { name: 'indexer', label: 'indexer(15)', genmc: ['--', '-DN=15', syn('indexer/variants/indexer0.c')], mm: ['indexer', '--param', 'N=15'] },
  { name: 'fib_bench', label: 'fib_bench(5)', genmc: [syn('fib_bench/variants/fib_bench0.c')], mm: ['fib_bench'] },
];
for (const n of [2, 3, 4]) {
  if (process.env.REFCOUNT_C && process.env.REFCOUNT_TS) {
    rows.push({ name: `refcount${n}`, label: `refcount(${n})`, genmc: ['--', `-DN=${n}`, process.env.REFCOUNT_C], mm: [process.env.REFCOUNT_TS, '--param', `N=${n}`], heavy: n === 4 });
  }
}
const chosen = names.length ? rows.filter((r) => names.includes(r.name)) : rows.filter((r) => !r.heavy);

const dir = mkdtempSync(join(tmpdir(), 'genmc-compare-'));
/**
 * One whole-process run: wall seconds (here), CPU seconds (user + system of the command and its
 * children, from bash's `time`, which reads getrusage to the millisecond; the shell's `times`
 * counts clock ticks, 10 ms, too coarse for refcount(2)'s 0.1 s), output.
 */
function once(cmd) {
  const outFile = join(dir, 'out');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; { time "$@" >"$OUT" 2>&1; } 2>"$OUT.time"; s=$?; cat "$OUT.time"; exit $s', 'bash', ...cmd], { encoding: 'utf8', env: { ...process.env, OUT: outFile } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const [user, sys] = r.stdout.trim().split('\n').pop().split(/\s+/).map(Number);
  return { wall, cpu: user + sys, status: r.status, out: readFileSync(outFile, 'utf8') };
}

function genmcCounts(out) {
  const c = /Number of complete executions explored: (\d+)/.exec(out);
  const b = /Number of blocked executions seen: (\d+)/.exec(out);
  return { complete: c ? Number(c[1]) : NaN, blocked: b ? Number(b[1]) : 0 };
}

function mmCounts(out) {
  const j = JSON.parse(out.slice(out.indexOf('{')));
  const r = j.results[0];
  return { complete: r.executions, blocked: r.blocked };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const f = (x) => x.toFixed(2);
const n = (x) => (Number.isFinite(x) ? String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : '?');

const version = spawnSync(genmc, ['--version'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).join('; ');
console.log(`GenMC: ${version}`);
console.log(`mmcheck: ${spawnSync(process.execPath, [mmcheck, '--version'], { encoding: 'utf8' }).stdout.trim()} on Node ${process.versions.node}, --jobs ${jobs}`);
console.log(`${runs} runs each, alternating GenMC / mmcheck; median seconds; load = 1-minute load average before / after the row\n`);
console.log('| program | GenMC complete / blocked | mmcheck complete / blocked | GenMC wall / CPU | mmcheck wall / CPU | mmcheck ÷ GenMC wall / CPU | load |');
console.log('|---|---|---|---|---|---|---|');
for (const row of chosen) {
  const g = { wall: [], cpu: [] };
  const m = { wall: [], cpu: [] };
  let gc, mc;
  const load0 = loadavg()[0];
  const gcmd = [genmc, '--sc', ...(row.genmc.includes('--') ? row.genmc : ['--', ...row.genmc])];
  const mcmd = [process.execPath, mmcheck, 'check', ...row.mm, '--jobs', String(jobs), '--json'];
  once(mcmd); // builds the bundle / fills the user-file and code caches, as a user's first run does
  for (let i = 0; i < runs; i++) {
    const a = once(gcmd);
    gc = genmcCounts(a.out);
    if (a.status !== 0) throw new Error(`genmc ${row.name} exited ${a.status}:\n${a.out}`);
    g.wall.push(a.wall); g.cpu.push(a.cpu);
    const b = once(mcmd);
    if (b.status !== 0) throw new Error(`mmcheck ${row.name} exited ${b.status}:\n${b.out}`);
    mc = mmCounts(b.out);
    m.wall.push(b.wall); m.cpu.push(b.cpu);
  }
  const gw = median(g.wall), gu = median(g.cpu), mw = median(m.wall), mu = median(m.cpu);
  console.log(`| ${row.label ?? row.name} | ${n(gc.complete)} / ${n(gc.blocked)} | ${n(mc.complete)} / ${n(mc.blocked)} | ${f(gw)} / ${f(gu)} | ${f(mw)} / ${f(mu)} | ${f(mw / gw)} / ${f(mu / gu)} | ${f(load0)} / ${f(loadavg()[0])} |`);
}
rmSync(dir, { recursive: true, force: true });
