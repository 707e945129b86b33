// indexer(N): N threads each insert 4 values into a 128-entry open-addressing table with a relaxed
// strong CAS, probing linearly on collision. The probe loop depends on the values read (a failed
// CAS moves to the next slot); it always ends because only finitely many slots are ever filled.
// main does not join. GenMC: tests/correct/synthetic/indexer/{indexer.c,variants/indexer0.c}.
import { defineProgram } from '../../engine/program.ts';
import { Mode } from '../../engine/ops.ts';
import { idxArray } from './args.ts';

const SIZE = 128;
const MAX = 4;

export default defineProgram({
  name: 'indexer',
  description: 'N threads insert into a 128-slot hash table with CAS and linear probing (GenMC tests/correct/synthetic/indexer)',
  params: { N: { default: 12, min: 1, max: 32 } },
  setup(b, { N }) {
    const table = b.array('table', SIZE);
    const idx = idxArray(b, N);
    for (let k = 0; k < N; k++) {
      b.thread(`thread_n${k}`, function* (t) {
        const tid = yield t.load(idx[k]!, Mode.Plain);
        for (let i = 0; i < MAX; i++) {
          const w = i * 11 + tid;
          let h = (w * 7) % SIZE;
          if (h < 0) yield t.assert(false, `hash ${h} is negative`);
          // while (!atomic_compare_exchange_strong_explicit(&table[h], &zero, w, rlx, rlx))
          while ((yield t.cmpxchg(table[h]!, 0, w, Mode.Relaxed)) !== 0) h = (h + 1) % SIZE;
        }
      });
    }
  },
});
