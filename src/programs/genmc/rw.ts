// rw(N): thread i (i = 0..N-1) does a relaxed load of x, then a release store x = i.
// main does not join. GenMC: tests/correct/synthetic/rw/{rw.c,variants/rw0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'rw',
  description: 'N threads: r = x; x = i (GenMC tests/correct/synthetic/rw)',
  params: { N: { default: 3, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const idx = idxArray(b, N);
    for (let i = 0; i < N; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        const v = yield t.load(idx[i]!, Mode.Plain); // int v = *((int *) arg);
        yield t.load(x, Mode.Relaxed);
        yield t.store(x, v, Mode.Release);
      });
    }
  },
});
