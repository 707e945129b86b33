// Whole-process times of short mmcheck commands, for docs/performance.md: each command runs N
// times in every checkout given, interleaved (checkout A, checkout B, A, B, …) so that both see
// the same load, after one unmeasured warm-up run each (which builds the bundle and fills the
// caches a user's second run finds). Prints the median wall-clock and CPU (user + system, all
// threads) seconds per command and checkout.
// Usage: node scripts/startup-times.mjs [--runs N] CHECKOUT... [-- 'args' 'args' ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
let runs = 10;
const checkouts = [];
let commands = null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--') { commands = argv.slice(i + 1).map((c) => c.split(' ')); break; }
  else checkouts.push(resolve(argv[i]));
}
if (!checkouts.length) checkouts.push(process.cwd());
commands ??= [['--version'], ['check', 'readers', '--param', 'N=3'], ['check', 'big0']];

// The child reports its CPU time (every thread) as it exits.
const dir = mkdtempSync(join(tmpdir(), 'mmcheck-startup-'));
const hook = join(dir, 'cpu.cjs');
writeFileSync(hook, `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.MMCHECK_CPU_OUT, String((u.user + u.system) / 1e6)); });\n`);

function once(checkout, args) {
  const cpuOut = join(dir, 'cpu');
  rmSync(cpuOut, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', hook, join(checkout, 'bin', 'mmcheck.js'), ...args], {
    cwd: checkout, encoding: 'utf8', env: { ...process.env, MMCHECK_CPU_OUT: cpuOut },
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${checkout}: mmcheck ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  let cpu = NaN;
  try { cpu = Number(readFileSync(cpuOut, 'utf8')); } catch { /* exited without the hook */ }
  return { wall, cpu };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
console.log(`${runs} runs each, interleaved; median seconds (wall / CPU)`);
for (const args of commands) {
  const res = checkouts.map(() => ({ wall: [], cpu: [] }));
  checkouts.forEach((c) => once(c, args));
  for (let i = 0; i < runs; i++) {
    checkouts.forEach((c, k) => { const t = once(c, args); res[k].wall.push(t.wall); res[k].cpu.push(t.cpu); });
  }
  const cells = res.map((r) => `${median(r.wall).toFixed(3)} / ${median(r.cpu).toFixed(3)}`);
  console.log(`mmcheck ${args.join(' ')}\t${cells.join('\t')}`);
}
rmSync(dir, { recursive: true, force: true });
