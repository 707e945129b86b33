// Buffer heads of a block-device page (fs/buffer.c __find_get_block, include/linux/buffer_head.h
// put_bh; docs/design/protocols.md §7.7). One buffer: its b_count and the page it lives in (b_page).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { Mode } from '../../engine/ops.ts';
import { smp_mb__before_atomic } from '../include/asm-generic/barrier.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

/** One buffer_head of the page `pfn`, not in use (b_count 0). */
export function newBufferHead(b: Builder, name: string, pfn: number): ObjectFields['buffer_head'] {
  const bh: ObjectFields['buffer_head'] = { b_count: b.loc(`${name}.b_count`, 0), b_page: b.loc(`${name}.b_page`, pfn, (v) => `pfn ${v}`) };
  b.object('buffer_head', name, bh);
  return bh;
}

/** __find_get_block(): find the buffer under the mapping's private_lock and get_bh() it; returns b_page. */
export const __find_get_block = kernelFunction({ name: '__find_get_block', file: 'fs/buffer.c', version: MAINLINE },
  function* (t: Ctx, privateLock: Loc, bhPage: Loc, bhCount: Loc): ThreadGen<number> {
    yield t.lock(privateLock);
    const p = yield t.load(bhPage);
    yield t.fetchAdd(bhCount, 1, Mode.Relaxed); // get_bh(): atomic_inc, no ordering
    yield t.unlock(privateLock);
    return p;
  });

/** put_bh() (from brelse()): smp_mb__before_atomic(); atomic_dec(&bh->b_count). */
export const put_bh = kernelFunction({ name: 'put_bh', file: 'include/linux/buffer_head.h', version: MAINLINE },
  function* (t: Ctx, bhCount: Loc): ThreadGen<void> {
    yield smp_mb__before_atomic(t);
    yield t.fetchSub(bhCount, 1, Mode.Relaxed);
  });
