// `mmcheck litmus`: herd7-style and JSON output, directory expansion, --judge, and exit codes (0
// all checked, 2 when a file is refused with file:line:col while the others are still checked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const SB = `C SB+fencembonceonces
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
`;

function run(args: string[]): { code: number; out: string; err: string } {
  const script = `import('${ROOT}src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(['litmus', ...args])}); });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'mmcheck-litmus-'));
mkdirSync(join(dir, 'sub'));
writeFileSync(join(dir, 'sub', 'SB.litmus'), SB);
writeFileSync(join(dir, 'bad.litmus'), SB.replace('smp_mb(); r0', 'smp_mb() r0'));

test('herd7-style output, exit 0', () => {
  const r = run([join(dir, 'sub', 'SB.litmus')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Test SB\+fencembonceonces Allowed\nStates 3\n/);
  assert.match(r.out, /\nNo\nWitnesses\nPositive: 0 Negative: 3\nCondition exists \(0:r0=0 \/\\ 1:r0=0\)\nObservation SB\+fencembonceonces Never 0 3\n/);
});

test('a refused file gives file:line:col and exit 2; the others are still checked', () => {
  const r = run([dir, '--json']);
  assert.equal(r.code, 2);
  assert.match(r.err, new RegExp(`${join(dir, 'bad.litmus').replace(/[.+]/g, '\\$&')}:3:58: expected ';'`));
  const j = JSON.parse(r.out) as { results: { path: string; name: string; verdict: string; positive: number; negative: number; states: number; flags: string[]; seconds: number }[] };
  assert.equal(j.results.length, 1);
  const x = j.results[0]!;
  assert.equal(x.name, 'SB+fencembonceonces');
  assert.equal(x.verdict, 'Never');
  assert.deepEqual([x.positive, x.negative, x.states], [0, 3, 3]);
  assert.deepEqual(x.flags, []);
  assert.equal(typeof x.seconds, 'number');
});

test('usage errors exit 2', () => {
  assert.equal(run([]).code, 2);
  assert.equal(run(['--bogus', 'x']).code, 2);
  const r = run([join(dir, 'missing.litmus')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /missing\.litmus:1:1: cannot read file/);
});

test('~exists and forall: Forbidden / Required, Witnesses as herd7 prints them', () => {
  writeFileSync(join(dir, 'neg.litmus'), SB.replace('exists', '~exists'));
  writeFileSync(join(dir, 'all.litmus'), SB.replace('exists (0:r0=0 /\\ 1:r0=0)', 'forall (0:r0=1 \\/ 1:r0=1)'));
  let r = run([join(dir, 'neg.litmus')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Test SB\+fencembonceonces Forbidden\n/);
  assert.match(r.out, /\nOk\nWitnesses\nPositive: 3 Negative: 0\nCondition ~exists \(0:r0=0 \/\\ 1:r0=0\)\nObservation SB\+fencembonceonces Never 0 3\n/);
  r = run([join(dir, 'all.litmus')]);
  assert.match(r.out, /^Test SB\+fencembonceonces Required\n/);
  assert.match(r.out, /\nOk\nWitnesses\nPositive: 3 Negative: 0\nCondition forall \(0:r0=1 \\\/ 1:r0=1\)\nObservation SB\+fencembonceonces Always 3 0\n/);
});

test('--timeout gives up on a slow test and reports it like a refusal', () => {
  const r = run([CORPUS_ROOT + '/paulmckrcu-litmus/manual/kernel/C-seqlock.litmus', '--timeout', '0.05']);
  assert.equal(r.code, 2);
  assert.match(r.err, /C-seqlock\.litmus:1:1: gave up: timed out after/);
});

test('--judge: judgelitmus.sh\'s verdict words per test and checkalllitmus.sh\'s closing line', () => {
  const withResult = (res: string): string => SB.replace('{}', `(*\n * Result: ${res}\n *)\n{}`);
  writeFileSync(join(dir, 'j-never.litmus'), withResult('Never'));
  writeFileSync(join(dir, 'j-sometimes.litmus'), withResult('Sometimes'));
  let r = run([join(dir, 'j-never.litmus'), '--judge']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'Observation SB+fencembonceonces Never 0 3\n1 tests judged against their Result: comments: 1 as expected, 0 not\nAll litmus tests verified as was expected.\n');
  r = run([join(dir, 'j-never.litmus'), join(dir, 'j-sometimes.litmus'), '--judge']);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(` !!! Unexpected non-Sometimes verification ${join(dir, 'j-sometimes.litmus').replace(/[.+]/g, '\\$&')}\n`));
  assert.match(r.out, / \^\^\^ VERIFICATION MISMATCHES\n$/);
  r = run([join(dir, 'j-sometimes.litmus'), '--judge', '--json']);
  const j = JSON.parse(r.out) as { results: { judgement: { code: number; message: string } }[] };
  assert.equal(j.results[0]!.judgement.code, 1);
});

test('directories: a link back to a parent is walked once, a dangling link is an unreadable file, an empty directory is said (exit 2), never an internal error', () => {
  const d = mkdtempSync(join(tmpdir(), 'mmcheck-litmus-links-'));
  mkdirSync(join(d, 'loop'));
  writeFileSync(join(d, 'loop', 'SB.litmus'), SB);
  symlinkSync(join(d, 'loop'), join(d, 'loop', 'self'));
  let r = run([join(d, 'loop'), '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { results: unknown[] }).results.length, 1);
  mkdirSync(join(d, 'dangling'));
  symlinkSync(join(d, 'nowhere'), join(d, 'dangling', 'x.litmus'));
  r = run([join(d, 'dangling')]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /dangling\/x\.litmus:1:1: cannot read file/);
  mkdirSync(join(d, 'empty'));
  r = run([join(d, 'empty')]);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /^mmcheck litmus: .*empty holds no \*\.litmus file/);
  assert.doesNotMatch(r.err, /internal error/);
  r = run([join(dir, 'sub', 'SB.litmus'), '--trace', join(dir, 'sub', 'SB.litmus', 'traces')]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^mmcheck litmus: cannot write .*traces.*ENOTDIR/);
});
