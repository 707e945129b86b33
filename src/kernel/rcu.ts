// Per-CPU state shared by RCU, interrupts and IPIs (docs/design/protocols.md §M.2), built from engine locations.
//
// One word per CPU: bits 0-3 = read-side nesting (rcu_read_lock() and local_irq_disable() both
// count: since the v5.0 flavour consolidation an IRQs-off region is an RCU reader), bit 4 = IRQs
// off, bits 5+ = a generation bumped each time the CPU leaves its outermost reader. So
// synchronize_rcu() waits only for the readers that were active when it started: it snapshots
// each other CPU's word and, if that CPU was inside a reader, waits for its generation to move.
import type { Ctx, Loc, ThreadGen } from '../engine/ops.ts';
import type { Builder } from '../engine/program.ts';
import { ghostLoad } from './ghost.ts';
import { I12, I14 } from './invariants.ts';

const NEST = 0xf;
const IRQOFF = 0x10;
const GEN = 0x20;

/** A CPU's word as traces print it: "gen 1, IRQs off, reader depth 1". */
export function showCpuState(v: number): string {
  const parts = [`gen ${v >> 5}`];
  if (v & IRQOFF) parts.push('IRQs off');
  if (v & NEST) parts.push(`reader depth ${v & NEST}`);
  else parts.push('quiescent');
  return parts.join(', ');
}

/** One CPU: its id and its RCU/IRQ state word. */
export interface Cpu {
  id: number;
  /** The per-CPU word described above. */
  state: Loc;
}

/** The machine's CPUs. Thread i of a scenario runs on cpu[i]. */
export class Cpus {
  readonly cpu: Cpu[] = [];
  constructor(b: Builder, n: number) {
    for (let i = 0; i < n; i++) this.cpu.push({ id: i, state: b.loc(`cpu${i}.rcu_irq`, 0, showCpuState) });
    b.quietSteps('(insn)', 'the IRQs-off bracket that makes one access a single instruction (tlb.ts); the schedule and --trace keep them');
  }
  others(self: Cpu): Cpu[] {
    return this.cpu.filter((c) => c !== self);
  }
}

function leave(v: number): number {
  const n = (v & NEST) - 1;
  return n === 0 ? ((v >> 5) + 1) * GEN | (v & IRQOFF) : (v & ~NEST) | n;
}

/** rcu_read_lock(): enters (or nests) a read-side critical section on `cpu`. */
export function* rcu_read_lock(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, (v) => v + 1);
}

/** rcu_read_unlock(): leaves it; leaving the outermost one ends the reader a grace period waits for. */
export function* rcu_read_unlock(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, leave);
}

/** local_irq_disable(): blocks IPIs to this CPU and, being a reader, RCU grace periods. */
export function* local_irq_disable(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, (v) => (v + 1) | IRQOFF);
}

/** local_irq_enable(): pending IPIs are taken now (see smp_call_function). */
export function* local_irq_enable(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield t.rmw(cpu.state, (v) => leave(v & ~IRQOFF));
}

/**
 * Which read-side sections a grace period waits for. Since v5.0 (the flavour consolidation) one
 * synchronize_rcu() waits for rcu_read_lock() readers and for IRQs-off (and preempt-off) regions
 * alike. Before, under CONFIG_PREEMPT, synchronize_rcu() / call_rcu() were the rcu_preempt flavour
 * and waited only for rcu_read_lock() readers; IRQs-off regions needed synchronize_sched() /
 * call_rcu_sched(), which is why mmu_gather's table freeing used call_rcu_sched().
 */
export type RcuFlavour = 'consolidated' | 'rcu_preempt';

/** rcu_read_lock() depth alone: an IRQs-off region adds one to the nesting (it cannot nest). */
const rcuDepth = (v: number): number => (v & NEST) - (v & IRQOFF ? 1 : 0);

/**
 * synchronize_rcu(): returns once every CPU that was in a read-side section (or had IRQs off)
 * when it started has left that section. Readers that begin later are not waited for.
 *
 * I14 is checked here: a CPU that was in a read-side section of any kind when the grace period
 * started must have left it when it ends. The consolidated flavour waits for all of them, so
 * the check can only fail with a flavour that skips some (`rcu_preempt` and IRQs-off walkers).
 */
export function* synchronize_rcu(t: Ctx, cpus: Cpus, self: Cpu, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> {
  const me = yield t.load(self.state);
  yield t.assert((me & NEST) === 0, I12, () => `CPU${self.id} calls synchronize_rcu() inside an RCU read-side section or with IRQs off`);
  yield t.fence('mb'); // synchronize_rcu() has full-barrier semantics at both ends
  let unwaited: { cpu: Cpu; gen: number; irqsOff: boolean }[] | null = null;
  for (const c of cpus.others(self)) {
    const v = yield t.load(c.state);
    if ((v & NEST) === 0) continue;
    const g = v >> 5;
    if (flavour === 'consolidated' || rcuDepth(v) > 0) yield t.await(c.state, (w) => w >> 5 !== g);
    else (unwaited ??= []).push({ cpu: c, gen: g, irqsOff: (v & IRQOFF) !== 0 });
  }
  yield t.fence('mb');
  for (const u of unwaited ?? []) {
    const w = yield* ghostLoad(t, u.cpu.state);
    yield t.assert(w >> 5 !== u.gen, I14, () => `the grace period CPU${self.id} waited for (${flavour}) ended while CPU${u.cpu.id} is still in the ${u.irqsOff ? 'IRQs-off region' : 'read-side section'} it was in when the grace period started`);
  }
}

/**
 * call_rcu(head, cb): the callback runs after a grace period. Modeled as the queuing CPU waiting
 * for the grace period and then running the callback itself (RCU's softirq on that CPU).
 */
export function* call_rcu(t: Ctx, cpus: Cpus, self: Cpu, cb: () => ThreadGen<void>, flavour: RcuFlavour = 'consolidated'): ThreadGen<void> {
  yield* t.call('rcu_do_batch', (function* () {
    yield* synchronize_rcu(t, cpus, self, flavour);
    yield* cb();
  })());
}

/**
 * smp_call_function(fn, wait=1) with an empty fn (tlb_remove_table_sync_one, an IPI TLB flush):
 * completes once every other CPU has taken the IPI, which a CPU does only with IRQs enabled.
 * A CPU inside rcu_read_lock() with IRQs on takes it at once: an IPI is not a grace period.
 */
export function* smp_call_function(t: Ctx, cpus: Cpus, self: Cpu, targets?: Cpu[]): ThreadGen<void> {
  const me = yield t.load(self.state);
  yield t.assert((me & IRQOFF) === 0, I12, () => `CPU${self.id} waits for an IPI with IRQs disabled`);
  yield t.fence('mb'); // queuing the IPI (csd llist_add) and waiting for it order like smp_mb()
  for (const c of targets ?? cpus.others(self)) {
    yield t.await(c.state, (w) => (w & IRQOFF) === 0);
  }
  yield t.fence('mb');
}
