// kfree() and kfree_rcu() (src/kernel/mm/slab_common.ts) on an object of the program: a reader
// that found the object's pointer inside rcu_read_lock() may use it after the updater cleared the
// pointer and queued kfree_rcu(), but not after a plain kfree(); and kfree_rcu() does not hold up
// the caller until the grace period ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { defineProgram } from '../../src/engine/program.ts';
import type { Ctx } from '../../src/engine/ops.ts';
import { Cpus } from '../../src/kernel/cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../../src/kernel/include/linux/rcupdate.ts';
import { kfree, kfree_rcu } from '../../src/kernel/mm/slab_common.ts';

/** CPU0 reads `p` and, if set, the object's field inside rcu_read_lock(); CPU1 clears `p`, then frees. */
function readerVsFree(free: 'kfree' | 'kfree_rcu', after?: 'flag') {
  return defineProgram({
    name: `reader-vs-${free}`,
    setup(b) {
      const cpus = new Cpus(b, 2);
      const f = b.loc('obj.f', 42);
      b.object('test-obj', 'obj', { f });
      const p = b.loc('p', 1);
      const flag = b.loc('flag', 0);
      b.thread('CPU0', function* (t: Ctx) {
        yield* rcu_read_lock(t, cpus.cpu[0]);
        if (yield t.load(p)) {
          t.depends('addr', p);
          yield t.load(f);
        }
        yield* rcu_read_unlock(t, cpus.cpu[0]);
      });
      b.thread('CPU1', function* (t: Ctx) {
        yield t.store(p, 0);
        if (free === 'kfree') yield* kfree(t, [f]);
        else yield* kfree_rcu(t, cpus, cpus.cpu[1], [f]);
        if (after === 'flag') yield t.store(flag, 1);
      });
      if (after === 'flag') {
        // A third thread: once CPU1 is past kfree_rcu(), is the object possibly still allocated?
        b.thread('CPU2 observer', function* (t: Ctx) {
          if ((yield t.load(flag)) === 1) {
            t.mayBeFreed();
            return yield t.load(f);
          }
          return -1;
        });
        b.final((s) => { if (s.result(2) === 42) seenAlive.add('alive'); });
      }
    },
  });
}
const seenAlive = new Set<string>();

test('kfree() while an RCU reader may still hold the pointer is a use-after-free, reported at the read', () => {
  const r = check(readerVsFree('kfree'));
  assert.equal(r.verdict, 'violation');
  assert.match(r.violation?.message ?? '', /use-after-free: CPU0 reads obj\.f; obj was freed by CPU1 in kfree/);
});

test('kfree_rcu() frees only after the readers that could have found the pointer', () => {
  const r = check(readerVsFree('kfree_rcu'));
  assert.equal(r.verdict, 'ok', r.violation?.message);
  assert.equal(r.cutBy, null);
});

test('kfree_rcu() returns before the grace period: the caller goes on while the object is still allocated', () => {
  seenAlive.clear();
  const r = check(readerVsFree('kfree_rcu', 'flag'));
  assert.equal(r.verdict, 'ok', r.violation?.message);
  assert.ok(seenAlive.has('alive'), 'some execution sees the caller past kfree_rcu() with the object not yet freed');
});
