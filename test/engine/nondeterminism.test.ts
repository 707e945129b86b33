// A thread body that behaves differently on the same values (state kept outside the engine) is
// reported as nondeterministic, naming the line of the yield that differs (issue 12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check, defineProgram, ModelError, type Program } from '../../src/engine/index.ts';
import { NondeterminismError } from '../../src/engine/runtime.ts';

const here = fileURLToPath(import.meta.url);

/** The line of this file where `marker` is written. */
function lineOf(marker: string): number {
  return readFileSync(here, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
}

function nondet(p: Program, marker: string, model = 'sc'): void {
  assert.throws(() => check(p, { model }), (e: unknown) => {
    assert.ok(e instanceof NondeterminismError, String(e));
    assert.ok(e instanceof ModelError);
    assert.match(e.message, /the model is nondeterministic at thread /);
    const stack = String((e.original as Error | undefined)?.stack ?? '');
    assert.ok(stack.includes(`${here}:${lineOf(marker)}:`), `the site names ${marker} (line ${lineOf(marker)}): ${stack}`);
    return true;
  }, p.name);
}

test('a module-level counter that changes a stored value is caught (it passed as "OK: 2 executions")', () => {
  let n = 0;
  const p = defineProgram({
    name: 'counter-store',
    setup(b) {
      const x = b.loc('x');
      b.thread('T0', function* (t) { n++; yield t.store(x, n); /* @store */ });
      b.thread('T1', function* (t) { yield t.load(x); });
    },
  });
  for (const model of ['sc', 'tso', 'lkmm']) nondet(p, '/* @store */', model);
});

test('a counter that changes a branch, an RMW operand or a fence is caught', () => {
  let a = 0, c = 0, d = 0;
  const branch = defineProgram({
    name: 'counter-branch',
    setup(b) {
      const x = b.loc('x'), y = b.loc('y');
      b.thread('T0', function* (t) {
        yield t.load(y);
        if (a++ % 2 === 0) yield t.store(x, 1); /* @branch */
        else yield t.store(y, 1);
      });
      b.thread('T1', function* (t) { yield t.store(y, 2); });
    },
  });
  nondet(branch, '/* @branch */');
  const rmw = defineProgram({
    name: 'counter-rmw',
    setup(b) {
      const x = b.loc('x');
      b.thread('T0', function* (t) { yield t.fetchAdd(x, ++c); /* @rmw */ });
      b.thread('T1', function* (t) { yield t.load(x); });
    },
  });
  nondet(rmw, '/* @rmw */');
  const fence = defineProgram({
    name: 'counter-fence',
    setup(b) {
      const x = b.loc('x');
      b.thread('T0', function* (t) { yield t.store(x, 1); yield t.fence(d++ === 0 ? 'mb' : 'wmb'); /* @fence */ });
      b.thread('T1', function* (t) { yield t.load(x); });
    },
  });
  nondet(fence, '/* @fence */');
});

test('a body that depends only on the values it is given is never flagged', () => {
  const p = defineProgram({
    name: 'deterministic',
    setup(b) {
      const x = b.loc('x'), y = b.loc('y');
      b.thread('T0', function* (t) { const v = yield t.load(y); yield t.store(x, v + 1); yield t.fetchAdd(y, v); });
      b.thread('T1', function* (t) { yield t.store(y, 2); const v = yield t.load(x); if (v) yield t.fence('wmb'); });
    },
  });
  for (const model of ['sc', 'tso', 'lkmm']) assert.equal(check(p, { model }).verdict, 'ok');
});
