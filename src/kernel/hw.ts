// The hardware the kernel runs on, as the model needs it (not kernel code; docs/design/protocols.md §M.2;
// I16): per-CPU TLBs, user instructions, hardware accesses and broadcast invalidations. A TLB
// holds at most one cached translation (a PTE value, 0 = empty). A user access is one
// instruction: it looks up the TLB, on a miss walks the page table and fills it, and performs the
// access, all without being interrupted, so it is modeled as an IRQs-off window on its CPU. The
// kernel's flushes that use these are in arch/x86/mm/tlb.ts and arch/powerpc/mm/book3s64/.
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';
import { Mode } from '../engine/ops.ts';
import type { Builder } from '../engine/program.ts';
import { cpuField, cpuIrqOff, cpuIrqOn, type Cpu } from './cpus.ts';
import { showPte } from './include/linux/pgtable.ts';
import { modelStep } from './kfn.ts';
import { smp_mb } from './include/asm-generic/barrier.ts';

/** `cpu`'s TLB, caching the PTE value `init` (0: empty). */
export function newTlb(b: Builder, cpu: Cpu, init = 0): Loc {
  return cpuField(b, cpu, 'tlb', init, (v) => (v ? `caches ${showPte(v)}` : 'empty'));
}

/** Start of one uninterruptible instruction (shown as "(insn)" in traces, quiet by default). */
export const insnBegin = modelStep('(insn)', cpuIrqOff);

/** End of the instruction insnBegin() started. */
export const insnEnd = modelStep('(insn)', cpuIrqOn);

/**
 * Hardware accesses that must be atomic with respect to a broadcast invalidation (tlbie / TLBI),
 * but not with respect to IPIs: a per-CPU "access in flight" word. Used where software walkers
 * with IRQs off and hardware accesses must be told apart (powerpc hash MMU, paging-structure
 * caches).
 */
export function newHwInsn(b: Builder, cpu: Cpu): Loc {
  return cpuField(b, cpu, 'hw_access', 0, (v) => (v ? 'in flight' : 'idle'));
}

/** A hardware access begins: a broadcast invalidation now waits for it. */
export function* hwAccessBegin(t: Ctx, insn: Loc): ThreadGen<void> {
  yield t.xchg(insn, 1); // the access is synchronous with invalidations: ordered like a locked op
}

/** The hardware access is performed (ordered before the "idle" the invalidator waits for). */
export function* hwAccessEnd(t: Ctx, insn: Loc): ThreadGen<void> {
  // An invalidation completes (powerpc tlbie; eieio; tlbsync; ptesync, arm64 TLBI; DSB) only
  // once every access that used the old translation is performed, so the access itself is
  // ordered before the "idle" the invalidator waits for: a release.
  yield t.store(insn, 0, Mode.Release);
}

/**
 * A broadcast invalidation (powerpc tlbie, arm64 TLBI, x86 INVLPGB): empty the cached entries,
 * then wait for the accesses in flight. The full barriers are the instruction's own ordering
 * (powerpc: ptesync before, eieio; tlbsync; ptesync after), written as the kernel's smp_mb().
 */
export function* broadcastInvalidate(t: Ctx, targets: { cache: Loc; insn: Loc }[]): ThreadGen<void> {
  for (const x of targets) yield t.store(x.cache, 0);
  yield smp_mb(t);
  for (const x of targets) yield t.await(x.insn, (v) => v === 0);
  yield smp_mb(t);
}
