// peterson: Peterson's lock for 2 threads, release stores and acquire loads; the wait is a
// `__VERIFIER_assume(flag_other != 1 || turn != me)` whose `||` short-circuits (turn is read
// only when the other flag is 1). The critical section stores x and reloads it (GenMC has the
// assert commented out). main joins both threads. peterson-sc.ts is the seq_cst twin.
// GenMC: tests/correct/synthetic/peterson/{peterson.c,variants/peterson0.c}.
import { defineProgram, type Program } from '../../engine/program.ts';
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../engine/ops.ts';

/** Peterson's lock as GenMC writes it, with the given store and load modes. */
export function peterson(name: string, description: string, st: Mode, ld: Mode): Program {
  return defineProgram({
    name,
    description,
    params: {},
    setup(b) {
      const flag1 = b.loc('flag1');
      const flag2 = b.loc('flag2');
      const turn = b.loc('turn');
      const x = b.loc('x');
      // thread_1 sets turn = 1 and waits while flag2 == 1 && turn == 1; thread_2 uses turn = 0.
      const body = (me: Loc, other: Loc, myTurn: number, mine: number) => function* (t: Ctx): ThreadGen<void> {
        yield t.store(me, 1, st);
        yield t.store(turn, myTurn, st);
        yield t.assume((yield t.load(other, ld)) !== 1 || (yield t.load(turn, ld)) !== myTurn);
        yield t.store(x, mine, st); // critical section
        yield t.load(x, ld);
        yield t.store(me, 0, st);
      };
      b.thread('thread_1', body(flag1, flag2, 1, 0));
      b.thread('thread_2', body(flag2, flag1, 0, 1));
    },
  });
}

export default peterson(
  'peterson',
  "Peterson's 2-thread lock with release/acquire accesses and an assume-wait (GenMC tests/correct/synthetic/peterson)",
  Mode.Release,
  Mode.Acquire,
);
