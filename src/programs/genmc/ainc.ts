// ainc(N): N threads each do one relaxed fetch_add(x, 1). main does not join.
// GenMC: tests/correct/synthetic/ainc/{ainc.c,variants/ainc0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';

export default defineProgram({
  name: 'ainc',
  description: 'N threads fetch_add(x, 1) (GenMC tests/correct/synthetic/ainc)',
  params: { N: { default: 2, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    for (let i = 0; i < N; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        yield t.fetchAdd(x, 1, Mode.Relaxed);
      });
    }
  },
});
