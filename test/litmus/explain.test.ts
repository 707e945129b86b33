// mmcheck litmus --explain: for five forbidden outcomes of the kernel's litmus tests (message
// passing with wmb/rmb, store buffering with mb, load buffering with a control dependency and
// mb, an RCU grace period, a lock handover), the axiom of linux-kernel.cat that rejects the
// outcome and the cycle of the model's relations that closes; an allowed outcome says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';
import { explainOutcome } from '../../src/litmus/explain.ts';
import { loadLitmusModel } from '../../src/litmus/model.ts';
import { runText } from '../../src/litmus/run.ts';

const LT = 'kernel/tools/memory-model/litmus-tests';

async function explain(rel: string) {
  const file = join(CORPUS_ROOT, rel);
  const r = runText(file, readFileSync(file, 'utf8'), await loadLitmusModel());
  return { r, e: explainOutcome(r) };
}

const cases: { test: string; axiom: string; cycle: string; relation: string }[] = [
  {
    test: `${LT}/MP+fencewmbonceonce+fencermbonceonce.litmus`,
    axiom: 'happens-before',
    relation: 'hb',
    cycle: 'P0:W[once] buf=1 →wmb P0:W[once] flag=1 →rfe P1:R[once] flag=1 →rmb P1:R[once] buf=0 →fre P0:W[once] buf=1',
  },
  {
    test: `${LT}/SB+fencembonceonces.litmus`,
    axiom: 'propagation',
    relation: 'pb',
    cycle: 'P0:W[once] x=1 →mb P0:R[once] y=0 →fre P1:W[once] y=1 →mb P1:R[once] x=0 →fre P0:W[once] x=1',
  },
  {
    test: `${LT}/LB+fencembonceonce+ctrlonceonce.litmus`,
    axiom: 'happens-before',
    relation: 'hb',
    cycle: 'P0:R[once] x=1 →ctrl P0:W[once] y=1 →rfe P1:R[once] y=1 →mb P1:W[once] x=1 →rfe P0:R[once] x=1',
  },
  {
    test: 'kernel/Documentation/litmus-tests/rcu/RCU+sync+read.litmus',
    axiom: 'rcu',
    relation: 'rb',
    cycle:
      'P0:F[rcu-lock] →po P0:W[once] x=1 →rfe P1:R[once] x=1 →po P1:F[sync-rcu] →po P1:R[once] y=0 →fre P0:W[once] y=1 ' +
      '→po P0:F[rcu-unlock] →rcu-rscsi P0:F[rcu-lock]',
  },
  {
    test: `${LT}/MP+polocks.litmus`,
    axiom: 'happens-before',
    relation: 'hb',
    cycle: 'P0:W[once] buf=1 →po-rel P0:UL mylock →rfe P1:LKR mylock →acq-po P1:R[once] buf=0 →fre P0:W[once] buf=1',
  },
];

for (const c of cases) {
  test(`${c.test.split('/').pop()}: forbidden by ${c.axiom}, with its cycle`, async () => {
    const { r, e } = await explain(c.test);
    assert.equal(r.verdict, 'Never');
    assert.equal(e.verdict, 'forbidden');
    assert.equal(e.example!.rejection.check, c.axiom);
    assert.equal(e.example!.rejection.expr, c.relation);
    assert.match(e.text[1]!, new RegExp(`^  ${c.axiom}: (acyclic|irreflexive) ${c.relation} fails \\(linux-kernel\\.cat:\\d+:1\\); the cycle:$`));
    assert.equal(e.text[2], `    ${c.cycle}`);
    // the cycle closes, and its rf/fr edges are the candidate's own
    const x = e.example!.x;
    const cyc = e.example!.cycle;
    cyc.forEach((k, i) => assert.equal(k.to, cyc[(i + 1) % cyc.length]!.from));
    const rf = new Set(e.example!.rf.map(([w, rd]) => `${w}>${rd}`));
    for (const k of cyc) if (k.rel === 'rfe') assert.ok(rf.has(`${k.from}>${k.to}`), 'an rfe edge is an rf pair of the candidate');
    for (const k of cyc) if (k.rel === 'fre') assert.equal(x.events[k.from]!.kind, 'R');
    // every candidate that ends in the outcome is rejected, and each rejection is counted
    assert.equal(Object.values(e.rejectedBy).reduce((a, b) => a + b, 0), e.candidates);
  });
}

test('an allowed outcome: no axiom forbids it', async () => {
  const { e } = await explain(`${LT}/SB+poonceonces.litmus`);
  assert.equal(e.verdict, 'allowed');
  assert.deepEqual(e.text, ['0:r0=0 /\\ 1:r0=0: allowed, 1 execution of the model ends so; no axiom forbids it']);
});

test('an outcome that only an incoherent co could give is forbidden by coherence', async () => {
  const { e } = await explain(`${LT}/CoWW+poonceonce.litmus`);
  assert.equal(e.verdict, 'forbidden');
  assert.equal(e.text[2], '    P0:W[once] x=1 →po-loc P0:W[once] x=2 →coi P0:W[once] x=1');
});

test('--explain prints the explanation after herd7\'s output, and --json carries it', () => {
  const file = join(CORPUS_ROOT, `${LT}/SB+fencembonceonces.litmus`);
  const text = spawnSync(process.execPath, [resolve('bin/mmcheck.js'), 'litmus', '--explain', file], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Observation SB\+fencembonceonces Never 0 3$/m);
  assert.match(text.stdout, /^Explanation\n0:r0=0 \/\\ 1:r0=0: forbidden;/m);
  const json = spawnSync(process.execPath, [resolve('bin/mmcheck.js'), 'litmus', '--explain', '--json', file], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  const ex = JSON.parse(json.stdout).results[0].explanation;
  assert.equal(ex.axiom, 'propagation');
  assert.equal(ex.relation, 'pb');
  assert.deepEqual(ex.cycle.map((c: { rel: string }) => c.rel), ['mb', 'fre', 'mb', 'fre']);
  assert.equal(ex.derivation[0].rel, 'pb');
});
