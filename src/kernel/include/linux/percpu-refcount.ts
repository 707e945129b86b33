// A percpu_ref (include/linux/percpu-refcount.h, lib/percpu-refcount.c) as its guarantee: gets
// and puts on a live ref go to a per-CPU counter, so users on different CPUs never contend;
// percpu_ref_kill() marks the ref dead, after which percpu_ref_tryget_live() fails on every CPU,
// and the release callback runs once every reference taken before the kill is put.
//
// The model keeps one word per CPU: the CPU's count (a get on a CPU is put on the same CPU; the
// model's threads do not migrate) and a DEAD bit. percpu_ref_kill() sets DEAD on each CPU's word
// with an atomic RMW, so a tryget is ordered either before the kill (it counts, and the release
// waits for its put) or after it (it fails). This stands for the kernel's switch to atomic mode,
// whose RCU grace period orders the per-CPU fast path against the kill the same way; the sum of
// the counters, the base reference and the switch itself are not modelled.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import { Mode } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { ObjectFields } from '../../../trace-format/index.ts';
import type { Cpu } from '../../cpus.ts';
import { kernelFunction } from '../../kfn.ts';

/** A CPU's word of a killed percpu_ref. */
export const PERCPU_REF_DEAD = 0x100;

/** A percpu_ref: one word per CPU (count, DEAD bit). */
export interface PercpuRef {
  name: string;
  /** Per CPU: the references taken there and not yet put, plus PERCPU_REF_DEAD once killed. */
  count: Loc[];
}

const showRef = (v: number): string => `${v & 0xff} ref${(v & 0xff) === 1 ? '' : 's'}${v & PERCPU_REF_DEAD ? ', dead' : ''}`;

/** A live percpu_ref `name` with one counter per CPU (`ncpus`), no references taken. */
export function newPercpuRef(b: Builder, name: string, ncpus: number): PercpuRef {
  const count: Loc[] = [];
  for (let i = 0; i < ncpus; i++) count.push(b.loc(`${name}@cpu${i}`, 0, showRef));
  b.object('percpu_ref', name, { count } satisfies ObjectFields['percpu_ref']);
  return { name, count };
}

const V = 'v5.14–v6.18';
const hdr = (name: string) => ({ name, file: 'include/linux/percpu-refcount.h', version: V, note: 'one word per CPU (count, DEAD); the atomic-mode switch not modelled' });

/** percpu_ref_tryget_live(): a reference on `cpu` unless the ref was killed. */
export const percpu_ref_tryget_live = kernelFunction(hdr('percpu_ref_tryget_live'), function* (t: Ctx, ref: PercpuRef, cpu: Cpu): ThreadGen<boolean> {
  const old = yield t.rmw(ref.count[cpu.id], (v) => (v & PERCPU_REF_DEAD ? undefined : v + 1));
  return (old & PERCPU_REF_DEAD) === 0;
});

/** percpu_ref_put(): drops a reference taken on `cpu`. */
export const percpu_ref_put = kernelFunction(hdr('percpu_ref_put'), function* (t: Ctx, ref: PercpuRef, cpu: Cpu): ThreadGen<void> {
  yield t.fetchAdd(ref.count[cpu.id], -1);
});

/** percpu_ref_kill(): no tryget_live succeeds from now on (each CPU's word marked dead). */
export const percpu_ref_kill = kernelFunction({ name: 'percpu_ref_kill', file: 'include/linux/percpu-refcount.h', version: V, note: 'the kill and its confirmation as one RMW per CPU' },
  function* (t: Ctx, ref: PercpuRef): ThreadGen<void> {
    for (const c of ref.count) yield t.rmw(c, (v) => v | PERCPU_REF_DEAD);
  });

/**
 * The release point of a killed ref: returns once every reference taken before the kill has been
 * put (the kernel's release callback runs then). Not a kernel function: the caller's
 * wait_for_completion() on what the release callback completes. The wait acquires: what a user
 * did before its put is ordered before what the waiter does after it — in the kernel the put's
 * RCU read-side section against the kill's grace period, the fully ordered
 * atomic_long_sub_and_test() of the last put, and complete()/wait_for_completion() handing over
 * under the completion's wait-queue lock (Documentation/memory-barriers.txt, "SLEEP AND WAKE-UP
 * FUNCTIONS"). A READ_ONCE() wait here let swapoff() vfree() swap_map before a get_swap_device()
 * holder's last store to it under the LKMM, which the kernel does not allow.
 */
export function* percpuRefReleased(t: Ctx, ref: PercpuRef): ThreadGen<void> {
  for (const c of ref.count) yield t.await(c, (v) => v === PERCPU_REF_DEAD, Mode.Acquire);
}
