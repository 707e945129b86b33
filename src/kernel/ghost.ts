// Ghost state: words no kernel code reads, kept for the invariants (ghostWord), and loads that
// only feed an invariant check (ghostLoad). The loads run under the model label "(check)" so
// traces show them apart from the modeled kernel code; the words form the program's 'ghost'
// object, which the viewer shows as checker bookkeeping.
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';
import type { Builder } from '../engine/program.ts';
import { modelStep } from './kfn.ts';

/** A ghost word `ghost.<name>` with initial value `init`, a field of the program's 'ghost' object. */
export function ghostWord(b: Builder, name: string, init = 0): Loc {
  const loc = b.loc(`ghost.${name}`, init);
  const obj = b.objects.find((o) => o.kind === 'ghost');
  if (obj) b.addField(obj, name, loc);
  else b.object('ghost', 'ghost', { [name]: loc });
  return loc;
}

/**
 * A load that only an invariant check uses. It may look at freed memory (it reads FREED there):
 * a check is not the kernel touching the memory.
 */
export const ghostLoad = modelStep('(check)', function* (t: Ctx, loc: Loc): ThreadGen<number> {
  t.mayBeFreed();
  return yield t.load(loc);
});
