// Robustness fuzzer for the command line, run as a user would run it (a child `node bin/mmcheck.js`
// per batch): mutated litmus files, odd paths, and bad options must each end with exit 0/1 and a
// result, or exit 2 with a clear message (file:line:col for a file's content) — never exit 3, a
// stack trace, a V8 abort or a hang. test/litmus/fuzz.test.ts checks the parser in-process; this
// checks the whole path (reading, directories, option parsing, exit codes). Deterministic (--seed).
//   node scripts/fuzz-robust.mjs [litmus|cli|scenario|all] [--n N] [--seed S] [--root DIR] [--keep DIR]
// Prints one line per anomaly and a summary; exit 1 if there was an anomaly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(repo, 'bin', 'mmcheck.js');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const what = args[0] && !args[0].startsWith('--') ? args[0] : 'all';
const N = Number(opt('--n', '2000'));
let seed = Number(opt('--seed', '20261206')) >>> 0;
const root = opt('--root', process.env.LITMUS_ROOT ?? '/work/shared/litmus');
const keep = opt('--keep', undefined);

// xorshift32: deterministic, no dependency.
function rnd() { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; }
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (n) => Math.floor(rnd() * n);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
function run(argv, timeoutMs = 30_000, cwd = repo) {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { rc: r.status, signal: r.signal, out: r.stdout ?? '', err: r.stderr ?? '', timedOut: r.error?.code === 'ETIMEDOUT' };
}

const anomalies = [];
function anomaly(kind, what, r, extra = '') {
  anomalies.push({ kind, what });
  console.log(`ANOMALY ${kind}: ${what} rc=${r.rc} sig=${r.signal}${extra}\n  ${(r.err || r.out).split('\n').slice(0, 6).join('\n  ')}`);
}
/** The rules every run must follow, whatever its input. */
function generic(r, what) {
  if (r.timedOut) return anomaly('hang', what, r), false;
  if (r.signal) return anomaly('signal', what, r), false;
  if (r.rc === 3 || /mmcheck internal error/.test(r.err)) return anomaly('internal', what, r), false;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(r.err) || /FATAL ERROR|Abort/.test(r.err)) return anomaly('stack', what, r), false;
  if (![0, 1, 2].includes(r.rc)) return anomaly('exit', what, r), false;
  return true;
}

// ---- litmus: mutated corpus files ---------------------------------------------------------------
function corpus() {
  const out = [];
  const walk = (d) => { for (const n of readdirSync(d).sort()) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (n.endsWith('.litmus')) out.push(p); } };
  walk(root);
  return out;
}
const tokRe = /(\s+|(?<=[(){};,*=&\[\]])|(?=[(){};,*=&\[\]]))/;
const junk = ['foo_bar(x);', 'r9 = 3;', 'smp_mb(', '}', '{', '(*', '*)', '0x7fffffffffffffffffff', '99999999999999999999999',
  '-1', 'ƒ', '\u00e9t\u00e9', '\u{1F600}', '\0', '\t', 'int *', 'P0(int *x)', 'exists', '/\\', '\\/', '~', 'filter', 'locations [x;]',
  'int r0 = 1;', 'spin_lock(x);', 'atomic_inc_return(x)', 'xchg(x, 1)', 'r0 = *x;', '*x = 1;', 'if (r0) {', 'else', 'while (1) {}',
  'rcu_read_lock();', 'srcu_read_lock(s);', '0:r0=1', '3:r0=1', 'P99', 'x=', '"', "'", '#include <x.h>', '1/0', 'r0 = r0 / 0;',
  'r0 = 1 << 70;', 'int x[2];', 'x.y', '->', 'goto L;', 'L:', 'return;', ';;', '[', ']'];
