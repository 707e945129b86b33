// readers(N): one release store of x, N acquire loads of it. main joins every thread (that adds
// no executions). Each reader first reads its argument, which points into `atomic_int idx[N+1]`
// (main does atomic_init(&idx[i], i) before creating any thread).
// GenMC: tests/correct/synthetic/readers/{readers.c,variants/readers0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'readers',
  description: 'one writer, N readers of x (GenMC tests/correct/synthetic/readers)',
  params: { N: { default: 2, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const idx = idxArray(b, N + 1);
    b.thread('thread_writer', function* (t) {
      yield t.store(x, 42, Mode.Release);
    });
    for (let i = 1; i <= N; i++) {
      b.thread(`thread_reader${i}`, function* (t) {
        yield t.load(idx[i - 1]!, Mode.Plain); // int r = *((int *) arg);
        yield t.load(x, Mode.Acquire);
      });
    }
  },
});
