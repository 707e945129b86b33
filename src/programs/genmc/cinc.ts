// cinc(N): N threads each do relaxed fetch_add on x, y, z in turn. main does not join.
// GenMC: tests/correct/synthetic/cinc/{cinc.c,variants/cinc0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';

export default defineProgram({
  name: 'cinc',
  description: 'N threads fetch_add(x, 1); fetch_add(y, 1); fetch_add(z, 1) (GenMC tests/correct/synthetic/cinc)',
  params: { N: { default: 3, min: 1, max: 64 } },
  setup(b, { N }) {
    const x = b.loc('x');
    const y = b.loc('y');
    const z = b.loc('z');
    for (let i = 0; i < N; i++) {
      b.thread(`thread_n${i}`, function* (t) {
        yield t.fetchAdd(x, 1, Mode.Relaxed);
        yield t.fetchAdd(y, 1, Mode.Relaxed);
        yield t.fetchAdd(z, 1, Mode.Relaxed);
      });
    }
  },
});
