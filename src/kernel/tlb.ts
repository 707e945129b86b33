// Per-CPU TLBs and user instructions (docs/design/protocols.md §M.2; I16). A TLB holds at most one cached
// translation (a PTE value, 0 = empty). A user access is one instruction: it looks up the TLB,
// on a miss walks the page table and fills it, and performs the access, all without being
// interrupted, so it is modeled as an IRQs-off window on its CPU. A TLB flush empties the target
// TLBs and waits for every instruction in flight there (the IPI, or the completion of a broadcast
// TLBI), so an access that began with the old translation has finished when the flush returns.
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';
import { Mode } from '../engine/ops.ts';
import type { Builder } from '../engine/program.ts';
import { local_irq_disable, local_irq_enable, smp_call_function, type Cpu, type Cpus } from './rcu.ts';
import { showPte } from './include/linux/pgtable.ts';

/** `cpu`'s TLB, caching the PTE value `init` (0: empty). */
export function newTlb(b: Builder, cpu: Cpu, init = 0): Loc {
  return b.loc(`cpu${cpu.id}.tlb`, init, (v) => (v ? `caches ${showPte(v)}` : 'empty'));
}

/** Start of one uninterruptible instruction (shown as "(insn)" in traces). */
export function* insn_begin(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield* t.call('(insn)', local_irq_disable(t, cpu));
}

/** End of the instruction insn_begin() started. */
export function* insn_end(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield* t.call('(insn)', local_irq_enable(t, cpu));
}

/** flush_tlb_page(): invalidate the targets' TLBs, then wait for their instructions in flight. */
export function* flush_tlb_page(t: Ctx, cpus: Cpus, self: Cpu, targets: { cpu: Cpu; tlb: Loc }[]): ThreadGen<void> {
  for (const x of targets) yield t.store(x.tlb, 0);
  yield* smp_call_function(t, cpus, self, targets.map((x) => x.cpu));
}

/**
 * Hardware accesses that must be atomic with respect to a broadcast invalidation (tlbie / TLBI),
 * but not with respect to IPIs: a per-CPU "access in flight" word. Used where software walkers
 * with IRQs off and hardware accesses must be told apart (powerpc hash MMU, paging-structure
 * caches).
 */
export function newHwInsn(b: Builder, cpu: Cpu): Loc {
  return b.loc(`cpu${cpu.id}.hw_access`, 0, (v) => (v ? 'in flight' : 'idle'));
}

/** A hardware access begins: the invalidation (tlbie) now waits for it. */
export function* hw_access_begin(t: Ctx, insn: Loc): ThreadGen<void> {
  yield t.xchg(insn, 1); // the access is synchronous with invalidations: ordered like a locked op
}

/** The hardware access is performed (ordered before the "idle" the invalidator waits for). */
export function* hw_access_end(t: Ctx, insn: Loc): ThreadGen<void> {
  // Hardware, not kernel code: an invalidation completes (powerpc tlbie; eieio; tlbsync; ptesync,
  // arm64 TLBI; DSB) only once every access that used the old translation is performed, so the
  // access itself is ordered before the "idle" the invalidator waits for: a release.
  yield t.store(insn, 0, Mode.Release);
}

/** A broadcast invalidation: empty the cached entries, then wait for accesses in flight. */
export function* tlbie(t: Ctx, targets: { cache: Loc; insn: Loc }[]): ThreadGen<void> {
  for (const x of targets) yield t.store(x.cache, 0);
  yield t.fence('mb');
  for (const x of targets) yield t.await(x.insn, (v) => v === 0);
  yield t.fence('mb');
}
