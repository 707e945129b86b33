// The command line as a user meets it: exit codes, bounded and sampled runs, replay, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  const s = mm('check', 'readers', '--param', 'N=8', '--random', '20', '--seed', '3');
  assert.match(s.out, /SAMPLED: no violation in 20 random executions/);
  assert.match(s.out, /a sample, not a proof/);
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
