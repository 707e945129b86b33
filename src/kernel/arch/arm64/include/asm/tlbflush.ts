// arm64 TLB maintenance (arch/arm64/include/asm/tlbflush.h): broadcast TLBI instructions between
// a DSB ISHST (the page-table updates before it are visible to the walkers) and a DSB ISH (the
// invalidation is complete: every access that used an old entry is performed). No IPI: a CPU with
// IRQs off does not delay it. TLBI VALE1IS ("last level") drops only leaf entries; TLBI VAE1IS
// and ASIDE1IS drop the walk-cache (paging-structure) entries of the range or the ASID too (hw.ts).
import type { Ctx, ThreadGen } from '../../../../../engine/ops.ts';
import { broadcastInvalidate, broadcastTarget, type Mmu } from '../../../../hw.ts';
import { kernelFunction } from '../../../../kfn.ts';

// Both wait for the accesses in flight (DSB ISH): 'broadcast invalidation' in traces.
const tlbflushH = (name: string, version: string, note?: string) =>
  ({ name, file: 'arch/arm64/include/asm/tlbflush.h', version, waits: 'broadcast invalidation' as const, ...(note ? { note } : {}) });

/**
 * __flush_tlb_range(vma, start, end, stride, last_level): dsb(ishst); TLBI VALE1IS (last_level)
 * or VAE1IS per page of the range; dsb(ish). `mmus`: the other CPUs' MMUs the scenario models.
 */
export const __flush_tlb_range = kernelFunction(tlbflushH('__flush_tlb_range', 'v4.20–v6.18', 'the TLBIs of the range as one broadcast invalidation'),
  (t: Ctx, mmus: Mmu[], lastLevel: boolean): ThreadGen<void> =>
    broadcastInvalidate(t, mmus.map((m) => broadcastTarget(m, lastLevel ? 'leaf' : 'all'))));

/** flush_tlb_mm(): dsb(ishst); TLBI ASIDE1IS of the mm's ASID (every level); dsb(ish). */
export const flush_tlb_mm = kernelFunction(tlbflushH('flush_tlb_mm', 'v4.x–v6.18'),
  (t: Ctx, mmus: Mmu[]): ThreadGen<void> => broadcastInvalidate(t, mmus.map((m) => broadcastTarget(m, 'all'))));

/**
 * flush_tlb_page(vma, uaddr): flush_tlb_page_nosync() (dsb(ishst); TLBI VALE1IS) then dsb(ish):
 * the instructions of __flush_tlb_range() of one page at the last level, so it runs as that (the
 * model declares the name flush_tlb_page once, for x86). No IPI, so it does not wait for a CPU
 * with IRQs off (RCU GUP-fast runs on through it); to the flushing CPU its DSBs are full barriers
 * ("the clear+TLB flush we used for now implies a memory barrier", 088b8aa537c2). `mmus`: the
 * other CPUs' MMUs the scenario models (none: only the DSBs).
 */
export const arm64_flush_tlb_page = (t: Ctx, mmus: Mmu[] = []): ThreadGen<void> => __flush_tlb_range(t, mmus, true);
