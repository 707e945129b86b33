// The .def reader (src/litmus/def.ts): the kernel's linux-kernel.def read by it gives exactly the
// bundled primitive table; a user's .def with a new macro is used by the parser; macros it cannot
// translate are refused where a test calls them; a malformed .def is reported at line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LKMM_MODEL_DIR } from '../../src/axiomatic/lkmm/index.ts';
import { readDef } from '../../src/litmus/def.ts';
import { LitmusError } from '../../src/litmus/lexer.ts';
import { loadLitmusModel } from '../../src/litmus/model.ts';
import { parseLitmus } from '../../src/litmus/parser.ts';
import { PRIMS } from '../../src/litmus/primitives.ts';
import { runText } from '../../src/litmus/run.ts';

const DEF = readFileSync(join(LKMM_MODEL_DIR, 'linux-kernel.def'), 'utf8');

test("reading the kernel's linux-kernel.def gives the bundled primitive table, macro by macro", () => {
  const t = readDef(DEF, 'linux-kernel.def');
  assert.deepEqual([...t.unsupported], []);
  assert.deepEqual([...t.prims.keys()].sort(), [...PRIMS.keys()].sort());
  for (const [name, p] of PRIMS) assert.deepEqual(t.prims.get(name), p, name);
});

const MP = `C MP+new
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release_new(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire_new(y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
`;

test("a user's .def: new macros are expanded through the ones defined before them", async () => {
  const def = DEF + '\nsmp_load_acquire_new(X) smp_load_acquire(X)\nsmp_store_release_new(X,V) { __store{RELEASE}(*X,V); }\n';
  const prims = readDef(def, 'my.def');
  assert.deepEqual(prims.prims.get('smp_load_acquire_new'), { k: 'load', annot: 'ACQUIRE', deref: false });
  assert.deepEqual(prims.prims.get('smp_store_release_new'), { k: 'store', annot: 'RELEASE', deref: false, mbAfter: false });
  const lkmm = await loadLitmusModel();
  const r = runText('mp.litmus', MP, { ...lkmm, prims });
  assert.equal(r.verdict, 'Never');
  // The same macros with ONCE annotations let the outcome happen: the annotation is the .def's.
  const once = readDef(DEF + '\nsmp_load_acquire_new(X) __load{ONCE}(*X)\nsmp_store_release_new(X,V) { __store{ONCE}(*X,V); }\n', 'once.def');
  assert.equal(runText('mp.litmus', MP, { ...lkmm, prims: once }).verdict, 'Sometimes');
});

test('without the macro in the .def, the call is an unknown macro at its line:col', () => {
  try {
    parseLitmus(MP);
    assert.fail('parsed');
  } catch (e) {
    assert.ok(e instanceof LitmusError);
    assert.equal(e.line, 3);
    assert.equal(e.col, 41);
    assert.equal(e.unknownMacro, 'smp_store_release_new');
    assert.equal(e.msg, 'Unknown macro smp_store_release_new (not defined in linux-kernel.def)');
  }
});

test('a macro mmcheck cannot translate is refused where a test calls it, with the reason', () => {
  const prims = readDef('WRITE_ONCE(X,V) { __store{ONCE}(X,V); }\nfoo(X) { __store{ONCE}(X,1); __fence{rmb}; }\nREAD_ONCE(X) __load{ONCE}(X)\n', 'odd.def');
  assert.ok(prims.unsupported.has('foo'));
  assert.ok(prims.prims.has('READ_ONCE'));
  const src = 'C t\n{}\nP0(int *x) { foo(x); }\nexists (x=1)\n';
  assert.throws(() => parseLitmus(src, prims), (e: LitmusError) => e.line === 3 && /macro foo of odd\.def is not supported by mmcheck/.test(e.msg));
});

test('a malformed .def is reported at line:col', () => {
  assert.throws(() => readDef('READ_ONCE(X) __load{ONCE}(X)\nWRITE_ONCE(X,V { __store{ONCE}(X,V); }\n', 'bad.def'), (e: LitmusError) => e.line === 2 && e.col === 16);
});

test('without a macro file only atomic_add_unless is known, as in herd7', () => {
  const t = readDef('', 'none');
  assert.deepEqual([...t.prims.keys()], ['atomic_add_unless']);
});
