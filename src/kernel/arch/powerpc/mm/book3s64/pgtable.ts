// powerpc book3s64 serialization against lockless page-table walkers (arch/powerpc/mm/book3s64/
// pgtable.c serialize_against_pte_lookup; docs/design/protocols.md §8.5, §8.6): an IPI that waits for every
// IRQs-off __find_linux_pte() user, and the 2019 proposal (not merged) that counted them instead.
import type { Ctx, Loc, ThreadGen } from '../../../../../engine/ops.ts';
import type { Cpu, Cpus } from '../../../../cpus.ts';
import { ipiRoundTrip } from '../../../../kernel/smp.ts';
import { smp_mb } from '../../../../include/asm-generic/barrier.ts';
import { MAINLINE, kernelFunction } from '../../../../kfn.ts';

const FILE = 'arch/powerpc/mm/book3s64/pgtable.c';
const PROPOSAL = 'a proposed patch (2019, not merged)';

/** serialize_against_pte_lookup(): smp_mb(); smp_call_function_many(mm_cpumask(mm), …, 1). */
export const serialize_against_pte_lookup = kernelFunction({ name: 'serialize_against_pte_lookup', file: FILE, version: MAINLINE, note: 'the IPI goes to every other CPU', waits: 'IPI' },
  (t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> => ipiRoundTrip(t, cpus, self));

/** The 2019 count-based serialize_against_pte_lookup(): smp_mb(), then wait for the walk count to drop to 0. */
export const serializeAgainstPteLookupByCount = kernelFunction({ name: 'serialize_against_pte_lookup', file: FILE, version: PROPOSAL, waits: 'wait' },
  function* (t: Ctx, count: Loc): ThreadGen<void> {
    yield smp_mb(t);
    yield t.await(count, (v) => v === 0);
  });

/** begin_lockless_pgtbl_walk() (2019 proposal): this_cpu_inc() of the walk count, then smp_mb() (`mb`). */
export const begin_lockless_pgtbl_walk = kernelFunction({ name: 'begin_lockless_pgtbl_walk', file: FILE, version: PROPOSAL },
  function* (t: Ctx, count: Loc, mb: boolean): ThreadGen<void> {
    yield t.store(count, 1); // this_cpu_inc: a plain store on x86
    if (mb) yield smp_mb(t);
  });

/** end_lockless_pgtbl_walk() (2019 proposal): smp_mb() (`mb`), then this_cpu_dec() of the walk count. */
export const end_lockless_pgtbl_walk = kernelFunction({ name: 'end_lockless_pgtbl_walk', file: FILE, version: PROPOSAL },
  function* (t: Ctx, count: Loc, mb: boolean): ThreadGen<void> {
    if (mb) yield smp_mb(t);
    yield t.store(count, 0);
  });
