// §9: HugeTLB Vmemmap Optimization against a speculative PFN walker holding a stale struct page
// pointer (seed 004: "Do we need to explicitly go through an RCU grace period before freeing the
// pages for use by somebody else?"). Struct pages 0-3 live in vmemmap pages A (0, 1) and B (2, 3).
// Page 2 starts as a live order-0 folio; it is freed, becomes a tail of hugetlb folio H = pages
// 0-3 (frozen at 0), HVO remaps vmemmap page B read-only, and H is unfrozen with refcount 1.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus, type Cpu } from '../cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import {
  PG_head, TAIL, VMEMMAP_RO, folio_put_testzero, hugetlb_vmemmap_optimize_folio, newPhysMemmap, newVmemmap,
  page_ref_add_unless, page_ref_unfreeze, prep_compound_page, type Vmemmap, type WritableCheck,
} from '../mm/hugetlb_vmemmap.ts';
import { __filemap_remove_folio, newAddressSpace } from '../mm/filemap.ts';
import { FOLIO_PUT_SOURCE } from '../mm/swap.ts';
import { xasLoadSlot, xasReloadSlot } from '../lib/xarray.ts';
import { kernelFunction } from '../kfn.ts';
import { variants, type Scenario } from '../scenario.ts';
import { I6 } from '../invariants.ts';

type Knob = 'no-synchronize-rcu' | 'fake-head-check-first' | 'pre-fix' | 'fixed';

/**
 * The walker's pointer: struct page 2 (the first struct page of vmemmap page B: a fake head once
 * B is remapped onto A) for the seed rows; struct page 3 (a plain tail, whose refcount reads 0
 * through the new mapping) for B4's variants, the case bd225530a4c7's message draws ("Even though
 * page1->_refcount is zero after HVO, get_page_unless_zero() can still try to modify this
 * read-only field").
 */
const walkerPage = (knob: Knob | undefined): number => (knob === 'pre-fix' || knob === 'fixed' ? 3 : 2);

/** page_ref_add_unless() as each variant's kernel has it (mm/hugetlb_vmemmap.ts). */
function getter(knob: Knob | undefined): { rcu?: boolean; writable?: WritableCheck } {
  if (knob === 'pre-fix') return {}; // a bare atomic_add_unless()
  if (knob === 'fixed' || knob === 'fake-head-check-first') return { rcu: true, writable: 'fake-head-then-refcount' }; // bd225530a4c7
  return { rcu: true, writable: 'refcount-then-fake-head' }; // "mm/hugetlb_vmemmap: fix memory loads ordering" (2025)
}

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const page = walkerPage(knob);
    const A = newPhysMemmap(b, 1, 'vmemmap page A', [0, 0], [PG_head, TAIL | 0]);
    // Struct page `page` is a live order-0 folio (refcount 1) in vmemmap page B.
    const B = newPhysMemmap(b, 2, 'vmemmap page B', page === 2 ? [1, 0] : [0, 1], [0, 0]);
    const vm = newVmemmap(b, cpus, [A, B], [1, 2]);
    b.thread('CPU0', function* (t: Ctx) {
      // A speculative PFN walker (compaction, memory-failure, ...) with a pointer to struct page `page`.
      const cpu = cpus.cpu[0];
      const got = yield* page_ref_add_unless(t, cpu, vm, page, getter(knob));
      if (got) yield* folio_put_testzero(t, cpu, vm, page, 'put_page');
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      // The order-0 folio at `page` is freed (its last reference), and its memory becomes part of H.
      const { old } = yield* folio_put_testzero(t, cpu, vm, page, 'folio_put');
      yield t.assume(old === 1);
      yield* prep_compound_page(t, cpu, vm, [2, 3], 0);
      // vmemmap_remap_pte: B -> A, read-only
      const synchronizeRcu = knob !== 'no-synchronize-rcu' && knob !== 'pre-fix';
      yield* hugetlb_vmemmap_optimize_folio(t, cpus, cpu, vm, 1, A, { synchronizeRcu, readOnly: true });
      yield* page_ref_unfreeze(t, cpu, vm, 0, 1); // H in use
    });
  };
}

