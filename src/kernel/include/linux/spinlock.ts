// spinlock_t as the model has it (include/linux/spinlock.h): one word, 0 unlocked and 1 held,
// taken and dropped with the engine's lock operations (t.lock, t.trylock, t.unlock), which
// traces print as spin_lock(), spin_trylock() and spin_unlock(). Its value type, LOCK_WORD, tells
// a trace reader which locations are locks and whether each is held, without reading the text;
// the other lock words the engine's lock operations take (PG_locked, an rwsem's writer word)
// declare it too.
import type { Loc } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { TypedValue } from '../../../trace-format/index.ts';

/** A lock word in traces: "locked" / "unlocked"; as data, whether it is held. */
export const LOCK_WORD: TypedValue<'lock'> = {
  type: 'lock',
  show: (v) => (v ? 'locked' : 'unlocked'),
  decode: (v) => v !== 0,
};

/** A spinlock named `name`, unlocked (spin_lock_init()). */
export function newSpinlock(b: Builder, name: string): Loc {
  return b.loc(name, 0, LOCK_WORD);
}
