// x86 TLB flushing (arch/x86/mm/tlb.c flush_tlb_mm_range, flush_tlb_multi, flush_tlb_func,
// flush_tlb_kernel_range; arch/x86/include/asm/tlbflush.h flush_tlb_page, flush_tlb_range). A
// remote flush is an IPI whose handler, flush_tlb_func(), invalidates the target's TLB on the
// target itself, between two of its instructions (INVLPG, or a CR3 reload for a full flush; both
// also drop the paging-structure caches). The sender waits for every handler
// (on_each_cpu_cond_mask(..., wait=true)). So no refill by an instruction that was in flight when
// the IPI arrived survives the flush, and an instruction that began with the old translation has
// finished when it returns (hw.ts, kernel/smp.ts).
import type { Ctx, ThreadGen } from '../../../../engine/ops.ts';
import type { Cpu, Cpus } from '../../../cpus.ts';
import { MAINLINE, kernelFunction } from '../../../kfn.ts';
import type { Loc } from '../../../../engine/ops.ts';
import { ipiRoundTrip, type IpiHandler } from '../../../kernel/smp.ts';
import { betweenInstructions, invalidateBetweenAccesses, mmuCaches, type Mmu } from '../../../hw.ts';
import { smp_mb } from '../../../include/asm-generic/barrier.ts';
import type { MmuGather } from '../../../include/asm-generic/tlb.ts';

const tlbC = (name: string, note?: string) => ({ name, file: 'arch/x86/mm/tlb.c', version: MAINLINE, ...(note ? { note } : {}) });
const tlbflushH = (name: string) => ({ name, file: 'arch/x86/include/asm/tlbflush.h', version: MAINLINE });

/**
 * flush_tlb_func(): the flush on one CPU (the IPI handler on a remote one): INVLPG of the range or
 * a full flush, which on x86 also empties the paging-structure caches.
 */
export const flush_tlb_func = kernelFunction(tlbC('flush_tlb_func', 'INVLPG / flush_tlb_local(): the TLB and the paging-structure caches'),
  function* (t: Ctx, mmu: Mmu): ThreadGen<void> {
    for (const c of mmuCaches(mmu, 'all')) yield t.store(c, 0);
  });

/** A CPU whose TLB a flush empties: its MMU, or just its TLB word (an MMU with a TLB only). */
export type TlbTarget = Mmu | { cpu: Cpu; tlb: Loc };

const asMmu = (x: TlbTarget): Mmu => ('flush' in x ? x : { cpu: x.cpu, flush: 'ipi', tlb: x.tlb, pwc: null, insn: null });

/** How flush_tlb_multi() treats its IPIs: the kernel waits for every handler; `wait: false` is a hypothetical change. */
export interface FlushOpts {
  wait?: boolean;
}

/**
 * flush_tlb_multi() -> native_flush_tlb_multi() -> on_each_cpu_cond_mask(…, flush_tlb_func, info,
 * wait=true, cpumask): the IPI to every other CPU of the mm, with flush_tlb_func() as the handler
 * on the CPUs whose MMU the scenario models. With `wait: false` (no kernel does this) the sender
 * does not wait: each handler runs on its CPU at some later point between two of its instructions
 * (a thread of the model: the interrupt being delivered).
 */
export const flush_tlb_multi = kernelFunction({ ...tlbC('flush_tlb_multi', 'native_flush_tlb_multi() and on_each_cpu_cond_mask() inlined'), waits: 'TLB flush' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, remote: Mmu[], opts: FlushOpts = {}): ThreadGen<void> {
    const byCpu = new Map(remote.map((m) => [m.cpu, m] as const));
    if (opts.wait === false) {
      yield smp_mb(t);
      for (const m of remote) {
        yield t.spawn(function* (h: Ctx) {
          // The handler, flush_tlb_func(), runs on m's CPU between two of its instructions.
          yield* h.call('flush_tlb_func', invalidateBetweenAccesses(h, m.cpu.state, betweenInstructions, mmuCaches(m, 'all')));
        }, `IPI to CPU${m.cpu.id}`);
      }
      return;
    }
    const handler: IpiHandler = (c) => {
      const m = byCpu.get(c);
      return m ? flush_tlb_func(t, m) : null;
    };
    yield* ipiRoundTrip(t, cpus, self, cpus.others(self), handler);
  });

/**
 * flush_tlb_mm_range(): flush_tlb_func() on the calling CPU, and flush_tlb_multi() to every other
 * CPU of the mm. `targets`: the MMUs (or TLBs) the scenario models (none: the flush is only the
 * IPI round trip).
 */
export const flush_tlb_mm_range = kernelFunction({ ...tlbC('flush_tlb_mm_range'), waits: 'TLB flush' },
  function* (t: Ctx, cpus: Cpus, self: Cpu, targets: TlbTarget[] = [], opts: FlushOpts = {}): ThreadGen<void> {
    const mmus = targets.map(asMmu);
    for (const m of mmus) if (m.cpu === self) yield* flush_tlb_func(t, m);
    const remote = mmus.filter((m) => m.cpu !== self);
    if (remote.length === 0) yield* ipiRoundTrip(t, cpus, self);
    else yield* flush_tlb_multi(t, cpus, self, remote, opts);
  });

/** flush_tlb_page(): flush_tlb_mm_range() of one page. */
export const flush_tlb_page = kernelFunction({ ...tlbflushH('flush_tlb_page'), waits: 'TLB flush' },
  (t: Ctx, cpus: Cpus, self: Cpu, targets: TlbTarget[] = [], opts: FlushOpts = {}): ThreadGen<void> => flush_tlb_mm_range(t, cpus, self, targets, opts));

/** flush_tlb_range(): flush_tlb_mm_range() of the VMA's range. */
export const flush_tlb_range = kernelFunction({ ...tlbflushH('flush_tlb_range'), waits: 'TLB flush' },
  (t: Ctx, cpus: Cpus, self: Cpu, targets: TlbTarget[] = []): ThreadGen<void> => flush_tlb_mm_range(t, cpus, self, targets));

/** flush_tlb_kernel_range(): on_each_cpu() flush; waits for every kernel-mapping access in flight. */
export const flush_tlb_kernel_range = kernelFunction({ ...tlbC('flush_tlb_kernel_range'), waits: 'TLB flush' },
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => ipiRoundTrip(t, cpus, self));

/**
 * x86's tlb_flush() for mmu_gather (arch/x86/include/asm/tlb.h: a macro, inlined here, that calls
 * flush_tlb_mm_range() of the gathered range, or of everything for fullmm / need_flush_all): every
 * level is invalidated, whatever the gather's level bits say.
 */
export function* x86_tlb_flush(t: Ctx, tlb: MmuGather): ThreadGen<void> {
  if (!tlb.cpus || !tlb.cpu) throw new Error('x86 tlb_flush(): the mmu_gather needs its CPUs');
  yield* flush_tlb_mm_range(t, tlb.cpus, tlb.cpu, tlb.mmus);
}
