// The command line as a user meets it: exit codes, bounded and sampled runs, replay, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve('bin/mmcheck.js');
const engine = resolve('src/engine/index.ts');

function mm(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'mmcheck-cli-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const mpBug = file('mp-bug.ts', `import { defineProgram } from '${engine}';
export default defineProgram({
  name: 'mp-bug',
  setup(b) {
    const data = b.loc('data'), flag = b.loc('flag');
    b.thread('CPU0', function* (t) { yield t.store(flag, 1); yield t.store(data, 42); });
    b.thread('CPU1', function* (t) {
      const f = yield t.load(flag);
      if (f) { const d = yield t.load(data); yield t.assert(d === 42, 'flag set but data missing'); }
    });
  },
});
`);

test('check: an exhaustive run with no violation exits 0 and says how many executions', () => {
  const r = mm('check', 'readers', '--param', 'N=3', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.results[0].verdict, 'ok');
  assert.equal(j.results[0].executions, 8);
  const h = mm('check', 'readers', '--param', 'N=3');
  assert.match(h.out, /OK: no violation in all 8 executions/);
});

test('check: a violation exits 1 with the trace and a schedule that replays it', () => {
  const r = mm('check', mpBug);
  assert.equal(r.code, 1);
  assert.match(r.out, /VIOLATION: flag set but data missing/);
  assert.match(r.out, /CPU0:\s+CPU1:/);
  const sched = /--schedule (\S+)/.exec(r.out)?.[1];
  assert.ok(sched, r.out);
  const rp = mm('replay', mpBug, '--schedule', sched);
  assert.equal(rp.code, 1, rp.err);
  assert.match(rp.out, /VIOLATION: flag set but data missing/);
  const bad = mm('replay', mpBug, '--schedule', '1.1.1');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /schedule ended|nondeterministic/);
});

test('check: a run cut by a bound never claims a verdict it did not reach', () => {
  const r = mm('check', 'readers', '--param', 'N=8', '--max-executions', '10');
  assert.equal(r.code, 0);
  assert.match(r.out, /BOUNDED: explored 10 complete executions/);
  assert.match(r.out, /NOT exhaustive/);
  assert.doesNotMatch(r.out, /^OK/m);
  const j = JSON.parse(mm('check', 'readers', '--param', 'N=8', '--max-executions', '10', '--json').out);
  assert.equal(j.results[0].verdict, 'bounded');
  // Under symmetry reduction the counts are classes: a cut run says so, as a complete one does.
  const sym = mm('check', 'gup-fast-vs-zap', '--param', 'walkers=3', '--max-executions', '200', '--jobs', '1');
  assert.match(sym.out, /BOUNDED: explored [\d,]+ complete executions up to permuting the 3 walker threads/);
  assert.match(sym.out, /\(counted: .*one per class up to permuting the 3 walker threads/);
  const s = mm('check', 'readers', '--param', 'N=8', '--random', '20', '--seed', '3');
  assert.match(s.out, /SAMPLED: no violation in 20 complete executions \(PCT depth 3, seed 3\)/);
  assert.match(s.out, /a sample, not a proof/);
});

test('check --random N: N complete executions, the blocked draws it threw away said, and the sampler named', () => {
  const args = ['check', 'gup-fast-vs-zap', '--param', 'walkers=4', '--random', '30', '--sampler', 'random', '--seed', '2'];
  const j = JSON.parse(mm(...args, '--json').out).results[0];
  assert.equal(j.executions, 30);
  assert.equal(j.sample.draws, j.executions + j.blocked + j.rejected);
  const r = mm(...args);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /SAMPLED: no violation in 30 complete executions \(uniform random walk, seed 2\)/);
  assert.match(r.out, j.blocked ? new RegExp(`; ${j.blocked} blocked draws? thrown away and drawn again`) : /; no draw blocked/);
  assert.match(r.out, /This is a sample, not a proof/);
  // A violation found by sampling says how it was drawn and prints a schedule that replays.
  const v = mm('check', 'gup-fast-vs-zap', '--variant', 'no-pte-recheck', '--param', 'walkers=2', '--random', '500', '--pct-depth', '2');
  assert.equal(v.code, 1, v.err);
  assert.match(v.out, /of sampling \(PCT depth 2, seed 1/);
  const cmd = /replay: mmcheck (replay .*)$/m.exec(v.out);
  assert.ok(cmd, v.out);
  const rep = mm(...cmd[1].split(' '));
  assert.match(rep.out, /VIOLATION: I8/);
  // A table of sampled rows says so, and never that every row explored every execution.
  const t = mm('check', 'gup-fast-vs-zap', '--all-variants', '--random', '10');
  assert.match(t.out, /Every row is a sample \(--random, PCT depth 3, seed 1\), not a proof/);
  assert.doesNotMatch(t.out, /explored every execution/);
});

test('check --all-variants with --random or --max-executions: rows the bound cannot decide are neither as expected nor UNEXPECTED', () => {
  // PCT at depth 3 cannot draw reader-irqs-on's torn read (it needs four ordering constraints).
  const s = mm('check', 'pae-ptep-get-lockless', '--all-variants', '--random', '20');
  assert.equal(s.code, 0, s.out + s.err);
  assert.doesNotMatch(s.out, /UNEXPECTED/);
  assert.match(s.out, /^pae-ptep-get-lockless\s+safe\s.*\bbounded\s.*no violation in 20 samples \(not exhaustive\)$/m);
  assert.match(s.out, /^pae-ptep-get-lockless\s+reader-irqs-on\s.*I13 not found in 20 samples$/m);
  assert.doesNotMatch(s.out, /^pae-ptep-get-lockless\s+safe\s.*as expected$/m);
  const m = /^(\d+) variants, (\d+) as expected, 0 unexpected, (\d+) not decided by the sample \((\d+) safe with no violation in it, (\d+) unsafe whose violation it did not draw\)/m.exec(s.out);
  assert.ok(m, s.out);
  assert.equal(Number(m[1]), Number(m[2]) + Number(m[3]));
  assert.equal(Number(m[3]), Number(m[4]) + Number(m[5]));
  // A bound that stops before the second expected invariant: the first is shown, the other not found.
  const c = mm('check', 'page-ref-freeze', '--all-variants', '--max-executions', '5');
  assert.equal(c.code, 0, c.out + c.err);
  assert.match(c.out, /^page-ref-freeze\s+freeze-load-compare-store\s.*\sI5,I7\s+I5\s.*I7 not found before --max-executions$/m);
  assert.match(c.out, /^page-ref-freeze\s+safe\s.*no violation before --max-executions \(not exhaustive\)$/m);
  assert.match(c.out, /, 0 unexpected, \d+ not decided by the bound/);
  assert.match(c.out, /NOT exhaustive/);
});

test('--random, --sampler and --pct-depth refuse values that mean nothing, with exit 2', () => {
  for (const extra of [['--random', '0'], ['--random', '5', '--sampler', 'dfs'], ['--random', '5', '--pct-depth', '0'],
    ['--sampler', 'pct'], ['--pct-depth', '2'], ['--random', '5', '--sampler', 'random', '--pct-depth', '2']]) {
    const r = mm('check', 'readers', ...extra);
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, /^mmcheck: --(random|sampler|pct-depth)/);
  }
});

test('bad usage exits 2 with a message, never a stack trace', () => {
  for (const args of [['check', 'readers', '--bogus'], ['check', 'readers', '--param', 'N=x'], ['check', 'readers', '--param', 'Q=1'],
    ['check', 'no-such-target'], ['check', 'readers', '--model', 'arm'], ['frobnicate']]) {
    const r = mm(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^mmcheck: /);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});

test('a scenario that throws, or does not parse, is reported at file:line:col with exit 2', () => {
  const throwing = file('throws.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'throws', setup(b) {
  const x = b.loc('x');
  b.thread('a', function* (t) {
    const v = yield t.load(x);
    if (v === 0) throw new Error('boom');
  });
} });
`);
  const r = mm('check', throwing);
  assert.equal(r.code, 2);
  assert.match(r.err, new RegExp(`${throwing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:\\d+: error in the model: thread a threw: boom`));
  const broken = file('broken.ts', 'export default defineProgram({ name: "x", setup(b) { b.loc( } });\n');
  const s = mm('check', broken);
  assert.equal(s.code, 2);
  assert.match(s.err, /broken\.ts:1:\d+: cannot load/);
});

