// The hardware the kernel runs on, as the model needs it (not kernel code; docs/design/protocols.md §M.2;
// I16): per-CPU MMUs with a TLB and a paging-structure (walk) cache, user instructions, hardware
// accesses, and what an invalidation does to them. A TLB holds at most one cached translation (a
// PTE value, 0 = empty); a paging-structure cache at most one cached PMD entry (the link to a PTE
// table the next walk goes through without reading the PMD). A user access is one instruction:
// it looks up the TLB, on a miss walks the page table and fills it, and performs the access, all
// without being interrupted, so it is modeled as an IRQs-off window on its CPU.
//
// How an invalidation reaches another CPU's caches is the architecture's, and the model follows it:
// - x86 (IPI flush, arch/x86/mm/tlb.ts): the flushing CPU sends an IPI; the target runs
//   flush_tlb_func() in the handler, between two of its instructions, so no refill by an
//   instruction in flight survives the flush.
// - broadcast invalidation (arm64 TLBI + DSB, powerpc tlbie; tlbsync; ptesync): completes only
//   once every access that used the old translation is performed, including the walk in flight
//   that would refill a cache from it.
// Both are modeled the same way from the flushing thread (see invalidateBetweenAccesses()).
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';
import { FREED, Mode } from '../engine/ops.ts';
import type { Builder } from '../engine/program.ts';
import type { TypedValue } from '../trace-format/index.ts';
import { cpuField, cpuIrqOff, cpuIrqOn, CPU_IRQOFF, type Cpu } from './cpus.ts';
import { pmd_is_table, pmd_table_id, pte_present, showPmd, showPte } from './include/linux/pgtable.ts';
import { modelStep } from './kfn.ts';
import { smp_mb } from './include/asm-generic/barrier.ts';
import { I16 } from './invariants.ts';
import { table, type Mm } from './mm/mm.ts';

/** `cpu`'s TLB, caching the PTE value `init` (0: empty). */
export function newTlb(b: Builder, cpu: Cpu, init = 0): Loc {
  return cpuField(b, cpu, 'tlb', init, (v) => (v ? `caches ${showPte(v)}` : 'empty'));
}

/** `cpu`'s paging-structure (walk) cache, caching the PMD entry `init` (0: empty). */
export function newPwc(b: Builder, cpu: Cpu, init = 0): Loc {
  return cpuField(b, cpu, 'walk_cache', init, (v) => (v ? `walks through ${showPmd(v)}` : 'empty'));
}

/** The value type of a CPU's access-in-flight word: "in flight" / "idle"; as data, whether an access is in flight. */
const ACCESS_IN_FLIGHT: TypedValue<'access-in-flight'> = { type: 'access-in-flight', show: (v) => (v ? 'in flight' : 'idle'), decode: (v) => v !== 0 };

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
  return cpuField(b, cpu, 'hw_access', 0, ACCESS_IN_FLIGHT);
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

/** How invalidations reach a CPU's MMU: an IPI whose handler flushes (x86), or a broadcast TLBI/tlbie. */
export type FlushKind = 'ipi' | 'broadcast';

/** One CPU's MMU: what a hardware walk on it may have cached, and how invalidations reach it. */
export interface Mmu {
  cpu: Cpu;
  flush: FlushKind;
  /** The TLB (one cached PTE value), or null when the scenario does not model it. */
  tlb: Loc | null;
  /** The paging-structure cache (one cached PMD entry), or null when not modeled. */
  pwc: Loc | null;
  /** 'broadcast': the access-in-flight word the invalidation waits on (null for 'ipi': IRQs off is). */
  insn: Loc | null;
}

/**
 * `cpu`'s MMU. `tlb` / `pwc`: the initial PTE / PMD value cached (0: empty), or undefined when
 * that cache is not modeled.
 */
export function newMmu(b: Builder, cpu: Cpu, opts: { flush: FlushKind; tlb?: number; pwc?: number }): Mmu {
  return {
    cpu,
    flush: opts.flush,
    tlb: opts.tlb === undefined ? null : newTlb(b, cpu, opts.tlb),
    pwc: opts.pwc === undefined ? null : newPwc(b, cpu, opts.pwc),
    insn: opts.flush === 'broadcast' ? newHwInsn(b, cpu) : null,
  };
}

/** One hardware access on `mmu` begins: an instruction (x86) or an access a broadcast waits for. */
export function* mmuAccessBegin(t: Ctx, mmu: Mmu): ThreadGen<void> {
  if (mmu.insn === null) yield* insnBegin(t, mmu.cpu);
  else yield* hwAccessBegin(t, mmu.insn);
}

/** The access mmuAccessBegin() started is performed. */
export function* mmuAccessEnd(t: Ctx, mmu: Mmu): ThreadGen<void> {
  if (mmu.insn === null) yield* insnEnd(t, mmu.cpu);
  else yield* hwAccessEnd(t, mmu.insn);
}

/** What a translation found: the PTE value (0: none), and the location the access's address came from. */
export interface Translation {
  pte: number;
  from: Loc;
}

