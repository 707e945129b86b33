// big2: thread_one loads x y z x y, thread_two loads x y z x, thread_three stores x y z = 1 then
// x y z = 2, thread_four x y z = 3 then x y z = 4. Acquire loads, release stores; main does not
// join (GenMC's big2.c also declares a w that nobody uses). A throughput benchmark (5.3 M SC
// executions). GenMC: tests/correct/synthetic/big2/{big2.c,variants/big20r.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../engine/ops.ts';

export default defineProgram({
  name: 'big2',
  description: 'two readers (5 and 4 loads) against two writers of 6 stores each to x, y, z (GenMC tests/correct/synthetic/big2)',
  params: {},
  setup(b) {
    const x = b.loc('x');
    const y = b.loc('y');
    const z = b.loc('z');
    const reader = (locs: Loc[]) => function* (t: Ctx): ThreadGen<void> {
      for (const l of locs) yield t.load(l, Mode.Acquire);
    };
    const writer = (first: number) => function* (t: Ctx): ThreadGen<void> {
      for (let v = first; v <= first + 1; v++) {
        yield t.store(x, v, Mode.Release);
        yield t.store(y, v, Mode.Release);
        yield t.store(z, v, Mode.Release);
      }
    };
    b.thread('thread_one', reader([x, y, z, x, y]));
    b.thread('thread_two', reader([x, y, z, x]));
    b.thread('thread_three', writer(1));
    b.thread('thread_four', writer(3));
  },
});