test('a nondeterministic model is refused with the step where it diverged', () => {
  const nd = file('nondet.ts', `import { defineProgram } from '${engine}';
let calls = 0;
export default defineProgram({ name: 'nondet', setup(b) {
  const x = b.loc('x');
  b.thread('a', function* (t) { yield t.store(x, 1); yield t.load(x); });
  b.thread('b', function* (t) { yield t.store(x, 2 + (calls++ % 2)); yield t.load(x); });
} });
`);
  const r = mm('check', nd);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /nondeterministic at thread b, step 1/);
});

test('a deadlock is a violation that names what each blocked thread waits for', () => {
  const ab = file('abba.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'abba', setup(b) {
  const A = b.loc('A'), B = b.loc('B');
  b.thread('CPU0', function* (t) { yield t.lock(A); yield t.lock(B); yield t.unlock(B); yield t.unlock(A); });
  b.thread('CPU1', function* (t) { yield t.lock(B); yield t.lock(A); yield t.unlock(A); yield t.unlock(B); });
} });
`);
  const r = mm('check', ab, '--json');
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out).results[0];
  assert.equal(j.verdict, 'violation');
  assert.equal(j.property, 'deadlock');
  assert.match(j.message, /CPU0 waits for a lock held at B.*CPU1 waits for a lock held at A/);
});

test('a loop that never ends is refused with a pointer to t.await', () => {
  const spin = file('spin.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'spin', setup(b) {
  const x = b.loc('x');
  b.thread('waiter', function* (t) { while ((yield t.load(x)) === 0) { /* spin */ } });
  b.thread('setter', function* (t) { yield t.store(x, 1); });
} });
`);
  const r = mm('check', spin);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /grew past 10000 events in thread waiter.*t\.await/);
});

