// The kernel's own LKMM scripts (tools/memory-model/scripts: checkalllitmus.sh, checkghlitmus.sh,
// checktheselitmus.sh, which run checklitmus.sh / runlitmus.sh / judgelitmus.sh) over the litmus
// corpus, twice, in a tools/memory-model-like directory built in a temporary directory:
//
//  1. with bin/mmcheck-herd7.js on PATH under the name herd7 (and the kernel's model files);
//  2. with a stand-in "herd7" that prints herd7's recorded result for the test (Observation and
//     Flag lines from test/fixtures/litmus/herd7-results.tsv: herd7 7.58, current LKMM).
//
// Then it compares what the scripts printed (their whole output, /usr/bin/time lines aside) and,
// test by test, judgelitmus.sh's verdict (exit status and message) on the two runs' .out files.
//
//   node --import tsx scripts/kernel-scripts.ts [--subset] [--keep]
//
// --subset: the 35 tools/memory-model tests, the 12 Documentation tests, the 3 herdtools7 tests
// with a Result comment and every 100th paulmckrcu/litmus test (what test/litmus/kernel-scripts.test.ts
// runs); without it, all 1091 tests. --keep: leave the temporary directory and print its path.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = join(REPO, 'test/fixtures/litmus');
const SCRIPTS = join(REPO, 'test/fixtures/kernel-scripts/scripts');
const MODEL = join(REPO, 'src/axiomatic/lkmm/model');

/** Where a corpus test goes in the tools/memory-model-like tree, and which script judges it. */
function placeOf(corpusPath: string): { path: string; by: 'checkalllitmus' | 'checkghlitmus' | 'checktheselitmus' } {
  const pairs: [string, string, 'checkalllitmus' | 'checkghlitmus' | 'checktheselitmus'][] = [
    ['kernel/tools/memory-model/litmus-tests/', 'litmus-tests/', 'checkalllitmus'],
    ['kernel/Documentation/', 'Documentation/', 'checktheselitmus'],
    ['paulmckrcu-litmus/', 'litmus/', 'checkghlitmus'],
    ['herdtools7/', 'herdtools7/', 'checktheselitmus'],
  ];
  for (const [from, to, by] of pairs) if (corpusPath.startsWith(from)) return { path: to + corpusPath.slice(from.length), by };
  throw new Error(`no place for ${corpusPath}`);
}

interface Row { corpus: string; path: string; by: string; name: string; verdict: string; positive: string; negative: string; flags: string }

