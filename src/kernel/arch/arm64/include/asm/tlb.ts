// arm64's tlb_flush() (arch/arm64/include/asm/tlb.h): how mmu_gather's range and level fields
// become TLBIs (Will Deacon, "arm64: tlb: Adjust stride and type of TLBI according to
// mmu_gather", v4.20). Without freed tables only the leaf entries are invalidated (last_level):
// the walk cache keeps its links to page tables, which is right only if no table was freed.
import type { Ctx, ThreadGen } from '../../../../../engine/ops.ts';
import type { MmuGather } from '../../../../include/asm-generic/tlb.ts';
import { kernelFunction } from '../../../../kfn.ts';
import { __flush_tlb_range, flush_tlb_mm } from './tlbflush.ts';

/**
 * tlb_flush(): `last_level = !tlb->freed_tables`; a full-mm teardown flushes the ASID only when
 * tables were freed ("we only care about invalidating the walk-cache, since the ASID allocator
 * won't reallocate our ASID without invalidating the entire TLB"); otherwise __flush_tlb_range()
 * of the gathered range, leaf-only when no table was freed.
 */
export const arm64_tlb_flush = kernelFunction({ name: 'tlb_flush', file: 'arch/arm64/include/asm/tlb.h', version: 'v4.20–v6.18', note: 'the range and stride are one broadcast invalidation; tlb_level hints (v5.9) left out' },
  function* (t: Ctx, tlb: MmuGather): ThreadGen<void> {
    const lastLevel = !tlb.freed_tables;
    if (tlb.fullmm) {
      if (!lastLevel) yield* flush_tlb_mm(t, tlb.mmus);
      return;
    }
    yield* __flush_tlb_range(t, tlb.mmus, lastLevel);
  });
