// lastzero(N): a reader scans array[N..0] for the last zero while N writers each copy
// array[j-1]+1 into array[j]. The reader's loop depends on the values it reads (it stops at the
// first zero; array[0] is never written, so it always terminates). main does not join.
// GenMC: tests/correct/synthetic/lastzero/{lastzero.c,variants/lastzero0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'lastzero',
  description: 'reader looks for the last zero of array[0..N] while N writers set array[j] = array[j-1]+1 (GenMC tests/correct/synthetic/lastzero)',
  params: { N: { default: 5, min: 1, max: 64 } },
  setup(b, { N }) {
    const array = b.array('array', N + 1);
    const idx = idxArray(b, N + 1); // int idx[N+1]; main: idx[i] = i before creating thread i
    b.thread('thread_reader', function* (t) {
      for (let i = N; (yield t.load(array[i]!, Mode.Acquire)) !== 0; i--);
    });
    for (let j = 1; j <= N; j++) {
      b.thread(`thread_writer${j}`, function* (t) {
        const jj = yield t.load(idx[j]!, Mode.Plain);
        const v = yield t.load(array[jj - 1]!, Mode.Acquire);
        yield t.store(array[jj]!, v + 1, Mode.Release);
      });
    }
  },
});
