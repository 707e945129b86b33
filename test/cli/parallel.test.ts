// Shared-out searches from the command line: --jobs prints what one thread prints; 4 shards run
// as 4 processes merge into what the unsharded run prints; a run killed with SIGKILL resumes
// from its checkpoint to the uninterrupted run's counts; bad shards and bad sets of shard files
// are refused with exit 2; a bounded parallel run says what it did not explore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve('bin/mmcheck.js');
const dir = mkdtempSync(join(tmpdir(), 'mmcheck-parallel-'));

function mm(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function mmAsync(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: dir });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => done({ code: code ?? -1, out, err }));
  });
}

/** Output without the seconds it took. */
const untimed = (s: string): string => s.replace(/\d+\.\d+ s\b/g, 'T s');

const okRun = ['readers', '--param', 'N=12'];
const badRun = ['gup-fast-vs-zap', '--variant', 'no-pte-recheck', '--param', 'walkers=3', '--all-violations'];

test('--jobs 2 prints what --jobs 1 prints', () => {
  for (const args of [okRun, badRun]) {
    const one = mm('check', ...args, '--jobs', '1');
    const two = mm('check', ...args, '--jobs', '2');
    assert.equal(two.code, one.code, two.err);
    assert.equal(untimed(two.out), untimed(one.out));
  }
});

test('4 shards run as 4 processes merge into what the unsharded run prints', async () => {
  for (const [name, args] of [['ok', okRun], ['bad', badRun]] as const) {
    const whole = mm('check', ...args, '--jobs', '1');
    const shards = await Promise.all([1, 2, 3, 4].map((i) => mmAsync('check', ...args, '--jobs', '1', '--shard', `${i}/4`, '--out', `${name}-${i}.json`)));
    for (const s of shards) {
      assert.ok(s.code === 0 || s.code === 1, s.err);
      if (s.code === 0) assert.match(s.out, /This is 1\/4 of the search, not a verdict/);
    }
    const merged = mm('merge', ...[4, 2, 3, 1].map((i) => `${name}-${i}.json`));
    assert.equal(merged.code, whole.code, merged.err);
    assert.equal(untimed(merged.out), untimed(whole.out));
  }
});

test('merge refuses a missing, a repeated or a foreign shard, naming the file (exit 2)', () => {
  for (let i = 1; i <= 3; i++) assert.equal(mm('check', ...okRun, '--shard', `${i}/3`, '--out', `m-${i}.json`).code, 0);
  assert.equal(mm('check', 'readers', '--param', 'N=11', '--shard', '2/3', '--out', 'other-2.json').code, 0);
  const missing = mm('merge', 'm-1.json', 'm-3.json');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /shard 2\/3 missing/);
  const twice = mm('merge', 'm-1.json', 'm-2.json', 'm-3.json', 'm-2.json');
  assert.equal(twice.code, 2);
  assert.match(twice.err, /shard 2\/3 is given twice \(m-2\.json and m-2\.json\)/);
  const foreign = mm('merge', 'm-1.json', 'other-2.json', 'm-3.json');
  assert.equal(foreign.code, 2);
  assert.match(foreign.err, /other-2\.json cannot be merged with m-1\.json: it is of parameters \{"N":11\}, not \{"N":12\}/);
  const tso = mm('check', ...okRun, '--model', 'tso', '--shard', '2/3', '--out', 'tso-2.json');
  assert.equal(tso.code, 0, tso.err);
  assert.match(mm('merge', 'm-1.json', 'tso-2.json', 'm-3.json').err, /tso-2\.json cannot be merged with m-1\.json: it is of model tso, not sc/);
  const notShard = mm('merge', 'nope.json');
  assert.equal(notShard.code, 2);
  assert.match(notShard.err, /cannot read nope\.json/);
});

test('a bad --shard or --jobs is refused with exit 2 and a message', () => {
  for (const s of ['0/4', '5/4', 'x/y', '1/0', '2']) {
    const r = mm('check', ...okRun, '--shard', s);
    assert.equal(r.code, 2, s);
    assert.match(r.err, /--shard needs I\/N with 1 ≤ I ≤ N/);
    assert.doesNotMatch(r.err, /at .*\.ts:\d+/);
  }
  const j = mm('check', ...okRun, '--jobs', '0');
  assert.equal(j.code, 2);
  assert.match(j.err, /--jobs needs at least 1/);
  assert.equal(mm('check', '--all', '--shard', '1/2').code, 2);
});

test('a run killed with SIGKILL resumes from its checkpoint to the uninterrupted counts', async () => {
  const args = ['lastzero', '--param', 'N=13', '--jobs', '2'];
  const whole = mm('check', ...args);
  assert.equal(whole.code, 0, whole.err);
  const cp = join(dir, 'cp.json');
  const p = spawn(process.execPath, [bin, 'check', ...args, '--checkpoint', cp, '--checkpoint-every', '0.05'], { cwd: dir, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  // Kill it once its checkpoint holds some of the search, but not all of it.
  let parts = 0, total = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    if (!existsSync(cp)) continue;
    try {
      const f = JSON.parse(readFileSync(cp, 'utf8')) as { segments: unknown[]; plan: { tasks: number } };
      parts = f.segments.length;
      total = f.plan.tasks;
    } catch {
      continue;
    }
    if (parts > 0) break;
  }
  p.kill('SIGKILL');
  assert.equal(await exited, null, 'killed before it finished');
  assert.ok(parts < total, `the checkpoint holds ${parts} of ${total} parts`);
  const resumed = mm('check', ...args, '--resume', cp);
  assert.equal(resumed.code, 0, resumed.err);
  assert.equal(untimed(resumed.out).replace(/\n\(resumed:.*\)/, ''), untimed(whole.out));
  assert.match(resumed.out, /\(resumed: [\d,]+ of the [\d,]+ parts of the search came from .*cp\.json\)/);
});

test('a bounded parallel run says what it did not explore', () => {
  const r = mm('check', 'lastzero', '--param', 'N=15', '--jobs', '2', '--timeout', '0.5');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /BOUNDED: explored/);
  assert.match(r.out, /NOT exhaustive/);
  assert.match(r.out, /of the [\d,]+ parts the search was split into were explored to the end, the others partly or not at all/);
  assert.doesNotMatch(r.out, /^OK/m);
});

test('a shard cut by --timeout merges into a bounded result that says so', () => {
  // The plan is not cut by the clock, so a bounded shard is still a part of the same search.
  const args = ['lastzero', '--param', 'N=14', '--jobs', '1'];
  const cut = mm('check', ...args, '--shard', '1/2', '--timeout', '0.1', '--out', 't-1.json');
  assert.equal(cut.code, 0, cut.err);
  assert.match(cut.out, /SHARD BOUNDED/);
  assert.equal(mm('check', ...args, '--shard', '2/2', '--out', 't-2.json').code, 0);
  const merged = mm('merge', 't-1.json', 't-2.json');
  assert.equal(merged.code, 0, merged.err);
  assert.match(merged.out, /BOUNDED: explored [\d,]+ complete executions in .* then stopped at the --timeout of a shard/);
  assert.match(merged.out, /NOT exhaustive/);
});
