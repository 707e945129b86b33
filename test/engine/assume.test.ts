// A failed assertion is a violation even when, in the same execution, another thread's assume()
// failed: the assume may only have failed because the asserting thread stopped before doing
// what the other thread waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { defineProgram } from '../../src/engine/program.ts';
import type { Ctx } from '../../src/engine/ops.ts';

test('an assertion that fails before the write another thread assume()s is still reported', () => {
  const p = defineProgram({
    name: 'assert-before-publish',
    setup(b) {
      const x = b.loc('x'), done = b.loc('done');
      b.thread('A', function* (t: Ctx) {
        const v = yield t.load(x);
        yield t.assert(v === 0, 'A saw x = 1');
        yield t.store(done, 1);
      });
      b.thread('B', function* (t: Ctx) {
        yield t.store(x, 1);
        const d = yield t.load(done);
        yield t.assume(d === 1); // only executions where A published
      });
    },
  });
  const r = check(p);
  assert.equal(r.verdict, 'violation');
  assert.equal(r.violation!.message, 'A saw x = 1');
});
