// fib_bench: x = y = 1; thread_1 does NUM times {a = x; b = y; x = a + b}, thread_2 the same
// into y, thread_3 fails if x > 144 or y > 144 (the `||` short-circuits: y is read only when
// x <= 144). Acquire loads, release stores; main does not join. With NUM = 5 the largest value
// reachable is 144, so the assertion holds.
// GenMC: tests/correct/synthetic/fib_bench/{fib_bench.c,variants/fib_bench0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';

export default defineProgram({
  name: 'fib_bench',
  description: 'two threads grow x and y Fibonacci-style NUM times, a third checks both stay <= 144 (GenMC tests/correct/synthetic/fib_bench)',
  params: { NUM: { default: 5, min: 1, max: 20 } },
  setup(b, { NUM }) {
    const x = b.loc('x', 1);
    const y = b.loc('y', 1);
    b.thread('thread_1', function* (t) {
      for (let i = 0; i < NUM; i++) {
        const px = yield t.load(x, Mode.Acquire);
        const py = yield t.load(y, Mode.Acquire);
        yield t.store(x, px + py, Mode.Release);
      }
    });
    b.thread('thread_2', function* (t) {
      for (let i = 0; i < NUM; i++) {
        const px = yield t.load(x, Mode.Acquire);
        const py = yield t.load(y, Mode.Acquire);
        yield t.store(y, px + py, Mode.Release);
      }
    });
    b.thread('thread_3', function* (t) {
      if ((yield t.load(x, Mode.Acquire)) > 144 || (yield t.load(y, Mode.Acquire)) > 144) {
        yield t.assert(false, 'x or y exceeds 144');
      }
    });
  },
});
