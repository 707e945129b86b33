// Weak-memory explanations of counterexamples under --model lkmm (engine/models/lkmm-explain.ts):
// the SC cycle, the stale reads on it, and which ordering would make the LKMM forbid the
// execution, with a missing barrier told apart from a dependency the scenario did not declare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, defineProgram, Mode } from '../../src/engine/index.ts';
import { findVariant } from '../../src/kernel/catalog.ts';

/** Message passing: P0 writes data then flag; P1 reads flag then data, with the given ordering. */
const mp = (writer: 'po' | 'wmb', reader: 'po' | 'ctrl' | 'addr') => defineProgram({
  name: `MP+${writer}+${reader}`, setup(b) {
    const x = b.loc('data'), y = b.loc('flag');
    b.thread('P0', function* (t) {
      yield t.store(x, 1);
      if (writer === 'wmb') yield t.fence('wmb');
      yield t.store(y, 1, Mode.Once);
    });
    b.thread('P1', function* (t) {
      const f = yield t.load(y, Mode.Once);
      if (reader !== 'po') t.depends(reader, y);
      const d = yield t.load(x);
      yield t.assert(!(f === 1 && d === 0), 'flag seen, data not');
    });
  },
});

test('MP without barriers: the stale read, and both edges where ordering alone does not suffice', () => {
  const r = check(mp('po', 'po'), { model: 'lkmm' });
  const w = r.violation!.explain()!;
  assert.equal(w.sc, false);
  assert.deepEqual(w.cycle.map((c) => c.rel), ['po', 'rf', 'po', 'fr']);
  assert.equal(w.stale.length, 1);
  assert.equal(w.stale[0]!.read.tid, 1, 'P1 reads data stale');
  assert.equal(w.stale[0]!.source, null, 'it reads the initial value');
  assert.equal(w.needs, 'all', 'both P0 and P1 must order their pair');
  assert.deepEqual(w.orderings.map((o) => o.fixes.filter((f) => f.kind === 'barrier').map((f) => f.fix)), [
    ['smp_mb()', 'smp_wmb()', 'smp_store_release()'],
    ['smp_mb()', 'smp_rmb()', 'smp_load_acquire()'],
  ]);
  assert.deepEqual(w.orderings[1]!.fixes.filter((f) => f.kind === 'dependency').map((f) => f.fix), ['addr']);
  assert.match(w.text.join('\n'), /only ordering every one of these edges together makes the LKMM forbid this execution/);
});

test('MP+wmb with a declared ctrl dependency: the dependency is there and does not order two reads; addr would', () => {
  const r = check(mp('wmb', 'ctrl'), { model: 'lkmm' });
  const w = r.violation!.explain()!;
  assert.equal(w.needs, 'any');
  const p1 = w.orderings.find((o) => o.from.tid === 1)!;
  assert.equal(p1.declared, 'ctrl');
  assert.deepEqual(p1.fixes.map((f) => f.fix), ['smp_mb()', 'smp_rmb()', 'smp_load_acquire()', 'addr']);
  const p0 = w.orderings.find((o) => o.from.tid === 0)!;
  assert.equal(p0.orderedBy, 'wmb');
  const text = w.text.join('\n');
  assert.match(text, /a ctrl dependency is declared with t\.depends\(\), and the LKMM does not order this pair by it/);
  assert.match(text, /P0: data := 1 \(once\) →po flag := 1 \(once\): already ordered \(wmb\)/);
});

test('MP+wmb+addr is forbidden: no counterexample to explain', () => {
  assert.equal(check(mp('wmb', 'addr'), { model: 'lkmm' }).verdict, 'ok');
});

test('a catalog variant: the walker\'s counter store is not ordered before its *pmd load (store to load: only smp_mb)', () => {
  const v = findVariant('lockless-walk-counter', 'no-mb-around-counter')!;
  const r = check(v.program, { model: 'lkmm' });
  const w = r.violation!.explain()!;
  assert.equal(w.sc, false);
  assert.equal(w.stale.length, 2, 'each CPU reads the other\'s location stale (store buffering)');
  assert.equal(w.needs, 'any');
  const unordered = w.orderings.filter((o) => o.fixes.length);
  assert.equal(unordered.length, 1);
  assert.deepEqual(unordered[0]!.fixes.map((f) => f.fix), ['smp_mb()']);
  assert.equal(w.orderings.find((o) => !o.fixes.length)!.orderedBy, 'mb');
});

test('an interleaving bug is said to be one: no cycle, nothing weak about it', () => {
  const v = findVariant('gup-fast-vs-zap', 'no-pte-recheck')!;
  const r = check(v.program, { model: 'lkmm' });
  const w = r.violation!.explain()!;
  assert.equal(w.sc, true);
  assert.match(w.text[0]!, /sequentially consistent/);
  assert.equal(check(v.program, { model: 'sc' }).violation!.explain(), null, 'SC has no weak behaviour to explain');
});
