// Builder.quietSteps(): scaffolding steps are left out of printed traces, counted in a footer,
// and still explored and replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, replay } from '../../src/engine/index.ts';
import { defineProgram } from '../../src/engine/program.ts';
import type { Ctx, ThreadGen } from '../../src/engine/ops.ts';

const prog = (quiet: boolean) => defineProgram({
  name: 'quiet',
  setup(b) {
    const x = b.loc('x'), scaffold = b.loc('scaffold');
    if (quiet) b.quietSteps('(bracket)', 'bookkeeping');
    const bracket = (t: Ctx) => t.call('(bracket)', (function* (): ThreadGen<void> { yield t.fetchAdd(scaffold, 1); })());
    b.thread('A', function* (t: Ctx) { yield* bracket(t); yield t.store(x, 1); yield* bracket(t); });
    b.thread('B', function* (t: Ctx) { const v = yield t.load(x); yield t.assert(v === 0, 'B saw x = 1'); });
  },
});

test('quiet steps are left out of the printed trace and counted; the schedule still replays', () => {
  const loud = check(prog(false));
  const quiet = check(prog(true));
  assert.equal(quiet.executions + quiet.blocked, loud.executions + loud.blocked, 'same exploration');
  assert.match(loud.violation!.trace, /\(bracket\): /);
  assert.doesNotMatch(quiet.violation!.trace, /\(bracket\)[^ ]/);
  assert.match(quiet.violation!.trace, /\(2 steps of \(bracket\) not shown: bookkeeping\)/);
  assert.equal(quiet.violation!.schedule, loud.violation!.schedule);
  const r = replay(prog(true), quiet.violation!.schedule);
  assert.equal(r.divergence, null);
  assert.match(r.violation!.message, /B saw x = 1/);
});