function mutate(text) {
  const lines = text.split('\n');
  switch (int(12)) {
    case 0: { const t = text.split(tokRe); t.splice(int(t.length), 1 + int(3)); return ['delTok', t.join('')]; }
    case 1: { const t = text.split(tokRe); const i = int(t.length); t.splice(i, 0, t[i] ?? ''); return ['dupTok', t.join('')]; }
    case 2: { const t = text.split(tokRe); const a = int(t.length), b = int(t.length); [t[a], t[b]] = [t[b], t[a]]; return ['swapTok', t.join('')]; }
    case 3: { lines.splice(int(lines.length), 1); return ['delLine', lines.join('\n')]; }
    case 4: { const i = int(lines.length); lines.splice(i, 0, lines[i]); return ['dupLine', lines.join('\n')]; }
    case 5: { const a = int(lines.length), b = int(lines.length); [lines[a], lines[b]] = [lines[b], lines[a]]; return ['swapLine', lines.join('\n')]; }
    case 6: return ['truncate', text.slice(0, int(text.length + 1))];
    case 7: { const t = text.split(tokRe); const i = int(t.length); t.splice(i, 0, ' ' + pick(junk) + ' '); return ['junk', t.join('')]; }
    case 8: { const t = text.split(tokRe); const i = int(t.length); t[i] = pick(junk); return ['replTok', t.join('')]; }
    case 9: { // a register name, constant or variable replaced by something odd
      const odd = pick(['r', '0r', 'r-1', 'R0', 'r0r0', '_', 'int', 'exists', '4294967296', '18446744073709551616', '-2147483649', '1e9', '0x', '00', 'x.y', 'ÿ']);
      const m = [...text.matchAll(/\b(r\d+|[0-9]+|[a-z]\w*)\b/g)]; if (!m.length) return ['none', text];
      const x = pick(m); return ['oddName', text.slice(0, x.index) + odd + text.slice(x.index + x[0].length)];
    }
    case 10: { const i = int(text.length + 1); return ['byte', text.slice(0, i) + String.fromCharCode(int(256)) + text.slice(i)]; }
    default: { // brace imbalance
      const i = int(text.length + 1); return ['brace', text.slice(0, i) + pick(['{', '}', '(', ')', '(*', '*)', '[', ']']) + text.slice(i)];
    }
  }
}

function fuzzLitmus() {
  const files = corpus();
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-fuzz-'));
  const stats = { runs: 0, files: 0, ok: 0, refused: 0, batches: 0 };
  const check = (paths, label) => {
    const r = run(['litmus', '--timeout', '10', ...paths], 30_000 + 10_000 * paths.length);
    stats.batches++;
    if (!generic(r, `${label} ${paths.length === 1 ? paths[0] : `(batch of ${paths.length})`}`)) return false;
    // Every line on stderr names a file with line and column.
    for (const l of r.err.split('\n').filter(Boolean)) {
      if (!/^[^:]+:\d+:\d+: \S/.test(l)) { anomaly('message', label + ' ' + paths.join(' '), r, `\n  stderr line without file:line:col: ${JSON.stringify(l)}`); return false; }
    }
    const refused = r.err.split('\n').filter(Boolean).length;
    if (r.rc === 2 && refused === 0) { anomaly('message', label, r, ' exit 2 without a message'); return false; }
    if (refused > 0 && r.rc !== 2) { anomaly('exit', label, r, ' refused a file but exit is not 2'); return false; }
    stats.refused += refused; stats.ok += paths.length - refused;
    return true;
  };
  // The odd paths first.
  const empty = join(dir, 'empty.litmus'); writeFileSync(empty, '');
  const blank = join(dir, 'blank.litmus'); writeFileSync(blank, '\n\n   \n');
  const bin0 = join(dir, 'binary.litmus'); writeFileSync(bin0, Buffer.from([0, 255, 254, 0, 1, 2, 0xc3, 0x28]));
  const bom = join(dir, 'bom.litmus'); writeFileSync(bom, '\ufeff' + readFileSync(files[0], 'utf8'));
  const crlf = join(dir, 'crlf.litmus'); writeFileSync(crlf, readFileSync(files[0], 'utf8').replace(/\n/g, '\r\n'));
  const sub = join(dir, 'sub'); mkdirSync(join(sub, 'deeper'), { recursive: true });
  writeFileSync(join(sub, 'deeper', 'a.litmus'), readFileSync(files[1], 'utf8'));
  const loop = join(dir, 'loop'); mkdirSync(loop); symlinkSync(loop, join(loop, 'self'));
  const dangling = join(dir, 'dangling'); mkdirSync(dangling); symlinkSync(join(dir, 'nowhere'), join(dangling, 'x.litmus'));
  const noread = join(dir, 'noread.litmus'); writeFileSync(noread, readFileSync(files[0], 'utf8')); chmodSync(noread, 0);
  const emptyDir = join(dir, 'emptydir'); mkdirSync(emptyDir);
  for (const [label, p] of [['empty', empty], ['blank', blank], ['binary', bin0], ['bom', bom], ['crlf', crlf], ['dir', sub], ['symlink-loop', loop],
    ['dangling', dangling], ['unreadable', noread], ['missing', join(dir, 'missing.litmus')], ['empty-dir', emptyDir], ['dev-null', '/dev/null']]) {
    stats.runs++; stats.files++;
    const r = run(['litmus', p]);
    if (!generic(r, `${label} ${p}`)) continue;
    if (label === 'empty-dir' && r.rc === 0 && !r.err && !r.out) anomaly('silent', `${label} ${p}`, r, ' (no test, no message, exit 0)');
    console.log(`path ${label}: rc=${r.rc} ${(r.err || r.out).split('\n')[0].slice(0, 140)}`);
  }
  // Mutants, in batches of 20 files; a failing batch is re-run file by file to name the file.
  const B = 20;
  let n = 0;
  while (n < N) {
    const batch = [];
    for (let k = 0; k < B && n < N; k++, n++) {
      const src = pick(files);
      let text = readFileSync(src, 'utf8');
      const kinds = [];
      for (let m = 1 + int(3); m > 0; m--) { const [kind, t] = mutate(text); kinds.push(kind); text = t; }
      const p = join(dir, `m${n}-${kinds.join('+')}.litmus`);
      writeFileSync(p, text);
      batch.push(p);
      stats.files++;
    }
    stats.runs++;
    const save = anomalies.length;
    if (!check(batch, 'mutants')) {
      anomalies.length = save; // re-run one by one to name the culprit
      for (const p of batch) { stats.runs++; if (!check([p], 'mutant') && keep) { mkdirSync(keep, { recursive: true }); writeFileSync(join(keep, p.split('/').pop()), readFileSync(p)); } }
    }
    if (n % 400 === 0) console.log(`litmus: ${n}/${N} mutants, ${stats.ok} checked, ${stats.refused} refused, ${anomalies.length} anomalies`);
  }
  chmodSync(noread, 0o644);
  rmSync(dir, { recursive: true, force: true });
  console.log(`litmus: ${stats.files} inputs in ${stats.runs} runs: ${stats.ok} checked, ${stats.refused} refused`);
}

