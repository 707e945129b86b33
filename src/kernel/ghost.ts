// Ghost steps: loads that only feed an invariant check. They run under the function name
// "(check)" so traces show them apart from the modeled kernel code.
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';

function* load(t: Ctx, loc: Loc): ThreadGen<number> {
  return yield t.load(loc);
}

/** A load that only feeds an invariant check: traces label it "(check)". */
export function ghostLoad(t: Ctx, loc: Loc): ThreadGen<number> {
  return t.call('(check)', load(t, loc));
}
