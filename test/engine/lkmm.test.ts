// The LKMM as an engine model for scenarios: classic shapes against herd7's verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, defineProgram, Mode, ModelError } from '../../src/engine/index.ts';

const sb = (fence: boolean) => defineProgram({
  name: 'SB', setup(b) {
    const x = b.loc('x'), y = b.loc('y');
    b.thread('P0', function* (t) { yield t.store(x, 1); if (fence) yield t.fence('mb'); const r = yield t.load(y); return r; });
    b.thread('P1', function* (t) { yield t.store(y, 1); if (fence) yield t.fence('mb'); const r = yield t.load(x); return r; });
    b.final((s) => (s.result(0) === 0 && s.result(1) === 0 ? 'both read 0' : null));
  },
});

const mp = (writer: 'po' | 'wmb' | 'release', reader: 'po' | 'addr' | 'acquire' | 'rmb') => defineProgram({
  name: `MP+${writer}+${reader}`, setup(b) {
    const x = b.loc('x'), y = b.loc('y');
    b.thread('P0', function* (t) {
      yield t.store(x, 1);
      if (writer === 'wmb') yield t.fence('wmb');
      yield t.store(y, 1, writer === 'release' ? Mode.Release : Mode.Once);
    });
    b.thread('P1', function* (t) {
      const f = yield t.load(y, reader === 'acquire' ? Mode.Acquire : Mode.Once);
      if (reader === 'rmb') yield t.fence('rmb');
      if (reader === 'addr') t.depends('addr', y);
      const d = yield t.load(x);
      yield t.assert(!(f === 1 && d === 0), 'flag seen, data not');
    });
  },
});

test('SB: allowed without barriers (4 executions), forbidden with smp_mb (3)', () => {
  const a = check(sb(false), { model: 'lkmm' });
  assert.equal(a.verdict, 'violation');
  const b = check(sb(true), { model: 'lkmm' });
  assert.equal(b.verdict, 'ok');
  assert.equal(b.executions, 3);
  assert.equal(check(sb(false), { model: 'tso' }).verdict, 'violation');
  assert.equal(check(sb(false), { model: 'sc' }).verdict, 'ok');
});

test('MP: needs ordering on both sides; an address dependency orders the reader', () => {
  const v = (w: 'po' | 'wmb' | 'release', r: 'po' | 'addr' | 'acquire' | 'rmb') => check(mp(w, r), { model: 'lkmm' }).verdict;
  assert.equal(v('po', 'po'), 'violation');
  assert.equal(v('wmb', 'po'), 'violation');
  assert.equal(v('po', 'acquire'), 'violation');
  assert.equal(v('wmb', 'rmb'), 'ok');
  assert.equal(v('wmb', 'addr'), 'ok');
  assert.equal(v('release', 'acquire'), 'ok');
  assert.equal(v('release', 'addr'), 'ok');
  // SC and TSO never reorder these: the dependency annotation changes nothing there.
  assert.equal(check(mp('po', 'po'), { model: 'tso' }).verdict, 'ok');
});

test('R+fencembonceonces counts 3 executions, as herd7 does (docs/design/exploration.md §7.3)', () => {
  const p = defineProgram({ name: 'R', setup(b) {
    const x = b.loc('x'), y = b.loc('y');
    b.thread('P0', function* (t) { yield t.store(x, 1); yield t.fence('mb'); yield t.store(y, 1); });
    b.thread('P1', function* (t) { yield t.store(y, 2); yield t.fence('mb'); yield t.load(x); });
  } });
  assert.equal(check(p, { model: 'lkmm' }).executions, 3);
  assert.equal(check(p, { model: 'sc' }).executions, 3);
  assert.equal(check(p, { model: 'tso' }).executions, 3);
});

