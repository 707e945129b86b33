// wcas(N): thread 0 stores x = 2 (release); N threads each try a relaxed strong CAS(x, 2, 3).
// main does not join. GenMC: tests/correct/synthetic/wcas/{wcas.c,variants/wcas0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';

export default defineProgram({
  name: 'wcas',
  description: 'one store x = 2, N threads CAS(x, 2, 3) (GenMC tests/correct/synthetic/wcas)',
  params: { N: { default: 2, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    b.thread('thread_0', function* (t) {
      yield t.store(x, 2, Mode.Release);
    });
    for (let i = 0; i < N; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        yield t.cmpxchg(x, 2, 3, Mode.Relaxed);
      });
    }
  },
});
