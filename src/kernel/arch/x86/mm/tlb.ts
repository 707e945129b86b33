// x86 TLB flushing (arch/x86/mm/tlb.c flush_tlb_mm_range, flush_tlb_kernel_range;
// arch/x86/include/asm/tlbflush.h flush_tlb_page, flush_tlb_range). A flush empties the target
// TLBs (hw.ts) and waits for the targets' IPIs, which a CPU takes only between instructions and
// with IRQs on, so an access that began with the old translation has finished when it returns.
import type { Ctx, Loc, ThreadGen } from '../../../../engine/ops.ts';
import type { Cpu, Cpus } from '../../../cpus.ts';
import { MAINLINE, kernelFunction } from '../../../kfn.ts';
import { ipiRoundTrip } from '../../../kernel/smp.ts';

const tlbC = (name: string) => ({ name, file: 'arch/x86/mm/tlb.c', version: MAINLINE });
const tlbflushH = (name: string) => ({ name, file: 'arch/x86/include/asm/tlbflush.h', version: MAINLINE });

/** flush_tlb_page(): invalidate the targets' TLBs, then wait for their instructions in flight. */
export const flush_tlb_page = kernelFunction(tlbflushH('flush_tlb_page'),
  function* (t: Ctx, cpus: Cpus, self: Cpu, targets: { cpu: Cpu; tlb: Loc }[]): ThreadGen<void> {
    for (const x of targets) yield t.store(x.tlb, 0);
    yield* ipiRoundTrip(t, cpus, self, targets.map((x) => x.cpu));
  });

/** flush_tlb_mm_range(): the flush IPI to every other CPU of the mm (the TLBs are not modeled). */
export const flush_tlb_mm_range = kernelFunction(tlbC('flush_tlb_mm_range'),
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => ipiRoundTrip(t, cpus, self));

/**
 * flush_tlb_range(): flush_tlb_mm_range() of the VMA's range: the IPI to every other CPU of the mm;
 * `tlbs`, the modeled TLBs among them, are emptied as flush_tlb_page() does.
 */
export const flush_tlb_range = kernelFunction(tlbflushH('flush_tlb_range'),
  function* (t: Ctx, cpus: Cpus, self: Cpu, tlbs: { cpu: Cpu; tlb: Loc }[] = []): ThreadGen<void> {
    for (const x of tlbs) yield t.store(x.tlb, 0);
    yield* ipiRoundTrip(t, cpus, self);
  });

/** flush_tlb_kernel_range(): on_each_cpu() flush; waits for every kernel-mapping access in flight. */
export const flush_tlb_kernel_range = kernelFunction(tlbC('flush_tlb_kernel_range'),
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => ipiRoundTrip(t, cpus, self));
