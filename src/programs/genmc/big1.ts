// big1: thread_one loads x y z w x y z w, thread_two loads x y z w x y, thread_three stores
// x,y = 1,1, 2,2, 3,3 alternately, thread_four likewise to z,w. Acquire loads, release stores;
// main does not join. A throughput benchmark (1.8 M SC executions).
// GenMC: tests/correct/synthetic/big1/{big1.c,variants/big10.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../engine/ops.ts';

export default defineProgram({
  name: 'big1',
  description: 'two readers (8 and 6 loads) against two writers of 6 stores each (GenMC tests/correct/synthetic/big1)',
  params: {},
  setup(b) {
    const x = b.loc('x');
    const y = b.loc('y');
    const z = b.loc('z');
    const w = b.loc('w');
    const reader = (locs: Loc[]) => function* (t: Ctx): ThreadGen<void> {
      for (const l of locs) yield t.load(l, Mode.Acquire);
    };
    const writer = (a: Loc, c: Loc) => function* (t: Ctx): ThreadGen<void> {
      for (let v = 1; v <= 3; v++) {
        yield t.store(a, v, Mode.Release);
        yield t.store(c, v, Mode.Release);
      }
    };
    b.thread('thread_one', reader([x, y, z, w, x, y, z, w]));
    b.thread('thread_two', reader([x, y, z, w, x, y]));
    b.thread('thread_three', writer(x, y));
    b.thread('thread_four', writer(z, w));
  },
});
