// The primitive table read from linux-kernel.def (src/axiomatic/lkmm/def.ts): the closed fence
// vocabulary is exactly the .def's, every macro of the .def is in the table, and a bad .def is
// refused with file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DefError,
  FENCE_PRIMITIVES,
  FENCE_TAGS,
  LKMM_DEF_PATH,
  PRIMITIVES,
  defSpelling,
  parseDef,
  type FenceTag,
} from '../../src/axiomatic/lkmm/def.ts';
import { LKMM_MODEL_DIR } from '../../src/axiomatic/lkmm/index.ts';

const defText = readFileSync(LKMM_DEF_PATH, 'utf8');

test('FenceTag is closed to exactly the __fence{tag}s of linux-kernel.def', () => {
  // read with a regular expression, independently of def.ts's parser
  const inDef = new Set([...defText.matchAll(/__fence\{([\w-]+)\}/g)].map((m) => m[1]!));
  assert.deepEqual(new Set(FENCE_TAGS.map(defSpelling)), inDef);
  assert.equal(new Set(FENCE_TAGS).size, FENCE_TAGS.length);
  // and the type is the list: a misspelt tag does not type-check
  const ok: FenceTag = 'after-atomic';
  // @ts-expect-error 'smp_mb' is a primitive, not a tag
  const bad: FenceTag = 'smp_mb';
  assert.ok(ok && bad);
});

test('the fence tags are barriers of linux-kernel.bell', () => {
  const bell = readFileSync(join(LKMM_MODEL_DIR, 'linux-kernel.bell'), 'utf8').replace(/\(\*[\s\S]*?\*\)/g, '');
  const barriers = /enum Barriers =([^]*?)instructions/.exec(bell)![1]!;
  const tags = new Set([...barriers.matchAll(/'([\w-]+)/g)].map((m) => m[1]!));
  for (const t of FENCE_TAGS) assert.ok(tags.has(defSpelling(t)), `${t} is not in enum Barriers`);
});

test('FENCE_PRIMITIVES are exactly the fence-only macros of linux-kernel.def, with their tags', () => {
  const fromDef: Record<string, string> = {};
  for (const [name, m] of PRIMITIVES) if (m.prim.k === 'fence') fromDef[name] = m.prim.annot;
  const ours = Object.fromEntries(Object.entries(FENCE_PRIMITIVES).map(([n, t]) => [n, defSpelling(t)]));
  assert.deepEqual(ours, fromDef);
});

test('every macro line of linux-kernel.def is in the table, with its arity and kind', () => {
  const names = defText.split('\n').map((l) => /^([A-Za-z_]\w*)\(/.exec(l)?.[1]).filter((n): n is string => !!n);
  assert.deepEqual([...PRIMITIVES.keys()].sort(), [...new Set(names)].sort());
  const p = (n: string) => PRIMITIVES.get(n)!;
  assert.deepEqual(p('READ_ONCE').prim, { k: 'load', annot: 'ONCE', deref: true });
  assert.deepEqual(p('atomic_read').prim, { k: 'load', annot: 'ONCE', deref: false }); // READ_ONCE(*X), expanded
  assert.deepEqual(p('smp_store_mb').prim, { k: 'store', annot: 'ONCE', deref: true, mbAfter: true });
  assert.deepEqual(p('atomic_set_release').prim, { k: 'store', annot: 'RELEASE', deref: false, mbAfter: false });
  assert.deepEqual(p('atomic_dec_and_test').prim, { k: 'atomic_ret', op: '-', annot: 'MB', fetch: false, konst: 1, test: '==0' });
  assert.deepEqual(p('atomic_fetch_andnot_relaxed').prim, { k: 'atomic_ret', op: '&~', annot: 'ONCE', fetch: true, konst: null, test: null });
  assert.deepEqual([p('atomic_add_unless').arity, p('atomic_add_unless').returns], [3, true]);
  assert.deepEqual([p('spin_lock').arity, p('spin_lock').returns], [1, false]);
  assert.deepEqual(p('srcu_read_unlock').prim, { k: 'srcu_unlock' });
  assert.deepEqual(p('synchronize_srcu_expedited').prim, { k: 'sync_srcu' });
});

test('a bad .def is refused with file:line:col', () => {
  const err = (text: string): DefError => {
    try {
      parseDef(text, 'x.def');
    } catch (e) {
      if (e instanceof DefError) return e;
      throw e;
    }
    assert.fail('expected a DefError');
  };
  assert.match(err('// c\nsmp_mb() { __fence{MB}; }\nnot a macro').message, /^x\.def:3:1: expected 'name\(params\) body'/);
  assert.match(err('f(X) g(X)').message, /^x\.def:1:1: unknown macro or operation 'g'/);
  assert.match(err('f(X) { __store{ONCE}(X,V)').message, /^x\.def:1:6: f: a block body must end with \}/);
  assert.match(err('f(X,V) __atomic_op{NORETURN}(X,%,V)').message, /^x\.def:1:1: f: '%' is not an atomic operator/);
});

test("the engine's fence vocabulary (FENCE_KINDS) and the kernel's barriers are linux-kernel.def's", async () => {
  const { FENCE_KINDS } = await import('../../src/engine/ops.ts');
  assert.deepEqual([...FENCE_KINDS].sort(), [...FENCE_TAGS].sort());
  // Every barrier the kernel model offers lowers to the tag the .def gives the same primitive.
  const barriers = await import('../../src/kernel/include/asm-generic/barrier.ts');
  const { Ctx } = await import('../../src/engine/ops.ts');
  const t = new Ctx(0);
  // The RCU events are built by the functions that stand for the .def's primitives
  // (include/linux/rcupdate.ts, kernel/rcu/tree.ts), which pass their own name for traces.
  const rcuEvents: Record<string, string> = {
    rcu_lock_fence: 'rcu_read_lock',
    rcu_unlock_fence: 'rcu_read_unlock',
    sync_rcu_fence: 'synchronize_rcu',
  };
  for (const [name, fn] of Object.entries(barriers)) {
    if (typeof fn !== 'function') continue;
    const kernelName = rcuEvents[name] ?? name;
    const op = (fn as (t: InstanceType<typeof Ctx>, n: string) => { tag: unknown; name: unknown })(t, kernelName);
    const prim = name === 'smp_acquire__after_ctrl_dep' ? 'smp_rmb' : kernelName; // the kernel defines it as smp_rmb()
    assert.equal(op.tag, (FENCE_PRIMITIVES as Record<string, string>)[prim], `${name} lowers to the .def's tag`);
    assert.equal(op.name, kernelName, `${name} is named as the kernel names it in traces`);
  }
});
