// Thread arguments of the GenMC benchmarks. Their `main` fills `idx[i]` before it creates the
// thread that reads it through its `void *arg`, so each such read sees only main's write. We keep
// the read (GenMC's graphs have it too) and start the location at main's value.
import type { Builder } from '../../engine/program.ts';
import type { Loc } from '../../engine/ops.ts';

/** `idx[0..n-1]` with idx[i] = value(i) (default i), as main leaves it before spawning. */
export function idxArray(b: Builder, n: number, value: (i: number) => number = (i) => i): Loc[] {
  const out: Loc[] = [];
  for (let i = 0; i < n; i++) out.push(b.loc(`idx[${i}]`, value(i)));
  return out;
}