const sbBoth = file('sb-both.ts', `import { defineProgram } from '${engine}';
export default defineProgram({
  name: 'sb-both',
  setup(b) {
    const x = b.loc('x'), y = b.loc('y');
    b.thread('CPU0', function* (t) { yield t.store(x, 1); const r = yield t.load(y); yield t.assert(r === 1, 'I1', 'CPU0 read y = 0'); });
    b.thread('CPU1', function* (t) { yield t.store(y, 1); const r = yield t.load(x); yield t.assert(r === 1, 'I2', 'CPU1 read x = 0'); });
  },
});
`);

test('check --all-violations: every execution explored, violations counted per invariant, each with a replay', () => {
  const first = mm('check', sbBoth);
  assert.equal(first.code, 1);
  assert.doesNotMatch(first.out, /I2: CPU1/, 'without the flag the search stops at the first violation');
  const r = mm('check', sbBoth, '--all-violations');
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /2 of all 3 executions end in a violation/);
  assert.match(r.out, /^ {2}I1: 1 execution \(the trace above\)$/m);
  assert.match(r.out, /^ {2}I2: 1 execution$/m);
  const sched = /first: I2: CPU1 read x = 0\n\s+replay: .* --schedule (\S+)/.exec(r.out)?.[1];
  assert.ok(sched, r.out);
  const rp = mm('replay', sbBoth, '--schedule', sched);
  assert.match(rp.out, /VIOLATION: I2: CPU1 read x = 0/);
  const j = JSON.parse(mm('check', sbBoth, '--all-violations', '--json').out);
  assert.deepEqual(j.results[0].violations.map((v: { invariant: string; executions: number }) => [v.invariant, v.executions]), [['I1', 1], ['I2', 1]]);
});

test('the CLI bundle is rebuilt when a source is newer, and prints what the sources print', async () => {
  const { statSync, utimesSync } = await import('node:fs');
  const bundle = resolve('node_modules/.cache/mmcheck/main.mjs');
  const viaBundle = mm('check', 'readers', '--param', 'N=3');
  const before = statSync(bundle).mtimeMs;
  const src = resolve('src/cli/options.ts');
  const later = new Date(Math.max(Date.now(), before) + 2000);
  utimesSync(src, later, later);
  const again = mm('check', 'readers', '--param', 'N=3');
  assert.ok(statSync(bundle).mtimeMs > before, 'rebuilt after a source changed');
  const r = spawnSync(process.execPath, [bin, 'check', 'readers', '--param', 'N=3'], { encoding: 'utf8', env: { ...process.env, MMCHECK_NO_BUNDLE: '1' } });
  const strip = (s: string) => s.replace(/\d+\.\d+ s/g, 'T s');
  assert.equal(strip(again.out), strip(viaBundle.out));
  assert.equal(strip(r.stdout), strip(viaBundle.out), 'the tsx path prints the same');
});

