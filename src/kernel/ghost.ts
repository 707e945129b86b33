// Ghost steps: loads that only feed an invariant check. They run under the model label "(check)"
// so traces show them apart from the modeled kernel code.
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';
import { modelStep } from './kfn.ts';

/**
 * A load that only an invariant check uses. It may look at freed memory (it reads FREED there):
 * a check is not the kernel touching the memory.
 */
export const ghostLoad = modelStep('(check)', function* (t: Ctx, loc: Loc): ThreadGen<number> {
  t.mayBeFreed();
  return yield t.load(loc);
});
