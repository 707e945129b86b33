// arm64 TLB maintenance (arch/arm64/include/asm/tlbflush.h): a broadcast TLBI between two DSBs.
// There is no IPI, so unlike x86's flush (arch/x86/mm/tlb.ts) it does not wait for a CPU that
// has IRQs disabled: RCU GUP-fast runs concurrently with it. What it does give the flushing CPU
// is the DSB ISH after the TLBI, a full barrier ("the clear+TLB flush we used for now implies a
// memory barrier", 088b8aa537c2). The scenarios that use it model no TLB on the other CPUs.
import type { Ctx, ThreadGen } from '../../../../../engine/ops.ts';
import { smp_mb } from '../../../../include/asm-generic/barrier.ts';
import { kernelFunction } from '../../../../kfn.ts';

/** flush_tlb_page() on arm64: dsb(ishst); tlbi vale1is; dsb(ish): as ordering, an smp_mb(). */
export const arm64_flush_tlb_page = kernelFunction({ name: 'flush_tlb_page', file: 'arch/arm64/include/asm/tlbflush.h', version: 'v5.x–v6.18', note: 'the DSBs as smp_mb(); no TLBs modeled' },
  function* (t: Ctx): ThreadGen<void> {
    yield smp_mb(t);
  });
