// Under --model lkmm, scenario RCU is the LKMM's RCU (issue 10 point 5): rcu_read_lock() and
// rcu_read_unlock() are F[rcu-lock]/F[rcu-unlock] and order nothing by themselves, and
// synchronize_rcu() is one F[sync-rcu] whose grace-period guarantee linux-kernel.cat checks. The
// evidence: every RCU test of the litmus corpus (test/fixtures/litmus, SRCU aside) run as a
// scenario that calls the kernel model's rcu_read_lock()/synchronize_rcu() (litmus-as-scenario.ts)
// has the same executions as `mmcheck litmus` on the same file, restricted to the porf-acyclic
// ones the explorer builds: the same number and the same final states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compare, KernelRefuses, type Comparison } from './rcu-litmus-compare.ts';
import { Unsupported } from './litmus-as-scenario.ts';
import { check } from '../../src/engine/index.ts';
import { defineProgram } from '../../src/engine/program.ts';
import { Mode, type Ctx } from '../../src/engine/ops.ts';
import { Cpus } from '../../src/kernel/cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../../src/kernel/include/linux/rcupdate.ts';
import { synchronize_rcu } from '../../src/kernel/kernel/rcu/tree.ts';

const CORPUS = 'test/fixtures/litmus';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.litmus')) out.push(p);
  }
  return out;
}

/** The corpus's RCU tests: rcu_read_lock() or synchronize_rcu(), and no SRCU. */
const rcuTests = walk(CORPUS).filter((f) => {
  const t = readFileSync(f, 'utf8');
  return /rcu_read_lock|synchronize_rcu/.test(t) && !/srcu/i.test(t);
});