// ---- cli: bad options ---------------------------------------------------------------------------
function fuzzCli() {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-fuzz-cli-'));
  const shard = (i) => join(dir, `s${i}.json`);
  // Two real shards to corrupt.
  run(['check', 'readers', '--param', 'N=3', '--shard', '1/2', '--out', shard(1)]);
  run(['check', 'readers', '--param', 'N=3', '--shard', '2/2', '--out', shard(2)]);
  run(['check', 'readers', '--param', 'N=4', '--shard', '2/2', '--out', shard(3)]);
  const good = readFileSync(shard(1), 'utf8');
  const corrupt = [['trunc', good.slice(0, good.length >> 1)], ['empty', ''], ['notjson', 'hello'], ['array', '[]'], ['null', 'null'],
    ['nokeys', '{}'], ['badnum', good.replace(/"executions":\s*\d+/, '"executions": -5')], ['strnum', good.replace(/"executions":\s*(\d+)/, '"executions": "$1"')],
    ['shard9', good.replace(/"index":\s*\d+/, '"index": 9')]];
  const cases = [
    ['check', '--nope'], ['check'], ['frobnicate'], ['check', 'readers', '--param'], ['check', 'readers', '--param', 'N'], ['check', 'readers', '--param', 'N=abc'],
    ['check', 'readers', '--param', 'N=-1'], ['check', 'readers', '--param', 'N=0'], ['check', 'readers', '--param', 'N=1e9'], ['check', 'readers', '--param', 'N=99999999999999999999'],
    ['check', 'readers', '--param', 'N=2', '--param', 'N=3'], ['check', 'readers', '--param', 'Q=2'], ['check', 'readers', '--param', '=2'], ['check', 'readers', '--param', 'N=2.5'],
    ['check', 'readers', '--param', 'N=0x3'], ['check', 'readers', '--param', 'N= 3'], ['check', 'readers', '--param', 'N=+3'],
    ...['0', '-1', 'abc', '9999', '1.5', '', '1e3'].map((j) => ['check', 'readers', '--jobs', j]), ['check', 'readers', '--jobs'],
    ...['0/4', '4/4', '5/4', 'a/b', '1/0', '1', '/', '1/2/3', '-1/2', '1.5/2', '0/0'].map((s) => ['check', 'readers', '--shard', s, '--out', join(dir, 'o.json')]),
    ...['-3', '0', 'abc', '1e99', ''].map((s) => ['check', 'readers', '--random', s]),
    ...['0', '-1', 'x', '100000000'].map((s) => ['check', 'readers', '--random', '5', '--pct-depth', s]),
    ...['-1', 'x'].map((s) => ['check', 'readers', '--random', '5', '--pct-weak', s]), ...['0', 'x'].map((s) => ['check', 'readers', '--random', '5', '--pct-history', s]),
    ['check', 'readers', '--random', '5', '--seed', 'x'], ['check', 'readers', '--random', '5', '--seed', '-1'], ['check', 'readers', '--random', '5', '--sampler', 'nope'],
    ['check', 'readers', '--pct-depth', '3'], ['check', 'readers', '--model', 'arm'], ['check', 'readers', '--model'], ['check', 'readers', '--variant', 'nope'],
    ...['0', '-1', 'x', '1e400'].map((s) => ['check', 'readers', '--max-executions', s]), ...['0', '-1', 'x', 'NaN', 'Infinity'].map((s) => ['check', 'readers', '--timeout', s]),
    ['check', 'readers', '--checkpoint-every', '-1', '--checkpoint', join(dir, 'c.json')], ['check', 'readers', '--checkpoint-every', 'x', '--checkpoint', join(dir, 'c.json')],
    ['check', 'readers', '--checkpoint', join(dir, 'no', 'such', 'dir', 'c.json')], ['check', 'readers', '--shard', '1/2', '--out', join(dir, 'no', 'such', 'o.json')],
    ['check', 'readers', '--trace', join(dir, 'no', 'such', 't.json')], ['check', 'readers', '--out', dir, '--shard', '1/2'],
    ['check', 'nosuchscenario'], ['check', join(dir, 'missing.ts')], ['check', dir], ['check', '/dev/null'], ['check', 'readers', 'extra'],
    ['replay', 'readers'], ['replay', 'readers', '--schedule'], ['replay', 'readers', '--schedule', ''], ['replay', 'readers', '--schedule', 'garbage'],
    ['replay', 'readers', '--schedule', '0,1,2,3,4,5,6,7,8,9,9,9,9,9,9'], ['replay', 'readers', '--schedule', '99999999999999'], ['replay', 'readers', '--schedule', '-1'],
    ['replay', 'readers', '--schedule', 'ü'], ['replay', 'readers', '--schedule', '0.5'],
    ['merge'], ['merge', shard(1)], ['merge', shard(1), shard(3)], ['merge', shard(1), shard(1)], ['merge', join(dir, 'missing.json'), shard(2)], ['merge', dir, shard(2)],
    ['litmus'], ['litmus', '--timeout', '-1', join(root, 'kernel/tools/memory-model/litmus-tests/MP+pooncerelease+poacquireonce.litmus')], ['litmus', '--nope'],
    ['bench', 'nosuch'], ['bench', '--param', 'N=x'], ['list', '--nope'], ['view'], ['view', join(dir, 'missing.json')], ['help', 'nope'], ['--nope'], [], ['check', '--all', '--jobs', '0'],
    ['resume'], ['check', 'readers', '--resume', join(dir, 'missing.ckpt')],
  ];
  for (const [label, text] of corrupt) {
    const p = join(dir, `bad-${label}.json`); writeFileSync(p, text);
    cases.push(['merge', p, shard(2)]);
    cases.push(['check', 'readers', '--param', 'N=3', '--resume', p]);
  }
  let runs = 0;
  const byRc = {};
  for (const c of cases) {
    runs++;
    const r = run(c, 60_000);
    byRc[r.rc] = (byRc[r.rc] ?? 0) + 1;
    if (!generic(r, c.join(' '))) continue;
    if (r.rc === 2 && !r.err.trim()) anomaly('message', c.join(' '), r, ' exit 2 without a message on stderr');
    if (r.rc === 0 && /bounded|stopped|cut short/i.test(r.out) && /\bverified\b/i.test(r.out) && !/not a proof|bounded/i.test(r.out)) anomaly('verified', c.join(' '), r);
    if (process.env.FUZZ_SHOW) console.log(`rc=${r.rc} ${c.join(' ')} :: ${(r.err || r.out).split('\n')[0].slice(0, 160)}`);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`cli: ${runs} option sets, exit codes ${JSON.stringify(byRc)}`);
}

