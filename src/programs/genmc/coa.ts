// CoA(N): thread_one: x = 1; load y; load x.  thread_two: x = 2; load z; load x.  N-1 threads
// thread_n with i = 0..N-2: y = i; z = i. Release stores, acquire loads; main does not join.
// GenMC: tests/correct/synthetic/CoA/{coa.c,variants/coa0.c} (its sc runs use -disable-ipr -disable-sr).
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'CoA',
  description: 'two x-writers that read y/z and then x, and N-1 writers of y and z (GenMC tests/correct/synthetic/CoA)',
  params: { N: { default: 2, min: 0, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const y = b.loc('y');
    const z = b.loc('z');
    const idx = idxArray(b, N);
    b.thread('thread_one', function* (t) {
      yield t.store(x, 1, Mode.Release);
      yield t.load(y, Mode.Acquire);
      yield t.load(x, Mode.Acquire);
    });
    b.thread('thread_two', function* (t) {
      yield t.store(x, 2, Mode.Release);
      yield t.load(z, Mode.Acquire);
      yield t.load(x, Mode.Acquire);
    });
    for (let i = 0; i < N - 1; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        const v = yield t.load(idx[i]!, Mode.Plain); // int i = *((int *) arg);
        yield t.store(y, v, Mode.Release);
        yield t.store(z, v, Mode.Release);
      });
    }
  },
});