/**
 * The MMU translates entry `idx` of the table under `mm`'s PMD, inside an access (between
 * mmuAccessBegin and mmuAccessEnd): a TLB hit, else a walk — through the paging-structure cache if
 * it holds a table link, else from the PMD (filling the cache) — that fills the TLB with a present
 * entry. The MMU fetches the entry whatever became of the table: a walk through a freed table
 * (a stale paging-structure cache) is I16, reported at that fetch.
 */
export const mmuTranslate = modelStep('(mmu)', function* (t: Ctx, mmu: Mmu, mm: Mm, idx: number): ThreadGen<Translation> {
  if (mmu.tlb !== null) {
    const hit = yield t.load(mmu.tlb);
    if (hit) return { pte: hit, from: mmu.tlb };
  }
  let pmd = 0;
  let from = mm.pmd;
  if (mmu.pwc !== null) {
    pmd = yield t.load(mmu.pwc);
    from = mmu.pwc;
  }
  if (!pmd_is_table(pmd)) {
    pmd = yield t.load(mm.pmd);
    from = mm.pmd;
    if (!pmd_is_table(pmd)) return { pte: 0, from };
    if (mmu.pwc !== null) yield t.store(mmu.pwc, pmd);
  }
  const T = table(mm, pmd_table_id(pmd));
  t.depends('addr', from); // the walk: the PTE address comes from the PMD entry (or its cached copy)
  t.mayBeFreed();
  const pte = yield t.load(T.entries[idx]);
  yield t.assert(pte !== FREED, I16, () => `CPU${mmu.cpu.id}'s MMU walks ${T.name}[${idx}] after ${T.name} was freed (through ${from === mm.pmd ? 'the PMD' : 'its paging-structure cache'})`);
  if (mmu.tlb !== null && pte_present(pte)) yield t.store(mmu.tlb, pte);
  return { pte, from: T.entries[idx] };
});

/** Which caches an invalidation empties: the leaf TLB entries only, or the walk caches too. */
export type InvalidateLevel = 'leaf' | 'all';

/** The cache words of `mmu` an invalidation of `level` empties. */
export function mmuCaches(mmu: Mmu, level: InvalidateLevel): Loc[] {
  const out: Loc[] = [];
  if (mmu.tlb !== null) out.push(mmu.tlb);
  if (level === 'all' && mmu.pwc !== null) out.push(mmu.pwc);
  return out;
}

/** The target of a broadcast invalidation: the caches it empties and the access-in-flight word it waits on. */
export interface BroadcastTarget {
  caches: Loc[];
  insn: Loc;
}

/** `mmu` as the target of a broadcast invalidation of `level`. */
export function broadcastTarget(mmu: Mmu, level: InvalidateLevel = 'all'): BroadcastTarget {
  if (mmu.insn === null) throw new Error(`CPU${mmu.cpu.id}'s MMU is flushed by IPIs, not by a broadcast invalidation`);
  return { caches: mmuCaches(mmu, level), insn: mmu.insn };
}

/**
 * Empties `caches` of a CPU at a point between two of its accesses, from the flushing thread.
 * The hardware (or the IPI handler) does it in one step on the target; the model waits until the
 * target is between accesses (`idle` holds of `word`), empties the caches, and waits for the
 * target to be between accesses once more: an access that began after the first wait read the
 * page tables as they were after the caller's update (the full barriers order it), so the only
 * thing the second wait adds is that an access which still used the old entry — it looked the
 * cache up before it was emptied — is performed before the invalidation counts as complete.
 * Without the first wait, an access in flight could refill a cache after it was emptied and keep
 * that entry past the flush (what the hardware does not allow).
 */
export function* invalidateBetweenAccesses(t: Ctx, word: Loc, idle: (v: number) => boolean, caches: Loc[]): ThreadGen<void> {
  yield t.await(word, idle);
  yield smp_mb(t);
  for (const c of caches) yield t.store(c, 0);
  yield smp_mb(t);
  yield t.await(word, idle);
}

/** A CPU's word says it is between instructions (IRQs on): where an x86 flush IPI is taken. */
export const betweenInstructions = (v: number): boolean => (v & CPU_IRQOFF) === 0;

/**
 * A broadcast invalidation (powerpc tlbie, arm64 TLBI, x86 INVLPGB) and its completion (ptesync,
 * DSB, TLBSYNC): each target's caches are emptied between its accesses (invalidateBetweenAccesses).
 * The full barriers are the instruction's own ordering (powerpc: ptesync before, eieio; tlbsync;
 * ptesync after; arm64: DSB ISHST before, DSB ISH after), written as the kernel's smp_mb().
 */
export function* broadcastInvalidate(t: Ctx, targets: BroadcastTarget[]): ThreadGen<void> {
  yield smp_mb(t);
  for (const x of targets) yield* invalidateBetweenAccesses(t, x.insn, (v) => v === 0, x.caches);
  yield smp_mb(t);
}