test('issue 12: counterexamples of programs that spawn threads print and replay under sc, tso and lkmm', () => {
  const finalSpawn = file('spawn-final.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'spawn-final', setup(b) {
  const x = b.loc('x');
  b.thread('T0', function* (t) { yield t.store(x, 1); });
  b.thread('T1', function* (t) { yield t.spawn(function* (c) { yield c.store(x, 2); }, 'child'); });
  b.final((s) => (s.value(x) === 1 ? 'x ends 1' : null));
} });
`);
  const deadlock = file('spawn-deadlock.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'spawn-deadlock', setup(b) {
  const x = b.loc('x'), y = b.loc('y');
  b.thread('T0', function* (t) { yield t.await(x, (v) => v === 1); });
  b.thread('T1', function* (t) {
    const old = yield t.cmpxchg(y, 0, 1);
    const c = yield t.spawn(function* () {}, 'child');
    yield t.join(c);
    if (old === 0) yield t.store(x, 1);
  });
  b.thread('T2', function* (t) { yield t.store(y, 2); });
} });
`);
  for (const [f, what] of [[finalSpawn, /VIOLATION \(final state\): x ends 1/], [deadlock, /VIOLATION \(deadlock\): every unfinished thread is blocked: T0 waits/]] as const) {
    for (const model of ['sc', 'tso', 'lkmm']) {
      const r = mm('check', f, '--model', model);
      assert.equal(r.code, 1, `${f} ${model}: ${r.err}`);
      assert.match(r.out, what);
      const cmd = /replay: mmcheck replay (.*)$/m.exec(r.out)?.[1];
      assert.ok(cmd, r.out);
      const rp = mm('replay', ...cmd.split(' '));
      assert.equal(rp.code, 1, `${cmd}: ${rp.err}`);
      assert.match(rp.out, what);
    }
  }
});

test('help: mmcheck --help, -h, help <command>, <command> --help; --version', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = mm(...args);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Commands:$/m);
    assert.match(r.out, /mmcheck check <file\.ts\|scenario\|program>/);
  }
  for (const args of [['help', 'replay'], ['replay', '--help'], ['replay', '-h']]) {
    const r = mm(...args);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^usage: mmcheck replay <file\.ts\|scenario\|program> --schedule S \[options\]$/m);
    assert.match(r.out, /^ {2}--schedule S +the schedule a violation printed$/m);
    assert.doesNotMatch(r.out, /--all-variants/, 'only the options of replay');
  }
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const v = mm('--version');
  assert.equal(v.code, 0);
  assert.equal(v.out, `mmcheck ${version}\n`);
  const bad = mm('help', 'chek');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /did you mean 'check'\?/);
});

test('did you mean: a mistyped command, option, scenario, variant or program (exit 2)', () => {
  for (const [args, hint] of [
    [['chek', 'readers'], /unknown command 'chek'; did you mean 'check'\?/],
    [['check', 'readers', '--modle', 'sc'], /unknown option --modle for 'check'; did you mean --model\?/],
    [['check', 'gup-fast-vs-zpa'], /unknown target 'gup-fast-vs-zpa'.*; did you mean one of 'gup-fast-vs-zap'/],
    [['check', 'readerz'], /did you mean 'readers'\?/],
    [['check', 'page-ref-freeze', '--variant', 'freeze-load-compare'], /no variant 'freeze-load-compare'; did you mean 'freeze-load-compare-store'\?/],
  ] as const) {
    const r = mm(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, hint);
  }
});

test('replay: a schedule that does not fit is a bad schedule (exit 2), never a crash or "nondeterministic"', () => {
  const sched = /--schedule (\S+)/.exec(mm('check', mpBug).out)?.[1];
  assert.ok(sched);
  for (const s of ['9', `${sched}.1`, sched.replace(/\.[^.]*$/, ''), '1.0~5.0', '1.0.0.7.1']) {
    const r = mm('replay', mpBug, '--schedule', s);
    assert.equal(r.code, 2, `${s}: ${r.err}`);
    assert.match(r.err, /^mmcheck replay: bad schedule: /m, s);
    assert.doesNotMatch(r.err, /internal error|the model is nondeterministic at/, s);
  }
  const typo = mm('replay', mpBug, '--schedule', '1.x');
  assert.equal(typo.code, 2);
  assert.match(typo.err, /bad schedule token 'x'/);
});

