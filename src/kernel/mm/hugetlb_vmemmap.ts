// The vmemmap and HugeTLB Vmemmap Optimization (mm/hugetlb_vmemmap.c, include/linux/page_ref.h
// page_ref_add_unless, include/linux/page-flags.h page_count_writable, page_fixed_fake_head;
// docs/design/protocols.md §9, §10).
//
// Struct pages live in virtual vmemmap pages of two struct pages each; a vmemmap PTE maps each
// virtual page to a physical page of struct pages, read-write or read-only (or not at all). A
// struct-page access is one instruction: translate through the vmemmap PTE, then access, without
// interruption (an IRQs-off window, see hw.ts), so a remap + TLB flush cannot split it.
// structPageLoad/Rmw/Store are those instructions (model code); the kernel functions built on
// them are declared with kernelFunction().
// Writing through a read-only mapping, or touching an unmapped one, is a crash (I2).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { insnBegin, insnEnd } from '../hw.ts';
import { I2 } from '../invariants.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { synchronize_rcu } from '../kernel/rcu/tree.ts';
import { flush_tlb_kernel_range } from '../arch/x86/mm/tlb.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { REFCOUNT } from '../include/linux/page_ref.ts';

/** vmemmap PTE flag: the mapping is read-only (HVO maps the tail struct pages read-only). */
export const VMEMMAP_RO = 0x10;
/** struct page flag PG_head. */
export const PG_head = 1;
/** compound_head value of a tail page: 0x100 | head index. */
export const TAIL = 0x100;

/**
 * One physical page of struct pages: two (refcount, flags/compound_head) pairs. An object of the
 * program (kind 'struct-page-backing'): HVO and memory hot-remove free it once nothing maps it,
 * and an access that still reaches it is an I2 use-after-free at that access.
 */
export interface PhysMemmap {
  id: number;
  name: string;
  ref: Loc[];
  flags: Loc[];
}

/** The vmemmap: virtual struct pages, mapped by PTEs onto physical pages of struct pages. */
export interface Vmemmap {
  phys: PhysMemmap[];
  /** vmemmap PTE per virtual page: phys id | VMEMMAP_RO, 0 = unmapped. */
  pte: Loc[];
  cpus: Cpus;
  /** The vmemmap PTEs at boot: which physical page holds each struct page's own memory. */
  boot: number[];
}

const showFlags = (v: number): string => (v & TAIL ? `tail of page ${v & 0xff}` : v & PG_head ? 'PG_head' : 'order-0');

/** A physical page of struct pages with their refcounts and flags. */
export function newPhysMemmap(b: Builder, id: number, name: string, refs: number[], flags: number[]): PhysMemmap {
  const ref = refs.map((r, i) => b.loc(`${name}.page[${i}]._refcount`, r, REFCOUNT));
  const fl = flags.map((f, i) => b.loc(`${name}.page[${i}].flags`, f, showFlags));
  b.object('struct-page-backing', name, { _refcount: ref, flags: fl } satisfies ObjectFields['struct-page-backing'], { invariant: I2 });
  return { id, name, ref, flags: fl };
}

/** The vmemmap over `phys`, with its PTEs `ptes` (physical page id | VMEMMAP_RO, 0 = unmapped). */
export function newVmemmap(b: Builder, cpus: Cpus, phys: PhysMemmap[], ptes: number[]): Vmemmap {
  const show = (v: number) => (v === 0 ? 'unmapped' : `-> ${phys.find((p) => p.id === (v & 0xf))?.name ?? v}${v & VMEMMAP_RO ? ' (read-only)' : ''}`);
  const entries = ptes.map((v, i) => b.loc(`vmemmap_pte[${i}]`, v, show));
  b.object('vmemmap', 'vmemmap_pte', { entries } satisfies ObjectFields['vmemmap']);
  return { phys, pte: entries, cpus, boot: ptes.map((v) => v & 0xf) };
}

type Field = 'ref' | 'flags';

function* translate(t: Ctx, vm: Vmemmap, page: number): ThreadGen<[PhysMemmap | null, boolean]> {
  const v = yield t.load(vm.pte[page >> 1]);
  if (v === 0) return [null, false];
  return [vm.phys.find((p) => p.id === (v & 0xf))!, (v & VMEMMAP_RO) !== 0];
}

