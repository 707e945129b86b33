// casw(N): thread i (i = 0..N-1) does a relaxed strong CAS(x, 0, 1), then a release store
// x = i + 3. main does not join. GenMC: tests/correct/synthetic/casw/{casw.c,variants/casw0.c}
// (its sc runs use -disable-ipr -disable-sr).
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'casw',
  description: 'N threads: CAS(x, 0, 1); x = i + 3 (GenMC tests/correct/synthetic/casw)',
  params: { N: { default: 2, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const idx = idxArray(b, N);
    for (let i = 0; i < N; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        const val = yield t.load(idx[i]!, Mode.Plain); // int r = 0, val = *((int *) arg);
        yield t.cmpxchg(x, 0, 1, Mode.Relaxed);
        yield t.store(x, val + 3, Mode.Release);
      });
    }
  },
});