test('replay prints the whole execution: the steps a counterexample leaves out after the failed assertion', () => {
  const c = mm('check', 'page-ref-freeze', '--variant', 'freeze-load-compare-store');
  const hidden = Number(/\((\d+) later steps? of the other threads not shown; mmcheck replay prints the whole execution\)/.exec(c.out)?.[1]);
  assert.ok(hidden > 0, c.out);
  const cmd = /^replay: mmcheck replay (.*)$/m.exec(c.out)![1];
  const r = mm('replay', ...cmd.split(' '));
  assert.equal(r.code, 1, r.err);
  const rows = (s: string) => s.split('\n\nfinal memory')[0].split('\n').filter((l) => l && !l.startsWith('('));
  const shown = rows(c.out.slice(c.out.indexOf('CPU0:')));
  const replayed = rows(r.out);
  assert.deepEqual(replayed.slice(0, shown.length), shown, 'the same steps first, in the same order');
  assert.equal(replayed.length - shown.length, hidden, 'then the steps the counterexample left out');
});

test('--json carries the counterexample (schedule, replay, steps) and the rejected count', () => {
  const j = JSON.parse(mm('check', 'page-ref-freeze', '--variant', 'freeze-load-compare-store', '--json').out).results[0];
  assert.equal(typeof j.rejected, 'number');
  const cx = j.counterexample;
  assert.equal(cx.schedule, j.schedule);
  assert.equal(cx.replay, `mmcheck replay page-ref-freeze --variant freeze-load-compare-store --schedule ${j.schedule}`);
  const bad = cx.steps.filter((s: { violation?: boolean }) => s.violation);
  assert.equal(bad.length, 1);
  assert.match(bad[0].text, /^ASSERTION FAILED: I5: /);
  assert.ok(cx.steps.every((s: { thread: string; text: string }) => /^CPU[01]$/.test(s.thread) && s.text));
  const ok = JSON.parse(mm('check', 'readers', '--param', 'N=2', '--json').out).results[0];
  assert.equal(ok.counterexample, undefined);
  assert.equal(ok.rejected, 0);
});

test('check --all-variants --model lkmm: a documented weak-memory finding is a finding, not UNEXPECTED (exit 0)', () => {
  const r = mm('check', 'migrate-vs-reference-holder', '--all-variants', '--model', 'lkmm');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^migrate-vs-reference-holder\s+safe\s.*\bI10\b.*finding §1$/m);
  assert.match(r.out, /^migrate-vs-reference-holder\s+lkmm-early-refcount-check\s.*finding §1$/m);
  assert.doesNotMatch(r.out, /UNEXPECTED/);
  assert.match(r.out, /, 2 documented findings \(docs\/weak-memory-findings\.md\), 0 unexpected/);
});

test('issue 12: a body with a module-level counter is refused as nondeterministic at the user\'s file:line', () => {
  const nd = file('counter.ts', `import { defineProgram } from '${engine}';
let n = 0;
export default defineProgram({ name: 'counter', setup(b) {
  const x = b.loc('x');
  b.thread('T0', function* (t) {
    n++;
    yield t.store(x, n);
  });
  b.thread('T1', function* (t) { yield t.load(x); });
} });
`);
  const r = mm('check', nd);
  assert.equal(r.code, 2, r.out + r.err);
  assert.doesNotMatch(r.out, /OK/);
  assert.match(r.err, new RegExp(`${nd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: error in the model: the model is nondeterministic at thread T0, step 1: expected a store of 1, got 2`));
});

