// The machine's CPUs as the model sees them (not kernel code): one word per CPU that RCU,
// interrupts and IPIs share (docs/design/protocols.md §M.2). The kernel functions that act on it live where
// the kernel has them: rcu_read_lock() in include/linux/rcupdate.ts, local_irq_disable() in
// include/linux/irqflags.ts, synchronize_rcu() in kernel/rcu/tree.ts, smp_call_function() in
// kernel/smp.ts.
//
// The word: bits 0-3 = read-side nesting (rcu_read_lock() and local_irq_disable() both count:
// since the v5.0 flavour consolidation an IRQs-off region is an RCU reader), bit 4 = IRQs off,
// bits 5+ = a generation bumped each time the CPU leaves its outermost reader. So
// synchronize_rcu() waits only for the readers that were active when it started: it snapshots
// each other CPU's word and, if that CPU was inside a reader, waits for its generation to move.
// Under the LKMM the grace period is the cat's instead (F[rcu-lock] … F[sync-rcu], see
// kernel/rcu/tree.ts), and the word's reader nesting is only bookkeeping.
import type { Ctx, Loc, ThreadGen, Val } from '../engine/ops.ts';
import type { Builder, LocDisplay, ObjInfo } from '../engine/program.ts';
import type { CpuStateValue, ObjectAttrs, ObjectFields, TypedValue } from '../trace-format/index.ts';
import { rcu_lock_fence, rcu_unlock_fence } from './include/asm-generic/barrier.ts';

/** The read-side nesting bits of a CPU's word. */
export const CPU_NEST = 0xf;
/** The IRQs-off bit of a CPU's word. */
export const CPU_IRQOFF = 0x10;
const GEN = 0x20;

/** A CPU's word as traces print it: "gen 1, IRQs off, reader depth 1". */
export function showCpuState(v: number): string {
  const parts = [`gen ${v >> 5}`];
  if (v & CPU_IRQOFF) parts.push('IRQs off');
  if (v & CPU_NEST) parts.push(`reader depth ${v & CPU_NEST}`);
  else parts.push('quiescent');
  return parts.join(', ');
}

/** A CPU's word as data, for trace readers. */
export function decodeCpuState(v: number): CpuStateValue {
  return { gen: v >> 5, irqsOff: (v & CPU_IRQOFF) !== 0, readerDepth: v & CPU_NEST };
}

/** The value type of a CPU's word: showCpuState() as text, decodeCpuState() as data. */
export const CPU_STATE: TypedValue<'cpu-state'> = { type: 'cpu-state', show: showCpuState, decode: decodeCpuState };

/** One CPU: its id and its RCU/IRQ state word. */
export interface Cpu {
  id: number;
  /** The per-CPU word described above. */
  state: Loc;
  /** The CPU as an object of the program (kind 'cpu'), to which per-CPU state is added (cpuField). */
  obj: ObjInfo;
}

/** A further per-CPU location `cpu<id>.<field>` (a TLB, a cache …), a field of the CPU's object. */
export function cpuField(b: Builder, cpu: Cpu, field: string, init: Val, show?: LocDisplay): Loc {
  const loc = b.loc(`cpu${cpu.id}.${field}`, init, show);
  b.addField(cpu.obj, field, loc);
  return loc;
}

/** The machine's CPUs. Thread i of a scenario runs on cpu[i]. */
export class Cpus {
  readonly cpu: Cpu[] = [];
  constructor(b: Builder, n: number) {
    for (let i = 0; i < n; i++) {
      const state = b.loc(`cpu${i}.rcu_irq`, 0, CPU_STATE);
      const attrs: ObjectAttrs['cpu'] = { cpu: i };
      this.cpu.push({ id: i, state, obj: b.object('cpu', `cpu${i}`, { rcu_irq: state } satisfies ObjectFields['cpu'], { attrs }) });
    }
    b.quietSteps('(insn)', 'the IRQs-off bracket that makes one access a single instruction (hw.ts); the schedule and --trace keep them');
  }
  others(self: Cpu): Cpu[] {
    return this.cpu.filter((c) => c !== self);
  }
  /**
   * The CPU a thread runs on when the thread owns its word (Builder.thread's `owns`): how one
   * body shared by symmetric threads (N identical walkers) finds its own CPU.
   */
  mine(t: Ctx): Cpu {
    const c = this.cpu.find((x) => x.state === t.owned[0]);
    if (!c) throw new Error(`thread ${t.tid} owns no CPU word (declare it with { owns: [cpu.state] })`);
    return c;
  }
}

/** The word after leaving one level of read-side nesting (a new generation at the outermost). */
export function cpuLeave(v: number): number {
  const n = (v & CPU_NEST) - 1;
  return n === 0 ? ((v >> 5) + 1) * GEN | (v & CPU_IRQOFF) : (v & ~CPU_NEST) | n;
}

/** rcu_read_lock() depth alone: an IRQs-off region adds one to the nesting (it cannot nest). */
export const cpuRcuDepth = (v: number): number => (v & CPU_NEST) - (v & CPU_IRQOFF ? 1 : 0);

/**
 * The step that turns interrupts off on `cpu` (local_irq_disable()'s, and the (insn) bracket's).
 * Since the v5.0 flavour consolidation an IRQs-off region is an RCU reader: under a model that
 * checks the grace-period guarantee itself (the LKMM, whose own model has rcu_read_lock() only),
 * the region is also an F[rcu-lock] … F[rcu-unlock] section, named in traces as the kernel names
 * such a reader when it marks one explicitly (rcu_read_lock_sched()). The word's update stays fully
 * ordered under every model: it is how the model's IPIs order (kernel/smp.ts).
 */
export function* cpuIrqOff(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, (v) => (v + 1) | CPU_IRQOFF);
  if (t.modelChecks('rcu-lock')) yield rcu_lock_fence(t, 'rcu_read_lock_sched');
}

/** The step that turns interrupts back on: pending IPIs are taken now (see smp_call_function). */
export function* cpuIrqOn(t: Ctx, cpu: Cpu): ThreadGen<void> {
  if (t.modelChecks('rcu-unlock')) yield rcu_unlock_fence(t, 'rcu_read_unlock_sched');
  yield t.rmw(cpu.state, (v) => cpuLeave(v & ~CPU_IRQOFF));
}