/** Some thread of the test calls synchronize_rcu() between its own rcu_read_lock() and rcu_read_unlock(). */
function syncInsideReader(text: string): boolean {
  const threads = text.split(/^exists/m)[0]!.split(/\bP\d+\s*\(/).slice(1);
  return threads.some((body) => {
    let depth = 0;
    for (const m of body.matchAll(/\b(rcu_read_lock|rcu_read_unlock|synchronize_rcu(?:_expedited)?)\s*\(/g)) {
      if (m[1] === 'rcu_read_lock') depth++;
      else if (m[1] === 'rcu_read_unlock') depth--;
      else if (depth > 0) return true;
    }
    return false;
  });
}

const same = (c: Comparison): void => {
  assert.equal(c.scenarioExecutions, c.litmusExecutions, `${c.name}: executions`);
  assert.deepEqual(c.scenarioStates, c.litmusStates, `${c.name}: final states`);
  assert.equal(c.scenarioVerdict, c.litmusPorfVerdict, `${c.name}: verdict`);
};

test('every RCU litmus test of the corpus, run as a scenario, has the executions `mmcheck litmus` has (porf-acyclic ones)', async () => {
  assert.ok(rcuTests.length >= 180, `${rcuTests.length} RCU tests in the corpus`);
  let compared = 0;
  const refused: string[] = [];
  for (const f of rcuTests) {
    try {
      same(await compare(f));
      compared++;
    } catch (e) {
      // synchronize_rcu() inside a reader: legal in a litmus test, I12 in kernel code.
      // The LKMM itself has no execution of such a test (herd7: "States 0"): its rcu axiom
      // forbids every one, as the kernel's grace period would never end.
      if (e instanceof KernelRefuses) { assert.equal(e.litmusExecutions, 0, f); refused.push(f); continue; }
      if (e instanceof Unsupported) assert.fail(`${f}: outside the translation (${e.message})`);
      throw e;
    }
  }
  // The refused ones are exactly the tests where a thread calls synchronize_rcu() inside its own
  // read-side section, read off the source independently of the translation; the generator of
  // those tests labels each of them "Result: DEADLOCK" (an RCU self-deadlock).
  const selfDeadlocks = rcuTests.filter((f) => syncInsideReader(readFileSync(f, 'utf8')));
  assert.deepEqual(refused, selfDeadlocks);
  for (const f of refused) assert.match(readFileSync(f, 'utf8'), /Result: DEADLOCK/, f);
  assert.ok(compared >= 170, `${compared} compared, ${refused.length} refused`);
});

const K = `${CORPUS}/kernel`;

test('RCU+sync+read and RCU+sync+free (deferred free): Never, as `mmcheck litmus` says', async () => {
  for (const f of [`${K}/Documentation/litmus-tests/rcu/RCU+sync+read.litmus`, `${K}/Documentation/litmus-tests/rcu/RCU+sync+free.litmus`]) {
    const c = await compare(f);
    same(c);
    assert.equal(c.litmusVerdict, 'Never');
    assert.equal(c.scenarioVerdict, 'Never');
  }
});

test('MP+onceassign+derefonce (publish with rcu_assign_pointer, read with rcu_dereference): Never', async () => {
  const c = await compare(`${K}/tools/memory-model/litmus-tests/MP+onceassign+derefonce.litmus`);
  same(c);
  assert.equal(c.scenarioVerdict, 'Never');
});

test("C-RomanPenyaev-list-rcu-rr (a reader's cached pointer vs the deferred free of a list element): Never", async () => {
  const c = await compare(`${CORPUS}/herdtools7/catalogue/linux/tests/C-RomanPenyaev-list-rcu-rr.litmus`);
  same(c);
  assert.equal(c.scenarioVerdict, 'Never');
});

test('rcu_read_unlock() is not a barrier: store buffering across it is an execution (C-RW-R1I+RW-R1I)', async () => {
  // P0: rcu_read_lock(); WRITE_ONCE(*x1, 1); rcu_read_unlock(); r1 = READ_ONCE(*x0); and P1
  // mirrored. With readers ordered like smp_mb() (before), both reads of 0 were not explored.
  const c = await compare(`${CORPUS}/paulmckrcu-litmus/auto/C-RW-R1I+RW-R1I.litmus`);
  same(c);
  assert.ok(c.scenarioStates.includes('0:r1=0; 1:r1=0'), c.scenarioStates.join(' | '));
});

test('the load-buffering RCU tests that rely on the LKMM allowing po ∪ rf cycles stay outside the fragment', async () => {
  // C-RW-R1+RW-R1: "Sometimes" only through load buffering, which the explorer does not build.
  const c = await compare(`${CORPUS}/paulmckrcu-litmus/auto/C-RW-R1+RW-R1.litmus`);
  same(c);
  assert.equal(c.litmusVerdict, 'Sometimes');
  assert.equal(c.litmusPorfVerdict, 'Never');
});

// RCU-deferred free with the engine's object lifetimes: the reader stops at a use-after-free
// inside its section, so the LKMM check sees that section unfinished. It is closed at the
// reader's last event (lkmm-graph.ts closeSections), so the cat's grace-period guarantee still
// rules the execution out when the updater waited for a grace period.
function deferredFree(wait: 'synchronize_rcu' | 'none' | 'reader-before-lock') {
  return defineProgram({
    name: `rcu-deferred-free-${wait}`,
    setup(b) {
      const cpus = new Cpus(b, 2);
      const obj = b.loc('obj.val', 7);
      b.object('obj', 'obj', { val: obj });
      const gp = b.loc('gp', 1); // 1: points to obj, 0: NULL
      b.thread('reader', function* (t: Ctx) {
        if (wait === 'reader-before-lock') {
          // The pointer read before the section: no grace period waits for this reader.
          const p = yield t.load(gp);
          yield* rcu_read_lock(t, cpus.cpu[0]);
          if (p) { t.depends('addr', gp); yield t.load(obj); }
        } else {
          yield* rcu_read_lock(t, cpus.cpu[0]);
          const p = yield t.load(gp); // rcu_dereference()
          if (p) { t.depends('addr', gp); yield t.load(obj); }
        }
        yield* rcu_read_unlock(t, cpus.cpu[0]);
      });
      b.thread('updater', function* (t: Ctx) {
        yield t.store(gp, 0, Mode.Release); // rcu_assign_pointer(gp, NULL)
        if (wait !== 'none') yield* synchronize_rcu(t, cpus, cpus.cpu[1]);
        yield t.free(obj); // kfree()
      });
    },
  });
}

test('RCU-deferred free: safe with synchronize_rcu() under every model; a use-after-free without it, or with the pointer read before rcu_read_lock()', () => {
  for (const model of ['sc', 'tso', 'lkmm']) {
    assert.equal(check(deferredFree('synchronize_rcu'), { model }).verdict, 'ok', model);
    assert.equal(check(deferredFree('none'), { model }).violation?.property, 'use-after-free', model);
    assert.equal(check(deferredFree('reader-before-lock'), { model }).violation?.property, 'use-after-free', model);
  }
});