function corpusRows(subset: boolean): Row[] {
  const lines = readFileSync(join(CORPUS, 'herd7-results.tsv'), 'utf8').trim().split('\n');
  const head = lines[0]!.split('\t');
  const col = (n: string): number => head.indexOf(n);
  let k = 0;
  const rows: Row[] = [];
  for (const l of lines.slice(1)) {
    const f = l.split('\t');
    const corpus = f[col('path')]!;
    const place = placeOf(corpus);
    const text = readFileSync(join(CORPUS, corpus), 'utf8');
    if (subset) {
      if (place.by === 'checkghlitmus' && k++ % 100 !== 0) continue;
      if (corpus.startsWith('herdtools7/') && !/^[( ]\* Result: /m.test(text)) continue;
    }
    const name = /^\s*C\s+(\S+)/.exec(text)![1]!;
    rows.push({ corpus, ...place, name, verdict: f[col('verdict')]!, positive: f[col('positive')]!, negative: f[col('negative')]!, flags: f[col('herd_flags')]! });
  }
  return rows;
}

const RECORDED_HERD7 = `#!/usr/bin/env bash
# Stands in for herd7 in the comparison run: prints herd7's recorded result for the test (the
# last argument), as the lines judgelitmus.sh reads (Observation, Flag), from $HERD7_RECORDED.
t="\${@: -1}"
exec awk -F'\\t' -v t="$t" '
  $1 == t {
    print "Test " $2 " Allowed"
    n = split($6, f, ",")
    for (i = 1; i <= n; i++) if (f[i] != "-") print "Flag " f[i]
    print "Observation " $2 " " $3 " " $4 " " $5
    print "Time " $2 " 0.00"
    found = 1
  }
  END { if (!found) { print "no recorded herd7 result for " t > "/dev/stderr"; exit 2 } }' "$HERD7_RECORDED"
`;

// herdtools7's mselect7 selects tests by architecture; checkghlitmus.sh uses `mselect7 -arch C`.
const MSELECT7 = `#!/usr/bin/env bash
# Stand-in for herdtools7's mselect7 -arch C: the file names on stdin whose test is a C test.
while IFS= read -r f; do head -n 1 "$f" | grep -q '^C ' && printf '%s\\n' "$f"; done
exit 0
`;

export interface ScriptRun { script: string; status: number; output: string }
export interface Report {
  tests: number;
  byScript: Record<string, number>;
  /** Per test: judgelitmus.sh's status and message on mmcheck's output and on herd7's recorded one. */
  judgements: { path: string; mmcheck: string; herd7: string }[];
  agree: number;
  /** judgelitmus.sh's statuses on mmcheck's outputs, counted (e.g. "0": 1050, "1": 3). */
  statuses: Record<string, number>;
  forgiven: number;
  runs: { mmcheck: ScriptRun[]; herd7: ScriptRun[] };
  /** Scripts whose normalized output differs between the two runs. */
  outputDiffers: string[];
  seconds: number;
  dir: string;
}

/** /usr/bin/time's lines differ from run to run (and between the two herd7s): left out. */
function normalize(s: string): string {
  return s.split('\n').filter((l) => !/\d+\.\d+user \d+\.\d+system/.test(l) && !/^\d+inputs\+\d+outputs/.test(l)).join('\n');
}

export function runKernelScripts(opts: { subset: boolean; keep?: boolean; jobs?: number }): Report {
  const t0 = performance.now();
  const rows = corpusRows(opts.subset);
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-kernel-scripts-'));
  const mm = join(dir, 'tools/memory-model');
  mkdirSync(join(mm, 'scripts'), { recursive: true });
  for (const f of readdirSync(SCRIPTS)) cpSync(join(SCRIPTS, f), join(mm, 'scripts', f));
  for (const f of ['linux-kernel.cfg', 'linux-kernel.cat', 'linux-kernel.bell', 'linux-kernel.def', 'lock.cat']) cpSync(join(MODEL, f), join(mm, f));
  for (const r of rows) {
    mkdirSync(dirname(join(mm, r.path)), { recursive: true });
    cpSync(join(CORPUS, r.corpus), join(mm, r.path));
  }
  const bin = (which: string): string => {
    const b = join(dir, `bin-${which}`);
    mkdirSync(b);
    writeFileSync(join(b, 'mselect7'), MSELECT7);
    chmodSync(join(b, 'mselect7'), 0o755);
    if (which === 'mmcheck') symlinkSync(join(REPO, 'bin/mmcheck-herd7.js'), join(b, 'herd7'));
    else {
      writeFileSync(join(b, 'herd7'), RECORDED_HERD7);
      chmodSync(join(b, 'herd7'), 0o755);
    }
    return b;
  };
  writeFileSync(join(dir, 'recorded.tsv'), rows.map((r) => [r.path, r.name, r.verdict, r.positive, r.negative, r.flags].join('\t')).join('\n') + '\n');
  const these = rows.filter((r) => r.by === 'checktheselitmus').map((r) => r.path);
  const byScript: Record<string, number> = {};
  const run = (which: 'mmcheck' | 'herd7'): ScriptRun[] => {
    const dest = join(dir, `out-${which}`);
    for (const r of rows) mkdirSync(dirname(join(dest, r.path)), { recursive: true });
    const env = {
      ...process.env,
      PATH: `${bin(which)}:${process.env.PATH}`,
      HERD7_RECORDED: join(dir, 'recorded.tsv'),
      LKMM_JOBS: String(opts.jobs ?? 2),
    };
    const sh = (script: string, args: string[]): ScriptRun => {
      const r = spawnSync('bash', [`scripts/${script}.sh`, '--destdir', dest, ...args], { cwd: mm, env, encoding: 'utf8', maxBuffer: 256 << 20 });
      return { script, status: r.status ?? -1, output: (r.stdout ?? '') + (r.stderr ?? '') };
    };
    const runs = [sh('checkalllitmus', [])];
    if (existsSync(join(mm, 'litmus'))) runs.push(sh('checkghlitmus', ['--procs', '4']));
    // Tests no script above ran (Documentation, herdtools7, and paulmckrcu/litmus tests that
    // checkghlitmus.sh's own filters leave out) go through checktheselitmus.sh.
    const left = rows.filter((r) => r.by === 'checkghlitmus' && !existsSync(join(dest, r.path + '.out'))).map((r) => r.path);
    if (which === 'mmcheck') {
      byScript.checkalllitmus = rows.filter((r) => r.by === 'checkalllitmus').length;
      byScript.checkghlitmus = rows.filter((r) => r.by === 'checkghlitmus').length - left.length;
      byScript.checktheselitmus = these.length + left.length;
    }
    runs.push(sh('checktheselitmus', ['--', ...these, ...left]));
    return runs;
  };
  const mmRuns = run('mmcheck');
  const herdRuns = run('herd7');
  const judge = (which: string, path: string): string => {
    const r = spawnSync('sh', ['scripts/judgelitmus.sh', path], { cwd: mm, env: { ...process.env, LKMM_DESTDIR: join(dir, `out-${which}`) }, encoding: 'utf8' });
    const msg = normalize(r.stdout).split('\n').filter((l) => /!!!|---/.test(l)).join(' | ');
    return `${r.status}${msg ? ` ${msg}` : ''}`;
  };
  const judgements = rows.map((r) => ({ path: r.path, mmcheck: judge('mmcheck', r.path), herd7: judge('herd7', r.path) }));
  const statuses: Record<string, number> = {};
  for (const j of judgements) {
    const s = j.mmcheck.split(' ')[0]!;
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
  const outputDiffers = mmRuns.filter((m, i) => normalize(m.output) !== normalize(herdRuns[i]!.output) || m.status !== herdRuns[i]!.status).map((m) => m.script);
  const report: Report = {
    tests: rows.length,
    byScript,
    judgements,
    agree: judgements.filter((j) => j.mmcheck === j.herd7).length,
    statuses,
    forgiven: judgements.filter((j) => j.mmcheck.includes('--- Forgiven')).length,
    runs: { mmcheck: mmRuns, herd7: herdRuns },
    outputDiffers,
    seconds: (performance.now() - t0) / 1000,
    dir,
  };
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  return report;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const subset = process.argv.includes('--subset');
  const keep = process.argv.includes('--keep');
  const r = runKernelScripts({ subset, keep });
  for (const s of r.runs.mmcheck) {
    const lines = s.output.trim().split('\n');
    console.log(`--- ${s.script}.sh with mmcheck as herd7: exit ${s.status}; last lines:\n${lines.slice(-6).join('\n')}`);
  }
  for (const j of r.judgements) if (j.mmcheck !== j.herd7) console.log(`DIFFERENT ${j.path}: mmcheck ${j.mmcheck}; herd7 ${j.herd7}`);
  console.log(`tests ${r.tests} (${Object.entries(r.byScript).map(([k, v]) => `${k}.sh ${v}`).join(', ')})`);
  console.log(`judgelitmus.sh statuses with mmcheck: ${JSON.stringify(r.statuses)}; forgiven ${r.forgiven}`);
  console.log(`same judgement as with herd7's recorded results: ${r.agree}/${r.tests}`);
  console.log(`scripts whose output differs between the two runs: ${r.outputDiffers.length ? r.outputDiffers.join(', ') : 'none'}`);
  console.log(`${r.seconds.toFixed(0)} s${keep ? `; kept ${r.dir}` : ''}`);
  process.exit(r.agree === r.tests && r.outputDiffers.length === 0 ? 0 : 1);
}
