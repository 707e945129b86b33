// mmcheck litmus --trace DIR: one versioned trace per test, a witness drawn as a graph; with
// --explain, a forbidden outcome's rejected execution and its cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';
import { checkTrace } from '../../src/trace-format/index.ts';

test('--trace writes the witness of MP+poonceonces with its po, rf, co and fr edges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-lt-'));
  const file = join(CORPUS_ROOT, 'kernel/tools/memory-model/litmus-tests/MP+poonceonces.litmus');
  const r = spawnSync(process.execPath, [resolve('bin/mmcheck.js'), 'litmus', file, '--trace', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const t = JSON.parse(readFileSync(join(dir, 'MP+poonceonces.json'), 'utf8'));
  assert.equal(t.schema, 'mmcheck-trace');
  assert.equal(t.version, 2);
  assert.equal(t.kind, 'litmus');
  assert.equal(t.verdict, 'Sometimes');
  const w = t.executions.find((e: { kind: string }) => e.kind === 'witness');
  assert.ok(w, 'a witness execution');
  assert.equal(String(w.final['1:r0']), '1');
  assert.equal(String(w.final['1:r1']), '0');
  const ids = new Set(w.events.map((e: { id: string }) => e.id));
  for (const e of w.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `edge ${e.from}->${e.to} names events of the execution`);
  const count = (ty: string) => w.edges.filter((e: { type: string }) => e.type === ty).length;
  assert.equal(count('po'), 2);
  assert.equal(count('rf'), 2);
  assert.equal(count('co'), 2);
  assert.equal(count('fr'), 1, 'P1 reads x=0 from the initial write, which is co-before P0\'s write');
});

test('--explain --trace adds the forbidden execution of MP+fencewmbonceonce+fencermbonceonce with its hb cycle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-lt-'));
  const file = join(CORPUS_ROOT, 'kernel/tools/memory-model/litmus-tests/MP+fencewmbonceonce+fencermbonceonce.litmus');
  const r = spawnSync(process.execPath, [resolve('bin/mmcheck.js'), 'litmus', '--explain', file, '--trace', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const t = JSON.parse(readFileSync(join(dir, 'MP+fencewmbonceonce+fencermbonceonce.json'), 'utf8'));
  assert.equal(checkTrace(t).ok, true, JSON.stringify(checkTrace(t)));
  const f = t.executions.find((e: { kind: string }) => e.kind === 'forbidden');
  assert.ok(f, 'a forbidden execution');
  assert.deepEqual(f.final, { '1:r0': 1, '1:r1': 0 }, 'it ends in the state the test asks about');
  assert.equal(f.explanation.axiom, 'happens-before');
  assert.equal(f.explanation.relation, 'hb');
  assert.deepEqual(f.explanation.cycle.map((c: { rel: string }) => c.rel), ['wmb', 'rfe', 'rmb', 'fre']);
  // the cycle closes, through events of the execution
  const cyc = f.explanation.cycle as { from: string; to: string }[];
  cyc.forEach((c, i) => assert.equal(c.to, cyc[(i + 1) % cyc.length]!.from));
  // and its rfe and fre edges are the execution's own rf and fr edges
  const has = (ty: string, a: string, b: string) => f.edges.some((e: { type: string; from: string; to: string }) => e.type === ty && e.from === a && e.to === b);
  for (const c of f.explanation.cycle as { rel: string; from: string; to: string }[]) {
    if (c.rel === 'rfe') assert.ok(has('rf', c.from, c.to));
    if (c.rel === 'fre') assert.ok(has('fr', c.from, c.to));
  }
});
