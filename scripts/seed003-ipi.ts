// Seed 003 measured: what an IPI-based serialize_against_pte_lookup() costs a THP collapse with an
// accurate mm_cpumask and with an always-growing one, against RCU table freeing.
//
//   node --import tsx scripts/seed003-ipi.ts [--cpus N] [--walkers K] [--walks W] [--samples S]
//
// The scenario: CPU0 (khugepaged) clears the PMD, then either IPIs the CPUs in mm_cpumask and
// waits for each to take the IPI (a CPU takes it only with IRQs on, i.e. outside an IRQs-off
// lockless walk), then frees the old PTE table; or (RCU table freeing) hands the table to
// call_rcu() and goes on (the free runs after a grace period on RCU's callback thread). CPUs 1..K run the mm and do W IRQs-off lockless walks each; the other
// CPUs ran the mm once (they stay in an always-growing mask) and are idle with IRQs on.
// Each policy is first checked exhaustively (no walker may see the table freed: I1), then sampled
// with a random scheduler (spinning CPUs parked) to count IPIs and the steps CPU0 waits.
import { check, instantiate, defineProgram, type Program } from '../src/engine/index.ts';
import { Explorer } from '../src/engine/explore.ts';
import { prng } from '../src/engine/random.ts';
import type { Chooser } from '../src/engine/explore.ts';
import type { Ev } from '../src/engine/graph.ts';
import type { Ctx } from '../src/engine/ops.ts';
import { Cpus } from '../src/kernel/cpus.ts';
import { call_rcu } from '../src/kernel/kernel/rcu/tree.ts';
import { ipiRoundTrip } from '../src/kernel/kernel/smp.ts';
import { local_irq_disable, local_irq_enable } from '../src/kernel/include/linux/irqflags.ts';
import { getModel } from '../src/engine/models/index.ts';

type Policy = 'accurate' | 'growing' | 'rcu' | 'none';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function scenario(policy: Policy, N: number, K: number, W: number): Program {
  return defineProgram({
    name: `seed003-${policy}`,
    setup(b) {
      const cpus = new Cpus(b, N);
      const pmd = b.loc('*pmd', 1, (v) => (v ? 'table(T0)' : 'none'));
      const life = b.loc('T0.life', 0, (v) => (v ? 'freed' : 'attached'));
      const me = cpus.cpu[0];
      b.thread('CPU0', function* (t) {
        t.fn = 'pmdp_collapse_flush';
        yield t.xchg(pmd, 0);
        const free = function* (c: Ctx) { yield c.store(life, 1); };
        if (policy === 'none') {
          yield* t.call('pte_free', free(t)); // no serialization at all: the control, which must fail
        } else if (policy === 'rcu') {
          yield* t.call('tlb_remove_table', call_rcu(t, cpus, me, free));
        } else {
          const targets = policy === 'accurate' ? cpus.cpu.slice(1, K + 1) : cpus.cpu.slice(1);
          yield* t.call('serialize_against_pte_lookup', ipiRoundTrip(t, cpus, me, targets));
          yield* t.call('pte_free', free(t));
        }
      });
      for (let c = 1; c <= K; c++) {
        const cpu = cpus.cpu[c];
        b.thread(`CPU${c}`, function* (t) {
          for (let i = 0; i < W; i++) {
            t.fn = 'lockless walk';
            yield* local_irq_disable(t, cpu);
            const p = yield t.load(pmd);
            if (p) {
              const l = yield t.load(life);
              yield t.assert(l === 0, `I1: CPU${c} walks T0 after it was freed`);
            }
            yield* local_irq_enable(t, cpu);
          }
        });
      }
    },
  });
}

/** A random interleaving: a random thread at each step, reads take the latest write (as hardware does under SC). */
class Interleaving implements Chooser {
  readonly parks = true;
  constructor(private readonly rnd: () => number) {}
  thread(r: readonly number[]): number { return r[Math.floor(this.rnd() * r.length)]; }
  order(_e: Ev, c: readonly Ev[]): readonly number[] { return c.map((_, i) => i); }
}

const N = arg('cpus', 8), K = arg('walkers', 2), W = arg('walks', 2), S = arg('samples', 2000);
const exhaustiveK = Math.min(K, 2);
console.log(`CPUs ${N} (CPU0 collapses; ${K} run the mm with ${W} IRQs-off walks each; ${N - 1 - K} ran it before and are idle)`);
console.log(`exhaustive check with ${exhaustiveK} walker(s); then ${S} random interleavings with all ${K}\n`);
const control = check(scenario('none', N, exhaustiveK, W));
console.log(`(control: freeing with no serialization at all: ${control.verdict} — ${control.violation?.message ?? 'no violation found'})\n`);
console.log('policy                         IPIs/collapse  exhaustive (I1)          collapse waits (steps): mean  max   deferred wait: mean');
for (const policy of ['accurate', 'growing', 'rcu'] as Policy[]) {
  const ex = check(scenario(policy, N, exhaustiveK, W));
  const prog = scenario(policy, N, K, W);
  const inst = instantiate(prog);
  const rnd = prng(3);
  let waitSum = 0, waitMax = 0, ipis = 0, deferred = 0;
  for (let i = 0; i < S; i++) {
    const e = new Explorer(inst, { model: getModel('sc'), chooser: new Interleaving(rnd) });
    e.run();
    const th0 = e.g.threads[0];
    const inIpi = th0.filter((x) => x.fn === 'serialize_against_pte_lookup' && x.opKind === 10 /* await */).length;
    ipis = inIpi;
    const w = e.parked[0] ?? 0;
    waitSum += w; waitMax = Math.max(waitMax, w);
    // The RCU callback's grace-period wait, on the callback thread call_rcu() spawned.
    e.g.threads.forEach((th, tid) => { if (th.some((x) => x.fn === 'rcu_do_batch')) deferred += e.parked[tid] ?? 0; });
  }
  const names: Record<Policy, string> = { accurate: 'IPI, accurate mm_cpumask', growing: 'IPI, always-growing mm_cpumask', rcu: 'RCU table freeing (call_rcu)', none: 'no serialization' };
  const name = names[policy];
  const verdict = `${ex.verdict} in ${ex.executions} executions`;
  console.log(`${name.padEnd(31)}${String(ipis).padStart(6)}         ${verdict.padEnd(25)}${(waitSum / S).toFixed(2).padStart(10)}  ${String(waitMax).padStart(4)}   ${(deferred / S).toFixed(2).padStart(8)}`);
}
console.log('\nSteps are scheduler steps of other CPUs while CPU0 spins; "deferred" is the grace-period wait of the');
console.log('RCU callback, which runs after the collapse has returned (on RCU\'s callback thread, off the collapse path).');