test('issue 12: --param out of its declared range exits 2 with the range, never runs as another value', () => {
  for (const v of ['0', '-1', '100000']) {
    const r = mm('check', 'gup-fast-vs-zap', '--param', `walkers=${v}`, '--timeout', '20');
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^mmcheck: --param walkers=${v} is out of range for gup-fast-vs-zap/safe: walkers must be an integer from 1 to 8 \\(default 1\\)`));
  }
});

test('issue 12: a run that would exhaust memory stops with a message and exit 2, not a V8 abort', () => {
  const big = file('big.ts', `import { defineProgram } from '${engine}';
export default defineProgram({
  name: 'big',
  params: { threads: { default: 2, min: 1, max: 1000000 }, locs: { default: 1, min: 1, max: 100000000 }, stores: { default: 1, min: 1, max: 1000 } },
  setup(b, { threads, locs, stores }) {
    const xs = b.array('x', locs);
    for (let i = 0; i < threads; i++) b.thread('T' + i, function* (t) { for (let k = 0; k < stores; k++) yield t.store(xs[(i + k) % locs], 1); });
  },
});
`);
  const small = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=200', bin, ...args], { encoding: 'utf8' });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };
  // Known too large before anything runs: 30,000 threads need 30,000² view entries.
  const est = small('check', big, '--param', 'threads=30000', '--timeout', '20');
  assert.equal(est.code, 2, est.err);
  assert.match(est.err, /^mmcheck: big cannot fit in memory: with 30,000 threads and 1 locations one execution needs at least 7\.2 GB/);
  // The setup of issue 12's example (100,000 walkers) is stopped while it runs.
  const many = mm('check', big, '--param', 'threads=100000', '--timeout', '20');
  assert.equal(many.code, 2, many.err);
  assert.match(many.err, /^mmcheck: the setup creates more than 65,536 threads/);
  // A setup that creates more locations than mmcheck can explore.
  const locs = small('check', big, '--param', 'locs=20000000');
  assert.equal(locs.code, 2, locs.err.slice(0, 400));
  assert.match(locs.err, /^mmcheck: the setup creates more than 1,048,576 locations/);
  // Found while exploring: the heap itself is watched (a 200 MB heap here, to stay fast).
  const run = small('check', big, '--param', 'threads=3000', '--param', 'stores=2');
  assert.equal(run.code, 2, run.err.slice(0, 400));
  assert.match(run.err, /^mmcheck: exploring big would exhaust memory: the heap holds \d+ MB of the \d+ MB Node allows/);
  assert.doesNotMatch(run.err, /FATAL|heap out of memory/);
});

test('CAS reads a revisit makes fail are taken out by default (--no-ghosts keeps them): the same complete executions, fewer blocked ones; shards of the two searches do not merge', () => {
  // Two try-gets (load, give up on 0, CAS +1, assume it worked) and a put: a revisit that makes
  // a try-get's CAS fail takes its read out unless --no-ghosts (docs/design/exploration.md §3.2).
  const p = file('tryget.ts', `import { defineProgram } from '${engine}';
export default defineProgram({
  name: 'tryget',
  setup(b) {
    const c = b.loc('c', 1);
    const getter = function* (t: any) {
      const v: number = yield t.load(c);
      if (v === 0) return;
      const old: number = yield t.cmpxchg(c, v, v + 1);
      yield t.assume(old === v);
      yield t.fetchSub(c, 1);
    };
    b.thread('g0', getter);
    b.thread('g1', getter);
    b.thread('put', function* (t: any) { yield t.fetchSub(c, 1); });
  },
});
`);
  const counts = (out: string): number[] => {
    const m = /all (\d+) executions, (\d+) blocked/.exec(out);
    assert.ok(m, out);
    return [Number(m[1]), Number(m[2])];
  };
  const on = mm('check', p);
  const off = mm('check', p, '--no-ghosts');
  assert.equal(on.code, 0, on.err);
  assert.equal(off.code, 0, off.err);
  const [c1, b1] = counts(on.out), [c2, b2] = counts(off.out);
  assert.equal(c1, c2);
  assert.ok(b1 < b2, `blocked: ${b1} with ghosts, ${b2} with --no-ghosts`);
  const s1 = join(dir, 'tg-1.json'), s2 = join(dir, 'tg-2.json');
  assert.equal(mm('check', p, '--shard', '1/2', '--out', s1).code, 0);
  assert.equal(mm('check', p, '--shard', '2/2', '--no-ghosts', '--out', s2).code, 0);
  const m = mm('merge', s1, s2);
  assert.equal(m.code, 2, m.out + m.err);
  assert.match(m.err, /--no-ghosts/);
});

test('robustness: a --param given twice or named like an Object method, --max-executions 0 and --jobs 9999 exit 2', () => {
  for (const [args, msg] of [
    [['--param', 'N=2', '--param', 'N=3'], /^mmcheck: --param N is given twice \(N=2 and N=3\)/],
    [['--param', 'toString=3'], /^mmcheck: unknown parameter 'toString' for readers/],
    [['--param', '__proto__=3'], /^mmcheck: unknown parameter '__proto__' for readers/],
    [['--max-executions', '0'], /^mmcheck: --max-executions needs at least 1 execution/],
    [['--jobs', '9999'], /^mmcheck: --jobs 9999 is more threads than mmcheck starts \(at most 256\)/],
  ] as const) {
    const r = mm('check', 'readers', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, msg);
    assert.equal(r.out, '');
  }
});

test('robustness: an --out, --checkpoint or --trace the user names that cannot be written is bad input (exit 2), not an internal error', () => {
  const nowhere = join(dir, 'no', 'such', 'dir');
  for (const args of [['readers', '--shard', '1/2', '--out', join(nowhere, 's.json')], ['readers', '--checkpoint', join(nowhere, 'c.json')],
    ['readers', '--shard', '1/2', '--out', dir], [mpBug, '--trace', join(nowhere, 't.json')]]) {
    const r = mm('check', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^mmcheck: cannot write .*(ENOENT|EISDIR)/m, r.err);
    assert.doesNotMatch(r.err, /internal error/);
  }
});

test('robustness: a damaged shard or checkpoint (a count edited, parts of the search lost) is refused by merge and --resume, never summed', () => {
  const s1 = join(dir, 'rb-1.json'), s2 = join(dir, 'rb-2.json');
  assert.equal(mm('check', 'readers', '--param', 'N=8', '--shard', '1/2', '--out', s1).code, 0);
  assert.equal(mm('check', 'readers', '--param', 'N=8', '--shard', '2/2', '--out', s2).code, 0);
  const good = mm('merge', s1, s2);
  assert.equal(good.code, 0, good.err);
  const f = JSON.parse(readFileSync(s1, 'utf8')) as { segments: Record<string, unknown>[]; shard: unknown };
  assert.ok(f.segments.length > 1, 'shard 1 holds more than one part of the search');
  const withSeg0 = (v: unknown): string => JSON.stringify({ ...f, segments: [{ ...f.segments[0], complete: v }, ...f.segments.slice(1)] });
  const damaged: [string, string, RegExp][] = [
    ['negative', withSeg0(-5), /is damaged: segment 0: a count is not a non-negative integer/],
    ['string', withSeg0('8'), /is damaged: segment 0: a count is not a non-negative integer/],
    ['fraction', withSeg0(1.5), /is damaged: segment 0: a count/],
    ['no segments', JSON.stringify({ ...f, segments: [] }), /no shard holds part 0 of the search/],
    ['first part lost', JSON.stringify({ ...f, segments: f.segments.slice(1) }), /no shard holds part 0 of the search/],
    ['bad shard', JSON.stringify({ ...f, shard: { index: 9, count: 2 } }), /is damaged: shard .* is not I\/N/],
  ];
  for (const [what, t, msg] of damaged) {
    const p = join(dir, `rb-bad.json`);
    writeFileSync(p, t);
    const r = mm('merge', p, s2);
    assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
    assert.match(r.err, msg, what);
    assert.equal(r.out, '', what);
  }
  const ck = join(dir, 'rb-ck.json');
  writeFileSync(ck, JSON.stringify({ ...JSON.parse(withSeg0(-5)), kind: 'checkpoint', shard: null }));
  const r = mm('check', 'readers', '--param', 'N=8', '--resume', ck);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /is damaged: segment 0: a count is not a non-negative integer/);
});

test('robustness: a body that yields what is not an operation, or stores NaN or a string, is refused (exit 2), never an internal error', () => {
  const bodies: [string, RegExp][] = [
    ['yield 42 as any;', /thread t yielded number 42: a body yields only what its t's methods return/],
    ['yield undefined as any;', /thread t yielded a bare yield \(undefined\)/],
    ['yield t.store(x, NaN);', /:\d+:\d+: error in the model: thread t threw: NaN is not a value memory can hold/],
    ["yield t.store(x, 'hi' as any);", /:\d+:\d+: error in the model: thread t threw: string hi is not a value memory can hold/],
    ['yield t.cmpxchg(x, 0, NaN);', /NaN is not a value memory can hold/],
  ];
  for (const [body, msg] of bodies) {
    const p = file('yields.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'yields', setup(b) { const x = b.loc('x'); b.thread('t', function* (t) { yield t.load(x); ${body} }); } });
`);
    const r = mm('check', p);
    assert.equal(r.code, 2, `${body}: ${r.out}${r.err}`);
    assert.match(r.err, msg, body);
    assert.doesNotMatch(r.err, /internal error|nondeterministic/, body);
  }
  const init = file('init.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'init', setup(b) { const x = b.loc('x', 'a' as any); b.thread('t', function* (t) { yield t.load(x); }); } });
`);
  const r = mm('check', init);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /init\.ts:2:\d+: error in the model: the setup of init threw: b\.loc\('x'\): the initial value a is not a number/);
});

test('robustness: a throw of a value that is not an Error, a body that is not a generator, a bad parameter declaration: named at the declaration\'s file:line:col', () => {
  const cases: [string, string, RegExp][] = [
    ['thread', "b.thread('t', function* (t) { yield t.load(x); throw 'text'; });", /thread t threw: text \(a value, not an Error, so no stack: the line given is where it is declared\)/],
    ['thread', "b.thread('t', function* (t) { yield t.load(x); throw null; });", /thread t threw: null/],
    ['thread', "b.thread('t', (function (t: any) { return 1; }) as any);", /thread t: its body must be a generator function/],
    ['program', 'throw undefined;', /the setup of decl threw: undefined/],
  ];
  for (const [where, code, msg] of cases) {
    const p = file('decl.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'decl', setup(b) {
  const x = b.loc('x');
  ${code}
} });
`);
    const r = mm('check', p);
    assert.equal(r.code, 2, `${code}: ${r.out}${r.err}`);
    assert.match(r.err, msg, code);
    assert.match(r.err, where === 'thread' ? /decl\.ts:4:\d+: error in the model: / : /decl\.ts:2:\d+: error in the model: /, code);
  }
  const params = file('decl-params.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'dp', params: { N: { default: 9, min: 1, max: 5 } }, setup(b) { b.thread('t', function* (t) {}); } });
`);
  const r = mm('check', params);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /decl-params\.ts:2:\d+: error in the model: dp declares parameter 'N'/);
});

test('robustness: a user scenario without variants, or with a variant that has no program or no expected verdict, is refused at its file (exit 2), never a crash or a judgement against undefined', () => {
  const prog = `import { defineProgram } from '${engine}';
const p = defineProgram({ name: 'p', setup(b) { const x = b.loc('x'); b.thread('t', function* (t) { yield t.store(x, 1); }); } });
`;
  const cases: [string, RegExp][] = [
    [`export default { name: 's', variants: [] };`, /the scenario s has no variants/],
    [`export default { name: 's', variants: [{ name: 'safe', expected: 'ok' }] };`, /the scenario s variant 1 \(safe\) has no program/],
    [`export default { name: 's', variants: [{ name: 'safe', expected: 'ok', program: { name: 'q', setup: 5 } }] };`, /variant 1 \(safe\) has no program/],
    [`export default { name: 's', variants: [{ name: 'safe', program: p }] };`, /variant 1 \(safe\) has no expected verdict/],
    [`export default { name: 's', variants: [{ name: 'safe', expected: 'ok', model: 'arm', program: p }] };`, /variant 1 \(safe\) has model "arm"/],
  ];
  for (const [code, msg] of cases) {
    const f = file('scen.ts', prog + code + '\n');
    for (const extra of [[], ['--all-variants']]) {
      const r = mm('check', f, ...extra);
      assert.equal(r.code, 2, `${code} ${extra}: ${r.out}${r.err}`);
      assert.match(r.err, new RegExp(`scen\\.ts:1:1: .*${msg.source}`), code);
    }
  }
  const ok = mm('check', file('scen-ok.ts', prog + `export default { name: 's', variants: [{ name: 'safe', expected: 'ok', program: p }] };\n`), '--all-variants');
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /1 variants, 1 as expected, 0 unexpected/);
});

test('robustness: a loop that never ends under the LKMM is refused at the line of its yield within seconds (it ran to the 4 GB heap limit, a V8 abort)', () => {
  const spin = file('spin-lkmm.ts', `import { defineProgram } from '${engine}';
export default defineProgram({ name: 'spin', setup(b) {
  const x = b.loc('x');
  b.thread('t', function* (t) { let i = 0; for (;;) { yield t.store(x, i++); } });
} });
`);
  const r = mm('check', spin, '--model', 'lkmm');
  assert.equal(r.code, 2, r.err.slice(0, 400));
  assert.match(r.err, /spin-lkmm\.ts:4:\d+: error in the model: an execution grew past 1000 events in thread t: a loop that never ends\?/);
  assert.doesNotMatch(r.err, /FATAL|heap out of memory/);
});

test('robustness: an import of a package that is not installed is named at the import\'s file:line:col', () => {
  const f = file('nopkg.ts', `import { defineProgram } from '${engine}';
import helper from 'no-such-package-xyz';
export default defineProgram({ name: 'nopkg', setup(b) { helper(b); } });
`);
  const r = mm('check', f);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /nopkg\.ts:2:20: cannot load .*Cannot find package 'no-such-package-xyz'/);
});
