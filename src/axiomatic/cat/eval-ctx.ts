// The execution as the cat interpreter sees it while evaluating a model on it: its events as
// bitset indices (the Universe), their values and location ids as flat arrays, the variants
// that are on, and a memo of the built-in sets and relations (builtins.ts).
import { Universe } from './bits.ts';
import type { CatVal } from './values.ts';
import type { Execution } from '../execution.ts';

export interface EvalCtx {
  u: Universe;
  x: Execution;
  /** Event values, for different-values. */
  values: Float64Array;
  /** Location ids (-1 for none). */
  locId: Int32Array;
  variants: ReadonlySet<string>;
  /** Memo of derived base relations (po, loc, ...), shared by all branches. */
  memo: Map<string, CatVal>;
  /** The context of the remembered static part (its memo holds the static builtins), if any. */
  st?: EvalCtx;
}

/** A fresh context for x (values and location ids numbered once). */
export function makeEvalCtx(x: Execution, variants: ReadonlySet<string>): EvalCtx {
  const n = x.events.length;
  const values = new Float64Array(n);
  const locId = new Int32Array(n);
  const locs = new Map<string, number>();
  for (const e of x.events) {
    values[e.id] = e.value;
    if (e.loc === null) locId[e.id] = -1;
    else {
      let l = locs.get(e.loc);
      if (l === undefined) locs.set(e.loc, (l = locs.size));
      locId[e.id] = l;
    }
  }
  return { u: new Universe(n), x, values, locId, variants, memo: new Map() };
}
