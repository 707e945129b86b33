// casrot(N): thread k (k = 1..N) does CAS(x, k-1, k); the successful CASes form a chain from 0.
// GenMC's CAS is relaxed (strong). main does not join.
// GenMC: tests/correct/synthetic/casrot/{casrot.c,variants/casrot0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'casrot',
  description: 'thread k does CAS(x, k-1, k), k = 1..N (GenMC tests/correct/synthetic/casrot)',
  params: { N: { default: 2, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const idx = idxArray(b, N, (i) => i + 1); // main: idx[i-1] = i, i = 1..N
    for (let k = 1; k <= N; k++) {
      b.thread(`thread_n${k}`, function* (t) {
        const nv = yield t.load(idx[k - 1]!, Mode.Plain); // int new = *((int *) arg);
        yield t.cmpxchg(x, nv - 1, nv, Mode.Relaxed);
      });
    }
  },
});
