// N-writers(N): one acquire reader of x (created first) and N+1 writers, writer i storing i
// (release). main does not join.
// GenMC: tests/correct/synthetic/N-writers/{N_writers_a_reader.c,variants/N_writers_a_reader0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

export default defineProgram({
  name: 'N-writers',
  description: 'one reader and N+1 writers of x (GenMC tests/correct/synthetic/N-writers)',
  params: { N: { default: 4, min: 0, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const idx = idxArray(b, N + 1);
    b.thread('threadR', function* (t) {
      yield t.load(x, Mode.Acquire);
    });
    for (let i = 0; i <= N; i++) {
      b.thread(`threadW${i}`, function* (t) {
        const v = yield t.load(idx[i]!, Mode.Plain); // int i = *((int *) arg);
        yield t.store(x, v, Mode.Release);
      });
    }
  },
});
