// judge.ts against the kernel's own judgelitmus.sh (vendored in test/fixtures/kernel-scripts):
// for every combination of Result comment (Never, Sometimes, Always, DEADLOCK, Maybe, none; with
// and without DATARACE) and herd7 output (each verdict, with and without `Flag data-race`, an
// unknown macro, a timeout, no output), the same exit status and the same verdict line. Then
// `mmcheck litmus --judge` over the corpus gives, test by test, the judgement of herd7's
// recorded results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectationOf, judge, observationLine, type Observed } from '../../src/litmus/judge.ts';
import { CORPUS_ROOT, readHerdResults } from '../../src/litmus/corpus.ts';
import { cli } from '../viewer/harness.ts';

const SCRIPTS = join(import.meta.dirname, '../fixtures/kernel-scripts/scripts');

function herdOut(o: Observed): string {
  switch (o.k) {
    case 'result': return `Test ${o.name} Allowed\n${o.flags.map((f) => `Flag ${f}\n`).join('')}${observationLine(o)}\nTime ${o.name} 0.01\n`;
    case 'unknown-macro': return `t.litmus:7:2: Unknown macro ${o.macro} (User error): not defined in linux-kernel.def\n`;
    case 'timeout': return 'Command exited with non-zero status 124\n0.00user 0.00system 0:01.00elapsed\n';
    case 'error': return 't.litmus:3:1: expected a statement (User error)\n';
  }
}

test("judge.ts gives judgelitmus.sh's status and verdict line on every kind of result", () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-judge-'));
  symlinkSync(SCRIPTS, join(dir, 'scripts'));
  const results = ['Never', 'Sometimes', 'Always', 'DEADLOCK', 'Maybe', null];
  const observed: Observed[] = [];
  for (const [verdict, p, n] of [['Never', 0, 0], ['Never', 0, 3], ['Sometimes', 1, 2], ['Always', 2, 0]] as const) {
    for (const flags of [[], ['data-race']]) observed.push({ k: 'result', name: 't', verdict, positive: p, negative: n, flags });
  }
  observed.push({ k: 'unknown-macro', macro: 'smp_foo' }, { k: 'timeout' }, { k: 'error' });
  let cases = 0;
  try {
    for (const res of results) {
      for (const race of res === null ? [false] : [false, true]) {
        const text = `C t\n\n(*\n${res === null ? ' * no expectation here\n' : ` * Result: ${res}${race ? ' DATARACE' : ''}\n`} *)\n\n{}\n\nP0(int *x) { WRITE_ONCE(*x, 1); }\n\nexists (x=1)\n`;
        writeFileSync(join(dir, 't.litmus'), text);
        for (const o of observed) {
          writeFileSync(join(dir, 't.litmus.out'), `Herd options: -conf linux-kernel.cfg\n${herdOut(o)}`);
          const r = spawnSync('sh', ['scripts/judgelitmus.sh', 't.litmus'], { cwd: dir, env: { ...process.env, LKMM_DESTDIR: '.' }, encoding: 'utf8' });
          const scriptLine = r.stdout.split('\n').filter((l) => /!!!|---/.test(l)).join('\n');
          const j = judge('t.litmus', expectationOf(text), o);
          const what = `Result ${res} race ${race}, ${JSON.stringify(o)}`;
          assert.equal(j.code, r.status, what);
          assert.equal(j.message ?? '', scriptLine, what);
          cases++;
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(cases, 11 * 11);
});

test("mmcheck litmus --judge judges the corpus as judgelitmus.sh judges herd7's recorded results", () => {
  const r = cli(['litmus', '--judge', '--json', CORPUS_ROOT]);
  const got = new Map((JSON.parse(r.stdout) as { results: { path: string; judgement: { code: number; message: string | null } }[] }).results.map((x) => [x.path.slice(CORPUS_ROOT.length + 1), x.judgement]));
  let mismatches = 0;
  const codes = new Map<number, number>();
  for (const h of readHerdResults()) {
    const file = join(CORPUS_ROOT, h.path);
    const herd = judge(file, expectationOf(readFileSync(file, 'utf8')), { k: 'result', name: 'x', verdict: h.verdict, positive: h.positive, negative: h.negative, flags: h.flags });
    const mine = got.get(h.path);
    assert.deepEqual(mine, { code: herd.code, message: herd.message }, h.path);
    if (herd.code !== 0) mismatches++;
    codes.set(herd.code, (codes.get(herd.code) ?? 0) + 1);
  }
  assert.equal(got.size, 1091);
  // Not zero: the corpus has tests whose Result comment herd7 itself does not meet (README).
  assert.ok(mismatches > 0);
  assert.equal(r.status, 1);
  console.log(`--judge over the corpus: statuses ${JSON.stringify(Object.fromEntries(codes))}`);
});
