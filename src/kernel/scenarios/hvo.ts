// §9: HugeTLB Vmemmap Optimization against a speculative PFN walker holding a stale struct page
// pointer (seed 004: "Do we need to explicitly go through an RCU grace period before freeing the
// pages for use by somebody else?"). Struct pages 0-3 live in vmemmap pages A (0, 1) and B (2, 3).
// Page 2 starts as a live order-0 folio; it is freed, becomes a tail of hugetlb folio H = pages
// 0-3 (frozen at 0), HVO remaps vmemmap page B read-only, and H is unfrozen with refcount 1.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus, rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '../rcu.ts';
import {
  PG_head, TAIL, VMEMMAP_RO, flush_tlb_kernel_range, newPhysMemmap, newVmemmap, page_count_writable,
  page_ref_add_unless_zero, sp_rmw, sp_store, type WritableCheck,
} from '../mm/hugetlb_vmemmap.ts';
import { variants, type Scenario } from '../scenario.ts';

type Knob = 'no-synchronize-rcu' | 'fake-head-check-first';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const A = newPhysMemmap(b, 1, 'vmemmap page A', [0, 0], [PG_head, TAIL | 0]);
    const B = newPhysMemmap(b, 2, 'vmemmap page B', [1, 0], [0, 0]); // page 2: live order-0 folio
    const vm = newVmemmap(b, cpus, [A, B], [1, 2]);
    const order: WritableCheck = knob === 'fake-head-check-first' ? 'fake-head-then-refcount' : 'refcount-then-fake-head';
    b.thread('CPU0', function* (t: Ctx) {
      // A speculative PFN walker (compaction, memory-failure, ...) with a pointer to struct page 2.
      const cpu = cpus.cpu[0];
      const got = yield* t.call('page_ref_add_unless', (function* (): ThreadGen<boolean> {
        yield* t.call('rcu_read_lock', rcu_read_lock(t, cpu));
        let ok = false;
        if (yield* t.call('page_count_writable', page_count_writable(t, cpu, vm, 2, order))) {
          ok = yield* t.call('atomic_add_unless', page_ref_add_unless_zero(t, cpu, vm, 2));
        }
        yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu));
        return ok;
      })());
      if (got) yield* t.call('put_page', sp_rmw(t, cpu, vm, 2, (v) => v - 1, 'put_page'));
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      // The order-0 folio at page 2 is freed (its last reference), and its memory becomes part of H.
      const old = yield* t.call('folio_put', sp_rmw(t, cpu, vm, 2, (v) => v - 1, 'folio_put'));
      yield t.assume(old === 1);
      yield* t.call('prep_compound_page', (function* (): ThreadGen<void> {
        yield* sp_store(t, cpu, vm, 2, 'flags', TAIL | 0);
        yield* sp_store(t, cpu, vm, 3, 'flags', TAIL | 0);
      })());
      yield* t.call('hugetlb_vmemmap_optimize_folio', (function* (): ThreadGen<void> {
        if (knob !== 'no-synchronize-rcu') yield* t.call('synchronize_rcu', synchronize_rcu(t, cpus, cpu));
        yield t.store(vm.pte[1], A.id | VMEMMAP_RO); // vmemmap_remap_pte: B -> A, read-only
        yield* t.call('flush_tlb_kernel_range', flush_tlb_kernel_range(t, cpus, cpu));
      })());
      yield* t.call('folio_ref_unfreeze', sp_store(t, cpu, vm, 0, 'ref', 1)); // H in use
    });
  };
}

export const hvoScenario: Scenario = {
  name: 'hvo-vs-speculative-walker',
  description: 'HVO remapping a tail struct page read-only while a PFN walker holds a stale pointer to it (§9, U9.a/b)',
  seed: '004', section: '§9',
  variants: variants<Knob>('hvo-vs-speculative-walker', make, [
    { name: 'safe', ref: '§9', expected: 'ok', description: 'synchronize_rcu() before the remap (bd225530a4c7) and page_count_writable() reading the refcount before the fake-head check (2025)' },
    { name: 'no-synchronize-rcu', ref: 'U9.a', expected: 'I2', description: 'no grace period before the remap: a walker that read a non-zero refcount through the old mapping cmpxchg()s the now read-only struct page' },
    { name: 'fake-head-check-first', ref: 'U9.b', expected: 'I2', description: 'the June 2024 order, fake-head check then refcount: the check passes before the remap, the refcount is read after unfreeze through the alias' },
  ]),
};

// ---------------------------------------------------------------- U9.d: the 2026 design
function make2026(knob: 'shared-tail-not-zero' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const A = newPhysMemmap(b, 1, 'vmemmap page A', [0, 0], [PG_head, TAIL | 0]);
    // The per-hstate shared tail page: every struct page in it is a tail with refcount 0.
    const Z = newPhysMemmap(b, 3, 'shared tail page', [0, 0], [TAIL | 0, TAIL | 0]);
    // H has been optimized already: B's virtual page maps the shared page (or, unsafe, the head's page).
    const vm = newVmemmap(b, cpus, [A, Z], [1, (knob === 'shared-tail-not-zero' ? A.id : Z.id) | VMEMMAP_RO]);
    b.thread('CPU0', function* (t: Ctx) {
      // A stale walker on struct page 2: no RCU and no page_count_writable() in the 2026 design.
      const cpu = cpus.cpu[0];
      const got = yield* t.call('page_ref_add_unless', page_ref_add_unless_zero(t, cpu, vm, 2));
      if (got) yield* t.call('put_page', sp_rmw(t, cpu, vm, 2, (v) => v - 1, 'put_page'));
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* t.call('folio_ref_unfreeze', sp_store(t, cpus.cpu[1], vm, 0, 'ref', 1)); // H goes into use
    });
  };
}

export const hvo2026Scenario: Scenario = {
  name: 'hvo-shared-tail-2026',
  description: 'the 2026 fake-head-free HVO: optimized tails map one shared read-only page; a stale walker on a tail (§9.4, U9.d)',
  seed: '004', section: '§9',
  variants: variants('hvo-shared-tail-2026', make2026, [
    { name: 'safe', ref: '§9', expected: 'ok', description: 'every shared tail struct page reads refcount 0, so add-unless-zero never writes it' },
    { name: 'shared-tail-not-zero', ref: 'U9.d', expected: 'I2', description: 'the read-only shared page holds a non-zero refcount (here: the head\'s page): add-unless-zero cmpxchg()s read-only memory' },
  ]),
};
