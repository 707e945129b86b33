// A folio's PG_uptodate flag (include/linux/page-flags.h): folio_mark_uptodate() and
// folio_test_uptodate(), the pair that orders a folio's data before readers use it. The flags word
// is a location of its own (newFolioFlags), so that only scenarios that need it have it.
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { Folio } from './page_ref.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import { smp_rmb, smp_wmb } from '../asm-generic/barrier.ts';

/** The PG_uptodate bit of the model's flags word. */
export const PG_uptodate = 1;

/** `f`'s flags word (folio->flags), with `init` (0: not uptodate). */
export function newFolioFlags(b: Builder, f: Folio, init = 0): Loc {
  return b.loc(`${f.name}.flags`, init, (v) => (v & PG_uptodate ? 'uptodate' : 'not uptodate'));
}

const src = (name: string, note?: string) => ({ name, file: 'include/linux/page-flags.h', version: MAINLINE, ...(note ? { note } : {}) });

/**
 * folio_mark_uptodate(): smp_wmb(), so that the stores that brought the folio up to date are
 * visible before the flag, then set_bit(PG_uptodate) (an atomic bitop that returns nothing: no
 * ordering of its own).
 */
export const folio_mark_uptodate = kernelFunction(src('folio_mark_uptodate'), function* (t: Ctx, flags: Loc): ThreadGen<void> {
  yield smp_wmb(t);
  yield t.rmw(flags, (v) => v | PG_uptodate, Mode.Relaxed);
});

/**
 * folio_test_uptodate(): test_bit(PG_uptodate), then, if set, smp_rmb(): "the data we read out of
 * the folio is loaded _after_ we've loaded folio->flags". `rmb: false` is a hypothetical change
 * that leaves the barrier out (the read side of the pair, relying on what follows it instead).
 */
export const folio_test_uptodate = kernelFunction(src('folio_test_uptodate', 'rmb false: a hypothetical change without the smp_rmb()'),
  function* (t: Ctx, flags: Loc, rmb = true): ThreadGen<boolean> {
    const up = ((yield t.load(flags)) & PG_uptodate) !== 0;
    if (up && rmb) yield smp_rmb(t);
    return up;
  });
