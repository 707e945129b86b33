// A user's .def as the litmus front end uses it (herd7 -macros; src/axiomatic/lkmm/def.ts reads
// it, test/cat/def.test.ts checks the kernel's): a new macro is expanded and its annotation used;
// a macro mmcheck cannot translate (or whose operands are in another order) is refused where a
// test calls it, not for the whole file; without a .def only herd7's legacy atomic_add_unless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LKMM_MODEL_DIR } from '../../src/axiomatic/lkmm/index.ts';
import { DefError, LKMM_DEF, readDefTable } from '../../src/axiomatic/lkmm/def.ts';
import { LitmusError } from '../../src/litmus/lexer.ts';
import { loadLitmusModel } from '../../src/litmus/model.ts';
import { parseLitmus } from '../../src/litmus/parser.ts';
import { runText } from '../../src/litmus/run.ts';

const DEF = readFileSync(join(LKMM_MODEL_DIR, 'linux-kernel.def'), 'utf8');

test("read leniently, the kernel's linux-kernel.def gives the bundled table, macro by macro", () => {
  const t = readDefTable(DEF, 'linux-kernel.def');
  assert.deepEqual([...t.unsupported], []);
  assert.deepEqual([...t.macros.keys()].sort(), [...LKMM_DEF.macros.keys()].sort());
  for (const [name, m] of LKMM_DEF.macros) assert.deepEqual(t.macros.get(name)!.prim, m.prim, name);
});

const MP = `C MP+new
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release_new(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire_new(y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
`;

test("a user's .def: new macros are expanded through the ones defined before them", async () => {
  const def = DEF + '\nsmp_load_acquire_new(X) smp_load_acquire(X)\nsmp_store_release_new(X,V) { __store{RELEASE}(*X,V); }\n';
  const prims = readDefTable(def, 'my.def');
  assert.deepEqual(prims.macros.get('smp_load_acquire_new')!.prim, { k: 'load', annot: 'ACQUIRE', deref: false });
  assert.deepEqual(prims.macros.get('smp_store_release_new')!.prim, { k: 'store', annot: 'RELEASE', deref: false, mbAfter: false });
  const lkmm = await loadLitmusModel();
  const r = runText('mp.litmus', MP, { ...lkmm, prims });
  assert.equal(r.verdict, 'Never');
  // The same macros with ONCE annotations let the outcome happen: the annotation is the .def's.
  const once = readDefTable(DEF + '\nsmp_load_acquire_new(X) __load{ONCE}(*X)\nsmp_store_release_new(X,V) { __store{ONCE}(*X,V); }\n', 'once.def');
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
  const prims = readDefTable('WRITE_ONCE(X,V) { __store{ONCE}(X,V); }\nfoo(X,V) { __store{ONCE}(*X,V); __fence{rmb}; }\nbar(V,X) __load{ONCE}(*X)\nREAD_ONCE(X) __load{ONCE}(X)\n', 'odd.def');
  assert.deepEqual([...prims.unsupported.keys()], ['foo', 'bar']);
  assert.match(prims.unsupported.get('bar')!, /operands of __load are not the parameters in the order/);
  assert.ok(prims.macros.has('READ_ONCE'));
  const src = 'C t\n{}\nP0(int *x) { foo(x, 1); }\nexists (x=1)\n';
  assert.throws(() => parseLitmus(src, prims), (e: LitmusError) => e.line === 3 && /macro foo of odd\.def is not supported by mmcheck: foo: __store followed by __fence/.test(e.msg));
});

test('a malformed .def line is reported at file:line:col', () => {
  assert.throws(() => readDefTable('READ_ONCE(X) __load{ONCE}(X)\nWRITE_ONCE X,V) { }\n', 'bad.def'), (e: DefError) => e instanceof DefError && e.line === 2 && e.col === 1);
});

test('without a macro file only atomic_add_unless is known, as in herd7', () => {
  const t = readDefTable('', 'none');
  assert.deepEqual([...t.macros.keys()], ['atomic_add_unless']);
});
