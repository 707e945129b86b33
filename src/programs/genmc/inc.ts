// inc(N): thread i (i = 0..N-1) does r = load_rlx(x); store_rel(x, r + (1 << i)).
// main does not join. GenMC: tests/correct/synthetic/inc/{inc.c,variants/inc0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'inc',
  description: 'N threads: r = x; x = r + (1 << i), a non-atomic increment (GenMC tests/correct/synthetic/inc)',
  params: { N: { default: 3, min: 1, max: 30 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const idx = idxArray(b, N);
    for (let i = 0; i < N; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        const v = 1 << (yield t.load(idx[i]!, Mode.Plain)); // int r, v = 1 << *((int *) arg);
        const r = yield t.load(x, Mode.Relaxed);
        yield t.store(x, r + v, Mode.Release);
      });
    }
  },
});
