// mmcheck litmus --trace DIR: one versioned trace per test, a witness drawn as a graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';

test('--trace writes the witness of MP+poonceonces with its po, rf, co and fr edges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-lt-'));
  const file = join(CORPUS_ROOT, 'kernel/tools/memory-model/litmus-tests/MP+poonceonces.litmus');
  const r = spawnSync(process.execPath, [resolve('bin/mmcheck.js'), 'litmus', file, '--trace', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const t = JSON.parse(readFileSync(join(dir, 'MP+poonceonces.json'), 'utf8'));
  assert.equal(t.schema, 'mmcheck-trace');
  assert.equal(t.version, 1);
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