test('racing plain accesses raise the LKMM data-race flag; marked accesses do not', () => {
  const race = (mode: typeof Mode.Plain | typeof Mode.Once) => defineProgram({ name: 'race', setup(b) {
    const x = b.loc('x');
    b.thread('P0', function* (t) { yield t.store(x, 1, mode); });
    b.thread('P1', function* (t) { yield t.load(x, mode); });
  } });
  assert.deepEqual(check(race(Mode.Plain), { model: 'lkmm' }).flags, ['data-race']);
  assert.deepEqual(check(race(Mode.Once), { model: 'lkmm' }).flags, []);
  assert.deepEqual(check(race(Mode.Plain), { model: 'sc' }).flags, []);
});

/**
 * Message passing whose reader throws when it sees the flag without the data. With release and
 * acquire that happens only in prefixes the LKMM rejects (the explorer builds them and checks
 * the full model at leaves); without, in executions the LKMM allows.
 */
const mpThrows = (ordered: boolean) => defineProgram({
  name: `MP-throws${ordered ? '+rel+acq' : ''}`, setup(b) {
    const data = b.loc('data'), flag = b.loc('flag');
    b.thread('P0', function* (t) { yield t.store(data, 1); yield t.store(flag, 1, ordered ? Mode.Release : Mode.Once); });
    b.thread('P1', function* (t) {
      const f = yield t.load(flag, ordered ? Mode.Acquire : Mode.Once);
      if (f === 1) {
        const d = yield t.load(data);
        if (d !== 1) throw new Error('flag without data');
      }
    });
  },
});

test('issue 12: a body that throws only in prefixes the LKMM rejects is not the user\'s error; in an allowed execution it is', () => {
  const r = check(mpThrows(true), { model: 'lkmm' });
  assert.equal(r.verdict, 'ok');
  assert.equal(r.executions, 2);
  assert.ok(r.rejected >= 1, 'the prefix where the body threw is counted as rejected');
  // The same exception in an execution the LKMM allows is the model's error, reported as such.
  assert.throws(() => check(mpThrows(false), { model: 'lkmm' }), (e: Error) => e instanceof ModelError && /thread P1 threw: flag without data/.test(e.message));
  // SC and TSO never build such a prefix.
  assert.equal(check(mpThrows(true), { model: 'sc' }).verdict, 'ok');
  assert.equal(check(mpThrows(true), { model: 'tso' }).verdict, 'ok');
  // Random sampling drops such a run too, and draws another in its place.
  for (const sampler of ['pct', 'random'] as const) {
    const sampled = check(mpThrows(true), { model: 'lkmm', random: { samples: 50, seed: 3, sampler } });
    assert.equal(sampled.verdict, 'bounded');
    assert.ok(sampled.rejected > 0, `${sampler}: some samples built the rejected prefix`);
    assert.equal(sampled.executions, 50);
    assert.equal(sampled.sample?.draws, sampled.executions + sampled.blocked + sampled.rejected);
  }
});

test('spawn and join order under the LKMM as thread creation and join do', () => {
  // The parent's store before the spawn is seen by the child; the child's store is seen by the
  // parent after the join. Before spawn and join were synchronization in the LKMM translation,
  // the LKMM let the parent read its own older store after the join (a false violation).
  const p = defineProgram({
    name: 'spawn-join', setup(b) {
      const x = b.loc('x');
      b.thread('P', function* (t) {
        yield t.store(x, 1);
        const c = yield t.spawn(function* (u) {
          const v = yield u.load(x);
          yield u.assert(v === 1, 'the child reads what the parent stored before the spawn');
          yield u.store(x, 2);
        }, 'child');
        yield t.join(c);
        const v = yield t.load(x);
        yield t.assert(v === 2, `after join read ${v}`);
      });
    },
  });
  for (const model of ['sc', 'tso', 'lkmm']) {
    const r = check(p, { model });
    assert.equal(r.verdict, 'ok', `${model}: ${r.violation?.message}`);
    assert.equal(r.executions, 1, model);
  }
});
