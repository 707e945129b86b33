// peterson-sc: Peterson's lock for 2 threads with seq_cst accesses; the wait is a
// `__VERIFIER_assume(flag_other != 1 || turn != me)` whose `||` short-circuits (turn is read
// only when the other flag is 1). The critical section stores x and reloads it (GenMC has the
// assert commented out). main joins both threads.
// GenMC: tests/correct/synthetic/peterson-sc/{peterson.c,variants/peterson0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../engine/ops.ts';

export default defineProgram({
  name: 'peterson-sc',
  description: "Peterson's 2-thread lock with seq_cst accesses and an assume-wait (GenMC tests/correct/synthetic/peterson-sc)",
  params: {},
  setup(b) {
    const flag1 = b.loc('flag1');
    const flag2 = b.loc('flag2');
    const turn = b.loc('turn');
    const x = b.loc('x');
    const S = Mode.Mb; // memory_order_seq_cst
    // thread_1 sets turn = 1 and waits while flag2 == 1 && turn == 1; thread_2 uses turn = 0.
    const body = (me: Loc, other: Loc, myTurn: number, mine: number) => function* (t: Ctx): ThreadGen<void> {
      yield t.store(me, 1, S);
      yield t.store(turn, myTurn, S);
      yield t.assume((yield t.load(other, S)) !== 1 || (yield t.load(turn, S)) !== myTurn);
      yield t.store(x, mine, S);
      yield t.load(x, S);
      yield t.store(me, 0, S);
    };
    b.thread('thread_1', body(flag1, flag2, 1, 0));
    b.thread('thread_2', body(flag2, flag1, 0, 1));
  },
});