/** A load of struct page `page`'s field (one instruction). */
export function* structPageLoad(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, field: Field): ThreadGen<number> {
  yield* insnBegin(t, cpu);
  const [ph] = yield* translate(t, vm, page);
  yield t.assert(ph !== null, I2, () => `CPU${t.tid} reads struct page ${page} (${field}) whose vmemmap is unmapped`);
  const v = yield t.load(ph![field][page & 1]);
  yield* insnEnd(t, cpu);
  return v;
}

/** An atomic RMW on struct page `page`'s refcount (one locked instruction: it always writes). */
export function* structPageRmw(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, f: (v: number) => number | undefined, what: string): ThreadGen<number> {
  return (yield* structPageRmwAt(t, cpu, vm, page, f, what)).old;
}

/**
 * structPageRmw() that also says whose memory the instruction hit: `home` is the struct page whose own
 * (boot-time) memory holds the counter, which differs from `page` when `page` is reached through
 * an HVO alias. Ghost information: the kernel cannot tell.
 */
export function* structPageRmwAt(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, f: (v: number) => number | undefined, what: string): ThreadGen<{ old: number; home: number }> {
  yield* insnBegin(t, cpu);
  const [ph, ro] = yield* translate(t, vm, page);
  yield t.assert(ph !== null && !ro, I2, () => `CPU${t.tid} ${what} on struct page ${page}, whose vmemmap is ${ph ? 'read-only' : 'unmapped'}: the kernel oopses`);
  const old = yield t.rmw(ph!.ref[page & 1], f);
  yield* insnEnd(t, cpu);
  return { old, home: 2 * vm.boot.indexOf(ph!.id) + (page & 1) };
}

/** A plain store to a struct page field (initialisation by the owner). */
export function* structPageStore(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, field: Field, v: number): ThreadGen<void> {
  yield* insnBegin(t, cpu);
  const [ph, ro] = yield* translate(t, vm, page);
  yield t.assert(ph !== null && !ro, I2, () => `CPU${t.tid} stores to struct page ${page} through a ${ph ? 'read-only' : 'missing'} vmemmap mapping`);
  yield t.store(ph![field][page & 1], v);
  yield* insnEnd(t, cpu);
}

/**
 * atomic_add_unless(&page->_refcount, 1, 0) (raw_atomic_add_unless() -> the try_cmpxchg loop of
 * include/linux/atomic/atomic-arch-fallback.h): read, then cmpxchg unless 0.
 */
export const atomic_add_unless = kernelFunction({ name: 'atomic_add_unless', file: 'include/linux/atomic/atomic-instrumented.h', version: MAINLINE },
  function* (t: Ctx, cpu: Cpu, vm: Vmemmap, page: number): ThreadGen<boolean> {
    const c = yield* structPageLoad(t, cpu, vm, page, 'ref');
    if (c === 0) return false;
    const old = yield* structPageRmw(t, cpu, vm, page, (v) => (v === c ? v + 1 : undefined), 'atomic_try_cmpxchg(_refcount)');
    // A failed cmpxchg means the count moved: the kernel loops; that retry is the same as a later
    // start (spin-loop reduction), so the execution ends here.
    if (old !== c) { yield t.assume(false); return false; }
    return true;
  });

/** page_fixed_fake_head(): page-aligned in vmemmap, PG_head set, and page[1] is a tail. */
export const page_fixed_fake_head = kernelFunction({ name: 'page_fixed_fake_head', file: 'include/linux/page-flags.h', version: MAINLINE },
  function* (t: Ctx, cpu: Cpu, vm: Vmemmap, page: number): ThreadGen<boolean> {
    if (page & 1) return false;
    if (page === 0) return false; // the real head
    const f = yield* structPageLoad(t, cpu, vm, page, 'flags');
    if (!(f & PG_head)) return false;
    const next = yield* structPageLoad(t, cpu, vm, page + 1, 'flags');
    return (next & TAIL) !== 0;
  });

/** The orders of page_count_writable()'s two reads (2025 fix, the order before it) or no check at all. */
export type WritableCheck = 'refcount-then-fake-head' | 'fake-head-then-refcount' | 'none';

/**
 * page_count_writable(): the 2025 order reads the refcount (acquire) first, then the fake-head
 * check; 'fake-head-then-refcount' is the June 2024 order (U9.b).
 */
