// §2, the other kind of ptep_get_lockless() caller: handle_pte_fault() (mm/memory.c) reads the
// PTE with IRQs on (after pte_offset_map_rw_nolock(), under RCU only), so on 32-bit PAE it can
// get a torn value: the zap's flush IPI does not wait for it, and a zap + remap can land between
// its loads. It tolerates that because it acts on nothing before rechecking the entry under the
// PTL: pte_same() for a present entry, pte_unmap_same() before do_swap_page() (the recheck is
// there "on those architectures or configurations (e.g. i386 with PAE) which might give a mix
// of unmatched parts"), vmf_pte_changed() in do_anonymous_page(). I13 for this caller: it never
// acts on a torn value after its recheck (pae-ptep-get-lockless checks the caller that has no
// recheck, GUP-fast, which therefore reads with IRQs off).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus, rcu_read_lock, rcu_read_unlock, type Cpu } from '../rcu.ts';
import { PAE_PRESENT, newPaePte, native_pte_clear, native_set_pte, ptep_get_lockless, type PaePte } from '../mm/pae.ts';
import { kernelFunction, modelStep } from '../kfn.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I13 } from '../invariants.ts';

// ---------------------------------------------------------------- the fault path (mm/memory.c)
const V = 'v6.13–v6.18';
const mem = (name: string) => ({ name, file: 'mm/memory.c', version: V });

/** A PAE PTE and the split PTL of its table, which every writer of the entry holds. */
export interface PaePteLocked extends PaePte {
  ptl: Loc;
}

type Pte = [number, number];
const same = (a: Pte, b: Pte): boolean => a[0] === b[0] && a[1] === b[1];
const none = (p: Pte): boolean => p[0] === 0 && p[1] === 0;

/** ptep_get() with the PTL held: the writers hold it too, so both words come from one store. */
function* ptep_get_locked(t: Ctx, p: PaePteLocked): ThreadGen<Pte> {
  const lo = yield t.load(p.low);
  const hi = yield t.load(p.high);
  return [lo, hi];
}

/** What the fault acts on (ghost, I13): a whole value the entry held, never a mix of two. */
const checkActsOnWhole = modelStep('(check)', function* (t: Ctx, v: Pte, whole: Pte[], what: string): ThreadGen<void> {
  yield t.assert(none(v) || whole.some((w) => same(w, v)), I13,
    () => `CPU${t.tid} ${what} on PTE (low 0x${v[0].toString(16)}, high 0x${v[1].toString(16)}), a value the entry never held: a torn read acted on`);
});

export interface FaultKnobs {
  /** do_swap_page() without pte_unmap_same()'s locked recheck (the PAE-only branch removed). */
  noPteUnmapSame?: boolean;
}

/** pte_unmap_same(): on configurations where sizeof(pte_t) > sizeof(long), recheck orig_pte under the PTL. */
const pte_unmap_same = kernelFunction(mem('pte_unmap_same'), function* (t: Ctx, cpu: Cpu, p: PaePteLocked, orig: Pte): ThreadGen<boolean> {
  yield t.lock(p.ptl);
  const now = yield* ptep_get_locked(t, p);
  yield t.unlock(p.ptl);
  yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
  return same(now, orig);
});

/** do_swap_page(): orig_pte is not present and not none: a swap (or migration) entry to act on. */
const do_swap_page = kernelFunction(mem('do_swap_page'), function* (t: Ctx, cpu: Cpu, p: PaePteLocked, orig: Pte, whole: Pte[], knobs: FaultKnobs): ThreadGen<void> {
  if (knobs.noPteUnmapSame) yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
  else if (!(yield* pte_unmap_same(t, cpu, p, orig))) return; // somebody else changed it: retry the fault
  // entry = pte_to_swp_entry(vmf->orig_pte): the swap-cache lookup, swap-in … start from it.
  yield* checkActsOnWhole(t, orig, whole, 'do_swap_page() looks up the swap entry');
});

/** do_anonymous_page() (via do_pte_missing()): map a new page if the entry is still none. */
const do_anonymous_page = kernelFunction(mem('do_anonymous_page'), function* (t: Ctx, p: PaePteLocked, whole: Pte[]): ThreadGen<void> {
  yield t.lock(p.ptl);
  const now = yield* ptep_get_locked(t, p);
  if (none(now)) yield* checkActsOnWhole(t, now, whole, 'do_anonymous_page() maps a new page'); // (the new page itself is not modeled)
  yield t.unlock(p.ptl); // vmf_pte_changed(): somebody else mapped it; back off
});