export const hvoScenario: Scenario = {
  name: 'hvo-vs-speculative-walker',
  description: 'HVO remapping a tail struct page read-only while a PFN walker holds a stale pointer to it (§9, U9.a/b; bug B4)',
  seed: '004', section: '§9',
  variants: variants<Knob>('hvo-vs-speculative-walker', make, [
    { name: 'safe', ref: '§9', expected: 'ok', description: 'synchronize_rcu() before the remap (bd225530a4c7) and page_count_writable() reading the refcount before the fake-head check (2025)' },
    { name: 'no-synchronize-rcu', kernels: 'a hypothetical change to v6.14', ref: 'U9.a', expected: 'I2', description: 'no grace period before the remap: a walker that read a non-zero refcount through the old mapping cmpxchg()s the now read-only struct page' },
    { name: 'fake-head-check-first', commit: 'bd225530a4c7', kernels: 'v6.10–v6.13 (bd225530a4c7\'s own check order, before "mm/hugetlb_vmemmap: fix memory loads ordering")', ref: 'U9.b', expected: 'I2', description: 'bd225530a4c7\'s order, fake-head check then refcount, on a struct page that becomes a fake head: the check passes before the remap, the refcount is read after unfreeze through the alias' },
    { name: 'pre-fix', commit: 'bd225530a4c7', kernels: 'v5.14–v6.9 (before bd225530a4c7)', ref: '§9', expected: 'I2',
      origin: 'the kernel before bd225530a4c7: page_ref_add_unless() is a bare atomic_add_unless(), and HVO remaps the vmemmap without synchronize_rcu()',
      description: 'the walker read page 3\'s refcount (1: a live LRU folio) through the old mapping; the folio is freed, becomes a tail of H and is remapped read-only; the walker\'s cmpxchg() writes the read-only struct page' },
    { name: 'fixed', commit: 'bd225530a4c7', kernels: 'v6.10–v6.13 (bd225530a4c7)', ref: '§9', expected: 'ok',
      description: 'bd225530a4c7: synchronize_rcu() before the remap, and the getter inside rcu_read_lock() behind !page_is_fake_head() && page_ref_count() != 0: the walker sees zero through the old mapping or the new one' },
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
      const got = yield* page_ref_add_unless(t, cpu, vm, 2);
      if (got) yield* folio_put_testzero(t, cpu, vm, 2, 'put_page');
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* page_ref_unfreeze(t, cpus.cpu[1], vm, 0, 1); // H goes into use
    });
  };
}

export const hvo2026Scenario: Scenario = {
  name: 'hvo-shared-tail-2026',
  description: 'the 2026 fake-head-free HVO: optimized tails map one shared read-only page; a stale walker on a tail (§9.4, U9.d)',
  seed: '004', section: '§9',
  variants: variants('hvo-shared-tail-2026', make2026, [
    { name: 'safe', kernels: 'a 2026 patch series (fake-head-free HVO), not merged here', ref: '§9', expected: 'ok', description: 'every shared tail struct page reads refcount 0, so add-unless-zero never writes it' },
    { name: 'shared-tail-not-zero', kernels: 'a hypothetical change to the 2026 fake-head-free design', ref: 'U9.d', expected: 'I2', description: 'the read-only shared page holds a non-zero refcount (here: the head\'s page): add-unless-zero cmpxchg()s read-only memory' },
  ]),
};

// ---------------------------------------------------------------- U9.c: a read-write alias
// Seed 004's "7 of the 512" case: a page-cache lookup (filemap_get_entry) whose folio pointer
// becomes a fake head, i.e. an alias of the hugetlb head. Matthew Wilcox: the lookup's
// folio_try_get() succeeds on the head's refcount, xas_reload() fails, and "it will call
// folio_put() on something which used to be a folio, and isn't any more ... everything's fine,
// but really only by coincidence". The coincidence ends when the walker's put is the last one:
// __folio_put() then frees the fake head as a folio of its own. The kernel's design makes HVO'ed
// struct pages immutable (read-only, RCU, page_count_writable()), so the walker never takes that
// reference; the rejected alternative maps them read-write instead (§9.2 fix (1), §9.6 U9.c).

/**
 * __folio_put() of struct page `page` as a folio. The ghost check: the counter that reached zero
 * must be `page`'s own (`home`), or the folio freed is not the one whose last reference went.
 */
const __folio_put = kernelFunction(FOLIO_PUT_SOURCE,
  function* (t: Ctx, page: number, home: number, name: (p: number) => string): ThreadGen<void> {
    yield t.assert(home === page, I6, () => `CPU${t.tid}'s folio_put(struct page ${page}) dropped the last reference of ${name(home)} (struct page ${home}'s refcount, reached through a read-write vmemmap alias): __folio_put() frees struct page ${page} as a folio while the folio whose count reached zero is ${name(home)}`);
  });