export const page_count_writable = kernelFunction({ name: 'page_count_writable', file: 'include/linux/page-flags.h', version: MAINLINE, note: "order 'fake-head-then-refcount' is the June 2024 code" },
  function* (t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, order: WritableCheck): ThreadGen<boolean> {
    if (order === 'none') return true;
    if (order === 'refcount-then-fake-head') {
      const c = yield* structPageLoad(t, cpu, vm, page, 'ref');
      if (c === 0) return false;
      return !(yield* page_fixed_fake_head(t, cpu, vm, page));
    }
    if (yield* page_fixed_fake_head(t, cpu, vm, page)) return false;
    const c = yield* structPageLoad(t, cpu, vm, page, 'ref');
    return c !== 0;
  });

/**
 * folio_put_testzero() through a struct-page pointer: the decrement, and (ghost) whose counter it
 * hit (see structPageRmwAt). `what` names the put in the I2 message.
 */
export const folio_put_testzero = kernelFunction({ name: 'folio_put_testzero', file: 'include/linux/mm.h', version: MAINLINE },
  (t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, what: string): ThreadGen<{ old: number; home: number }> =>
    structPageRmwAt(t, cpu, vm, page, (v) => v - 1, what));

/**
 * page_ref_add_unless(page, 1, 0): since bd225530a4c7 inside rcu_read_lock() and behind
 * page_count_writable() (`rcu`, `writable`); without them, the code before it or the 2026
 * fake-head-free design.
 */
export const page_ref_add_unless = kernelFunction({ name: 'page_ref_add_unless', file: 'include/linux/page_ref.h', version: MAINLINE, note: 'without rcu/writable: the code before bd225530a4c7, or the 2026 design' },
  function* (t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, opts: { rcu?: boolean; writable?: WritableCheck } = {}): ThreadGen<boolean> {
    if (opts.rcu) yield* rcu_read_lock(t, cpu);
    let ok = false;
    if (yield* page_count_writable(t, cpu, vm, page, opts.writable ?? 'none')) ok = yield* atomic_add_unless(t, cpu, vm, page);
    if (opts.rcu) yield* rcu_read_unlock(t, cpu);
    return ok;
  });

/** page_ref_unfreeze() of a struct page: its refcount is set (the model: a plain store). */
export const page_ref_unfreeze = kernelFunction({ name: 'page_ref_unfreeze', file: 'include/linux/page_ref.h', version: MAINLINE, note: 'a plain store in the model (the kernel: atomic_set_release)' },
  (t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, count: number): ThreadGen<void> => structPageStore(t, cpu, vm, page, 'ref', count));

/** prep_compound_page(): the pages after the head become its tails. */
export const prep_compound_page = kernelFunction({ name: 'prep_compound_page', file: 'mm/page_alloc.c', version: MAINLINE },
  function* (t: Ctx, cpu: Cpu, vm: Vmemmap, tails: number[], head: number): ThreadGen<void> {
    for (const p of tails) yield* structPageStore(t, cpu, vm, p, 'flags', TAIL | head);
  });

/**
 * hugetlb_vmemmap_optimize_folio(): synchronize_rcu() (bd225530a4c7; `synchronizeRcu: false` is
 * the code before it), then vmemmap_remap_pte() of virtual page `vpage` to the physical page
 * `to`, read-only (or read-write: the rejected design), and the kernel TLB flush.
 */
export const hugetlb_vmemmap_optimize_folio = kernelFunction({ name: 'hugetlb_vmemmap_optimize_folio', file: 'mm/hugetlb_vmemmap.c', version: MAINLINE, note: 'synchronizeRcu false: before bd225530a4c7; readOnly false: a rejected design' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, vm: Vmemmap, vpage: number, to: PhysMemmap, opts: { synchronizeRcu: boolean; readOnly: boolean }): ThreadGen<void> {
    if (opts.synchronizeRcu) yield* synchronize_rcu(t, cpus, cpu);
    const old = yield t.load(vm.pte[vpage]);
    yield t.store(vm.pte[vpage], to.id | (opts.readOnly ? VMEMMAP_RO : 0)); // vmemmap_remap_pte
    yield* flush_tlb_kernel_range(t, cpus, cpu);
    // vmemmap_remap_free() -> free_vmemmap_page_list(): the page the struct pages lived in is freed.
    const was = vm.phys.find((p) => p.id === (old & 0xf));
    if (was && was !== to) yield* freeStructPageBacking(t, was);
  });

/** The physical page of struct pages goes back to the page allocator (all of it is freed). */
export function* freeStructPageBacking(t: Ctx, ph: PhysMemmap): ThreadGen<void> {
  for (const l of [...ph.ref, ...ph.flags]) yield t.free(l);
}