// ---- scenario: user files that throw, loop, import what is missing, or have the wrong shape ------
function fuzzScenarios() {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-fuzz-sc-'));
  const E = join(repo, 'src', 'engine', 'index.ts');
  const H = `import { defineProgram } from '${E}';\n`;
  const prog = (setup) => `${H}export default defineProgram({ name: 'a', setup(b) { ${setup} } });\n`;
  const body = (code) => prog(`const x = b.loc('x'); b.thread('t', function* (t) { yield t.load(x); ${code} });`);
  const P = `${H}const p = defineProgram({ name: 'p', setup(b) { const x = b.loc('x'); b.thread('t', function* (t) { yield t.store(x, 1); }); } });\n`;
  const files = {
    'import-throw.ts': `${H}throw new Error('at import');\nexport default defineProgram({ name: 'a', setup(b) {} });\n`,
    'setup-throw.ts': prog(`throw new Error('in setup');`), 'setup-throw-undef.ts': prog('throw undefined;'), 'setup-recursion.ts': prog('const f = (n: number): number => f(n + 1) + 1; f(0);'),
    'body-throw.ts': body(`throw new Error('boom');`), 'body-throw-str.ts': body(`throw 'text';`), 'body-throw-null.ts': body('throw null;'),
    'body-recursion.ts': body('const f = (n: number): number => f(n + 1) + 1; f(0);'), 'body-loop-yields.ts': body('for (let i = 0; ; i++) yield t.store(x, i);'),
    'yield-junk.ts': body('yield 42 as any;'), 'yield-undef.ts': body('yield undefined as any;'), 'yield-object.ts': body('yield { kind: 0 } as any;'),
    'store-nan.ts': body('yield t.store(x, NaN);'), 'store-str.ts': body(`yield t.store(x, 'a' as any);`), 'store-undef.ts': body('yield t.store(x, undefined as any);'),
    'bad-loc.ts': body('yield t.load(999 as any);'), 'bad-loc-neg.ts': body('yield t.store(-1 as any, 1);'), 'init-str.ts': prog(`b.loc('x', 'a' as any);`),
    'not-generator.ts': prog(`b.thread('t', (function () { return 1; }) as any);`), 'big-array.ts': prog('new Array(-1);'),
    'missing-import.ts': `import { nope } from './does-not-exist.ts';\n${prog('nope();')}`, 'missing-pkg.ts': `import x from 'no-such-package-xyz';\n${prog('x();')}`,
    'missing-export.ts': `import { defineProgramz } from '${E}';\nexport default defineProgramz({ name: 'a', setup(b) {} });\n`,
    'syntax.ts': prog('const = 1;'), 'junk.ts': 'not ts at all ((((\n', 'empty.ts': '', 'no-default.ts': `${H}export const p = 1;\n`, 'default-null.ts': 'export default null;\n',
    'params-bad.ts': `${H}export default defineProgram({ name: 'a', params: { N: { default: 9, min: 1, max: 5 } }, setup(b) {} } as any);\n`,
    'scenario-empty.ts': `export default { name: 's', variants: [] };\n`, 'scenario-noprog.ts': `export default { name: 's', variants: [{ name: 'safe', expected: 'ok' }] };\n`,
    'scenario-noexp.ts': `${P}export default { name: 's', variants: [{ name: 'safe', program: p }] };\n`, 'scenario-ok.ts': `${P}export default { name: 's', variants: [{ name: 'safe', expected: 'ok', program: p }] };\n`,
  };
  let runs = 0;
  const byRc = {};
  for (const [name, text] of Object.entries(files)) {
    const f = join(dir, name);
    writeFileSync(f, text);
    for (const extra of [[], ['--all-variants'], ['--model', 'tso'], ['--random', '3']]) {
      runs++;
      const r = run(['check', f, ...extra], 60_000);
      byRc[r.rc] = (byRc[r.rc] ?? 0) + 1;
      if (!generic(r, `${name} ${extra.join(' ')}`)) continue;
      const first = r.err.split('\n')[0];
      if (r.rc === 2 && !first.startsWith('mmcheck: ') && !/^\/[^:]+:\d+:\d+: \S/.test(first)) anomaly('message', `${name} ${extra.join(' ')}`, r, ' (no file:line:col)');
      if (process.env.FUZZ_SHOW) console.log(`rc=${r.rc} ${name} ${extra.join(' ')} :: ${(first || r.out.split('\n')[1] || '').slice(0, 160)}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`scenario: ${Object.keys(files).length} files, ${runs} runs, exit codes ${JSON.stringify(byRc)}`);
}

if (what === 'litmus' || what === 'all') fuzzLitmus();
if (what === 'scenario' || what === 'all') fuzzScenarios();
if (what === 'cli' || what === 'all') fuzzCli();
console.log(`${anomalies.length} anomalies`);
process.exit(anomalies.length ? 1 : 0);