/**
 * folio_put(folio) on a struct-page pointer: folio_put_testzero() through the vmemmap, then
 * __folio_put() when it was the last reference.
 */
function* folioPutStructPage(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, name: (p: number) => string): ThreadGen<void> {
  const { old, home } = yield* folio_put_testzero(t, cpu, vm, page, 'folio_put');
  if (old !== 1) return;
  yield* __folio_put(t, page, home, name);
}

function makeRwAlias(knob: 'rw-vmemmap-alias' | undefined) {
  return (b: Builder) => {
    const rw = knob === 'rw-vmemmap-alias';
    const cpus = new Cpus(b, 2);
    const A = newPhysMemmap(b, 1, 'vmemmap page A', [0, 0], [PG_head, TAIL | 0]);
    const B = newPhysMemmap(b, 2, 'vmemmap page B', [1, 0], [0, 0]); // page 2: a page-cache folio
    const vm = newVmemmap(b, cpus, [A, B], [1, 2]);
    const mapping = newAddressSpace(b, 'file', [2]); // i_pages[0] = the folio at struct page 2
    const name = (p: number) => (p === 0 ? 'hugetlb folio H' : `the folio at struct page ${p}`);
    b.thread('CPU0', function* (t: Ctx) {
      // filemap_get_entry(mapping, 0), preempted after xas_load() (seed 004's CPU A).
      const cpu = cpus.cpu[0];
      yield* rcu_read_lock(t, cpu);
      const folio = yield* xasLoadSlot(t, mapping.slots[0]);
      let got = false;
      if (folio !== 0) {
        // folio_try_get() -> page_ref_add_unless(): with a read-write vmemmap nothing can fault, so
        // the rejected design has no page_count_writable() (neither had the kernel before bd225530a4c7).
        got = yield* page_ref_add_unless(t, cpu, vm, folio, { writable: rw ? 'none' : 'refcount-then-fake-head' });
      }
      if (got && (yield* xasReloadSlot(t, mapping.slots[0])) !== folio) {
        yield* folioPutStructPage(t, cpu, vm, folio, name);
        got = false; // goto repeat: the slot is empty now, the lookup returns NULL
      }
      yield* rcu_read_unlock(t, cpu);
      if (got) yield* folioPutStructPage(t, cpu, vm, folio, name); // done with it
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      // Truncation: the folio leaves the page cache and its last reference goes; the memory
      // becomes part of hugetlb folio H = struct pages 0-3, frozen at 0.
      yield* __filemap_remove_folio(t, mapping, 0);
      const { old } = yield* folio_put_testzero(t, cpu, vm, 2, 'folio_put');
      yield t.assume(old === 1); // else the lookup holds it and the page stays a page-cache folio
      yield* prep_compound_page(t, cpu, vm, [2, 3], 0);
      // vmemmap_remap_pte: B -> A
      yield* hugetlb_vmemmap_optimize_folio(t, cpus, cpu, vm, 1, A, { synchronizeRcu: !rw, readOnly: !rw });
      yield* page_ref_unfreeze(t, cpu, vm, 0, 1); // H allocated
      // H's user is done with it: its last reference goes and H returns to the hugetlb pool.
      yield* folioPutStructPage(t, cpu, vm, 0, name);
    });
  };
}

export const hvoRwAliasScenario: Scenario = {
  name: 'hvo-vs-page-cache-lookup',
  description: 'a page-cache lookup whose stale folio pointer becomes an HVO fake head: immutable read-only struct pages against the rejected read-write alias (§9.6, U9.c)',
  seed: '004', section: '§9',
  variants: variants('hvo-vs-page-cache-lookup', makeRwAlias, [
    { name: 'safe', ref: '§9', expected: 'ok', description: 'read-only remap after synchronize_rcu(), page_count_writable() before the get: the lookup never takes a reference through the fake head' },
    { name: 'rw-vmemmap-alias', kernels: 'a rejected design (seed 004, §9.2 fix (1)), not history', ref: 'U9.c', expected: 'I6', description: 'the rejected design (never merged): vmemmap remapped read-write instead of read-only after RCU: folio_try_get() through the fake head takes a reference on H; when H\'s user drops its reference first, the lookup\'s folio_put() frees the fake head as a folio' },
  ]),
};
