// Spawned threads keep one tid in every graph and in replay, whatever their parent's RMWs wrote
// before the spawn; their counterexamples print and replay under every model (issue 12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, defineProgram, replay, type Program } from '../../src/engine/index.ts';
import { Explorer } from '../../src/engine/explore.ts';
import { instantiate } from '../../src/engine/program.ts';
import { getModel } from '../../src/engine/models/index.ts';
import { EvKind } from '../../src/engine/graph.ts';
import { signature } from './signature.ts';
import { scheduleFor } from '../../src/engine/trace.ts';

const MODELS = ['sc', 'tso', 'lkmm'];

/** Issue 12 (1): T0 stores x=1; T1 spawns a child that stores x=2; x ending 1 is the violation. */
const finalSpawn = defineProgram({
  name: 'spawn-final',
  setup(b) {
    const x = b.loc('x');
    b.thread('T0', function* (t) { yield t.store(x, 1); });
    b.thread('T1', function* (t) { yield t.spawn(function* (c) { yield c.store(x, 2); }, 'child'); });
    b.final((s) => (s.value(x) === 1 ? 'x ends 1' : null));
  },
});

/**
 * Issue 12 (2): T0 waits for x==1; T1's cmpxchg(y,0,1) succeeds or fails (T2 stores y=2), then it
 * spawns and joins an empty child and stores x=1 only if the cmpxchg succeeded.
 */
const deadlockSpawn = defineProgram({
  name: 'spawn-deadlock',
  setup(b) {
    const x = b.loc('x'), y = b.loc('y');
    b.thread('T0', function* (t) { yield t.await(x, (v) => v === 1); });
    b.thread('T1', function* (t) {
      const old = yield t.cmpxchg(y, 0, 1);
      const c = yield t.spawn(function* () { /* empty */ }, 'child');
      yield t.join(c);
      if (old === 0) yield t.store(x, 1);
    });
    b.thread('T2', function* (t) { yield t.store(y, 2); });
  },
});

/** Every violating execution's schedule replays to the same graph and the same violation. */
function allViolationsReplay(p: Program, model: string): number {
  const r = check(p, { model, allViolations: true });
  assert.equal(r.verdict, 'violation', `${p.name} under ${model}`);
  let n = 0;
  for (const c of r.violations ?? []) {
    const v = c.first;
    const rp = replay(p, v.schedule, { model });
    assert.equal(rp.divergence, null, `${p.name} ${model}: ${v.schedule}`);
    assert.equal(rp.violation?.message, v.message);
    assert.equal(signature(rp.graph), signature(v.graph));
    // The trace names only threads of this execution.
    for (const e of v.order) assert.ok(v.graph.exists(e.tid));
    n++;
  }
  return n;
}

test('issue 12 (1): a final-state violation with a spawned writer is reported and replays under sc, tso and lkmm', () => {
  for (const model of MODELS) {
    const r = check(finalSpawn, { model });
    assert.equal(r.verdict, 'violation', model);
    assert.equal(r.violation?.message, 'x ends 1');
    assert.match(r.violation!.trace, /T0:\s+T1:\s+child:/);
    assert.equal(allViolationsReplay(finalSpawn, model), 1);
  }
});

test('issue 12 (2): a deadlock after a failed cmpxchg and a spawn/join names real threads and replays', () => {
  for (const model of MODELS) {
    const r = check(deadlockSpawn, { model });
    assert.equal(r.verdict, 'violation', model);
    assert.equal(r.violation?.property, 'deadlock');
    assert.match(r.violation!.message, /^every unfinished thread is blocked: T0 waits for a value that never comes at x/);
    const rp = replay(deadlockSpawn, r.violation!.schedule, { model });
    assert.equal(rp.divergence, null);
    assert.equal(rp.violation?.message, r.violation!.message);
    assert.equal(signature(rp.graph), signature(r.violation!.graph));
    allViolationsReplay(deadlockSpawn, model);
  }
});

test('a spawned thread has the same tid in every graph, whether or not its parent\'s cmpxchg wrote', () => {
  const inst = instantiate(deadlockSpawn);
  const tids = new Set<number>();
  const idxs = new Set<number>();
  new Explorer(inst, {
    model: getModel('sc'), keepGoing: true,
    onLeaf: (g) => {
      for (const e of g.threads[1]) if (e.kind === EvKind.Spawn) { tids.add(e.val); idxs.add(e.idx); }
    },
  }).run();
  assert.deepEqual([...idxs].sort(), [1, 2], 'the spawn event sits at two indices (after an RMW with and without a write part)');
  assert.deepEqual([...tids], [3], 'one tid for the child');
});

test('a child runs the body its own parent prefix spawned (closures capture what the parent read)', () => {
  // The child stores what its parent read: in every execution y ends equal to the value read.
  const p = defineProgram({
    name: 'capture',
    setup(b) {
      const x = b.loc('x'), y = b.loc('y', 9);
      b.thread('W', function* (t) { yield t.store(x, 1); yield t.store(x, 2); });
      b.thread('P', function* (t) {
        const v = yield t.load(x);
        const c = yield t.spawn(v === 1 ? function* (k) { yield k.store(y, 10 + v); } : function* (k) { yield k.store(y, 20 + v); }, v === 1 ? 'one' : 'other');
        yield t.join(c);
        return v;
      });
      b.final((s) => {
        const v = s.result(1) as number;
        const want = (v === 1 ? 10 : 20) + v;
        return s.value(y) === want ? null : `read ${v}, child stored ${s.value(y)}`;
      });
    },
  });
  for (const model of MODELS) {
    const r = check(p, { model });
    assert.equal(r.verdict, 'ok', `${model}: ${r.violation?.message}`);
    assert.equal(r.executions, 3);
  }
});

test('two spawning parents: the exploration\'s tids are replayed even when the spawns come in the other order', () => {
  const p = defineProgram({
    name: 'two-parents',
    setup(b) {
      // A spawns first in the first graph explored; when A reads b's flag, B's spawn comes first.
      const x = b.loc('x'), f = b.loc('f');
      b.thread('A', function* (t) {
        yield t.load(f);
        yield t.spawn(function* (c) { yield c.store(x, 1); }, 'a');
      });
      b.thread('B', function* (t) { yield t.spawn(function* (c) { yield c.store(f, 1); yield c.store(x, 2); }, 'b'); });
      b.final((s) => (s.value(x) === 1 ? 'x ends 1' : null));
    },
  });
  for (const model of MODELS) allViolationsReplay(p, model);
  // Every leaf's schedule replays to the same graph, tids included; some need explicit ids.
  for (const model of MODELS) {
    const inst = instantiate(p);
    const m = getModel(model);
    const leaves: { sig: string; schedule: string }[] = [];
    new Explorer(inst, {
      model: m, keepGoing: true,
      onLeaf: (g) => { const c = g.clone(); leaves.push({ sig: signature(c), schedule: scheduleFor(inst, m, c).schedule }); },
    }).run();
    assert.ok(leaves.length >= 2, model);
    for (const l of leaves) {
      const r = replay(p, l.schedule, { model });
      assert.equal(r.divergence, null, `${model}: ${l.schedule}`);
      assert.equal(signature(r.graph), l.sig, `${model}: ${l.schedule}`);
    }
    assert.ok(leaves.some((l) => /(^|\.)[01]~\d/.test(l.schedule)), `${model}: no schedule numbers a spawned thread explicitly: ${leaves.map((l) => l.schedule).join(' ')}`);
  }
});
