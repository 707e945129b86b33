// Sequence counters (include/linux/seqlock.h) as mm->write_protect_seq uses them (57efa1fe5957):
// fork() is the only writer (it holds the mmap lock for write), GUP-fast a lockless reader that
// gives up instead of spinning. The writer bumps the count to odd, smp_wmb(), writes, smp_wmb(),
// bumps it to even; the reader reads the count, smp_rmb(), reads, smp_rmb(), rereads the count.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { smp_rmb, smp_wmb } from '../asm-generic/barrier.ts';
import { kernelFunction } from '../../kfn.ts';

const seqlockH = (name: string) => ({ name, file: 'include/linux/seqlock.h', version: 'v5.11–v6.18' });

/** do_raw_write_seqcount_begin(): s->sequence++ (the writer is serialized), then smp_wmb(). */
export const raw_write_seqcount_begin = kernelFunction(seqlockH('raw_write_seqcount_begin'), function* (t: Ctx, s: Loc): ThreadGen<void> {
  const v = yield t.load(s);
  yield t.store(s, v + 1);
  yield smp_wmb(t);
});

/** do_raw_write_seqcount_end(): smp_wmb(), then s->sequence++. */
export const raw_write_seqcount_end = kernelFunction(seqlockH('raw_write_seqcount_end'), function* (t: Ctx, s: Loc): ThreadGen<void> {
  yield smp_wmb(t);
  const v = yield t.load(s);
  yield t.store(s, v + 1);
});

/**
 * raw_seqcount_try_begin() (raw_read_seqcount() and an odd check before v6.12): READ_ONCE() of
 * the count, smp_rmb(); returns the count, or null if a writer is inside (odd).
 */
export const raw_seqcount_try_begin = kernelFunction(seqlockH('raw_seqcount_try_begin'), function* (t: Ctx, s: Loc): ThreadGen<number | null> {
  const v = yield t.load(s);
  yield smp_rmb(t);
  return v & 1 ? null : v;
});

/** read_seqcount_retry(): smp_rmb(), then whether the count moved since `start`. */
export const read_seqcount_retry = kernelFunction(seqlockH('read_seqcount_retry'), function* (t: Ctx, s: Loc, start: number): ThreadGen<boolean> {
  yield smp_rmb(t);
  return (yield t.load(s)) !== start;
});