/**
 * handle_pte_fault() for a PAE entry: vmf->orig_pte = ptep_get_lockless() with IRQs on (the
 * table found by pte_offset_map_rw_nolock() under RCU), then to the handler for what it read;
 * each handler rechecks under the PTL before it acts.
 */
export const handle_pte_fault = kernelFunction(mem('handle_pte_fault'),
  function* (t: Ctx, cpu: Cpu, p: PaePteLocked, whole: Pte[], knobs: FaultKnobs = {}): ThreadGen<void> {
    yield* t.call('pte_offset_map_rw_nolock', rcu_read_lock(t, cpu));
    const orig: Pte = yield* t.call('ptep_get_lockless', ptep_get_lockless(t, p));
    if (none(orig)) {
      yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
      yield* do_anonymous_page(t, p, whole); // do_pte_missing()
      return;
    }
    if (!(orig[0] & PAE_PRESENT)) {
      yield* do_swap_page(t, cpu, p, orig, whole, knobs);
      return;
    }
    yield t.lock(p.ptl);
    const now = yield* ptep_get_locked(t, p);
    if (same(now, orig)) yield* checkActsOnWhole(t, orig, whole, 'handle_pte_fault() sets the accessed bit'); // ptep_set_access_flags()
    yield t.unlock(p.ptl); // !pte_same(): update_mmu_tlb(), the fault is retried
    yield* t.call('pte_unmap', rcu_read_unlock(t, cpu));
  });

// ---------------------------------------------------------------- the scenario
type Knob = 'no-pte-unmap-same';

const L1 = 0x11, H1 = 0x1, L2 = 0x21, H2 = 0x2, H3 = 0x3;

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const p: PaePteLocked = { ...newPaePte(b, L1, H1), ptl: b.loc('T0.ptl', 0, (v) => (v ? 'locked' : 'unlocked')) };
    const whole: Pte[] = [[L1, H1], [L2, H2], [L1, H3]];
    b.thread('CPU0', (t: Ctx) => handle_pte_fault(t, cpus.cpu[0], p, whole, { noPteUnmapSame: knob === 'no-pte-unmap-same' }));
    b.thread('CPU1', function* (t: Ctx) {
      // zap_pte_range() under the PTL, then a fault mapping a new page under the PTL; twice (the
      // second remap ends with the low word the entry began with). The zap's flush IPI between
      // them is left out: CPU0 reads with IRQs on, so it never waits for CPU0.
      for (const [l, h] of [[L2, H2], [L1, H3]]) {
        yield t.lock(p.ptl);
        yield* t.call('pte_clear', native_pte_clear(t, p));
        yield t.unlock(p.ptl);
        yield t.lock(p.ptl);
        yield* t.call('set_pte_at', native_set_pte(t, p, l, h));
        yield t.unlock(p.ptl);
      }
    });
  };
}

export const paeFaultScenario: Scenario = {
  name: 'pae-handle-pte-fault',
  description: 'handle_pte_fault() reading a 32-bit PAE PTE with ptep_get_lockless() and IRQs on, against zap/flush/remap under the PTL (§2)',
  seed: '000', section: '§2',
  variants: variants<Knob>('pae-handle-pte-fault', make, [
    { name: 'safe', ref: '§2', expected: 'ok', kernels: 'v6.13–v6.18',
      description: 'mainline: the IRQs-on read may be torn, but every handler rechecks under the PTL (pte_same(), pte_unmap_same(), vmf_pte_changed()) before it acts' },
    { name: 'no-pte-unmap-same', ref: '§2', expected: 'I13', kernels: 'a hypothetical change to v6.13',
      origin: 'a change a patch could make: dropping pte_unmap_same()\'s PAE-only (sizeof(pte_t) > sizeof(long)) recheck from do_swap_page()',
      description: 'do_swap_page() without pte_unmap_same(): a half-written entry (low word 0, the new high word) read with IRQs on is taken for a swap entry and acted on' },
  ]),
};
