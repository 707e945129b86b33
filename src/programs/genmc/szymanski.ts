// szymanski: Szymanski's mutual exclusion for 2 threads, N rounds (GenMC's default N = 1), with
// relaxed accesses and a seq_cst fence after every flag store; waits are `__VERIFIER_assume`s
// (an `||` in one of them short-circuits, so its second load happens only when the first fails).
// The critical section writes x and asserts on a re-read of it. main joins both threads.
// GenMC: tests/correct/synthetic/szymanski/{szymanski.c,variants/szymanski0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../engine/ops.ts';

export default defineProgram({
  name: 'szymanski',
  description: "Szymanski's 2-thread mutual exclusion with SC fences and assume-waits (GenMC tests/correct/synthetic/szymanski)",
  params: { N: { default: 1, min: 1, max: 8 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const flag1 = b.loc('flag1');
    const flag2 = b.loc('flag2');
    const R = Mode.Relaxed;
    const body = (me: Loc, other: Loc, mine: number) => function* (t: Ctx): ThreadGen<void> {
      for (let i = 0; i < N; i++) {
        yield t.store(me, 1, R);
        yield t.fence('mb');
        yield t.assume((yield t.load(other, R)) < 3);

        yield t.store(me, 3, R);
        yield t.fence('mb');
        if ((yield t.load(other, R)) === 1) {
          yield t.store(me, 2, R);
          yield t.fence('mb');
          yield t.assume((yield t.load(other, R)) === 4);
        }

        yield t.store(me, 4, R);
        yield t.fence('mb');
        yield t.assume((yield t.load(other, R)) < 2);

        // critical section
        yield t.store(x, mine, R);
        yield t.load(x, R);
        const v = yield t.load(x, R);
        if (mine === 0) yield t.assert(v <= 0, `thread_1 saw x = ${v} in its critical section`);
        else yield t.assert(v >= 1, `thread_2 saw x = ${v} in its critical section`);
        yield t.fence('mb');

        yield t.assume(2 > (yield t.load(other, R)) || (yield t.load(other, R)) > 3);
        yield t.store(me, 0, R);
      }
    };
    b.thread('thread_1', body(flag1, flag2, 0));
    b.thread('thread_2', body(flag2, flag1, 1));
  },
});
