// The vmemmap and HugeTLB Vmemmap Optimization (mm/hugetlb_vmemmap.c, include/linux/page_ref.h
// page_ref_add_unless, include/linux/page-flags.h page_count_writable; docs/design/protocols.md §9, §10).
//
// Struct pages live in virtual vmemmap pages of two struct pages each; a vmemmap PTE maps each
// virtual page to a physical page of struct pages, read-write or read-only (or not at all). A
// struct-page access is one instruction: translate through the vmemmap PTE, then access, without
// interruption (an IRQs-off window, see tlb.ts), so a remap + TLB flush cannot split it.
// Writing through a read-only mapping, or touching an unmapped one, is a crash (I2).
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { smp_call_function, type Cpu, type Cpus } from '../rcu.ts';
import { insn_begin, insn_end } from '../tlb.ts';
import { I2 } from '../invariants.ts';

/** vmemmap PTE flag: the mapping is read-only (HVO maps the tail struct pages read-only). */
export const VMEMMAP_RO = 0x10;
/** struct page flag PG_head. */
export const PG_head = 1;
/** compound_head value of a tail page: 0x100 | head index. */
export const TAIL = 0x100;

/** One physical page of struct pages: two (refcount, flags/compound_head) pairs. */
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
  return {
    id, name,
    ref: refs.map((r, i) => b.loc(`${name}.page[${i}]._refcount`, r)),
    flags: flags.map((f, i) => b.loc(`${name}.page[${i}].flags`, f, showFlags)),
  };
}

/** The vmemmap over `phys`, with its PTEs `ptes` (physical page id | VMEMMAP_RO, 0 = unmapped). */
export function newVmemmap(b: Builder, cpus: Cpus, phys: PhysMemmap[], ptes: number[]): Vmemmap {
  const show = (v: number) => (v === 0 ? 'unmapped' : `-> ${phys.find((p) => p.id === (v & 0xf))?.name ?? v}${v & VMEMMAP_RO ? ' (read-only)' : ''}`);
  return { phys, pte: ptes.map((v, i) => b.loc(`vmemmap_pte[${i}]`, v, show)), cpus, boot: ptes.map((v) => v & 0xf) };
}

type Field = 'ref' | 'flags';

function* translate(t: Ctx, vm: Vmemmap, page: number): ThreadGen<[PhysMemmap | null, boolean]> {
  const v = yield t.load(vm.pte[page >> 1]);
  if (v === 0) return [null, false];
  return [vm.phys.find((p) => p.id === (v & 0xf))!, (v & VMEMMAP_RO) !== 0];
}

/** A load of struct page `page`'s field (one instruction). */
export function* sp_load(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, field: Field): ThreadGen<number> {
  yield* insn_begin(t, cpu);
  const [ph] = yield* translate(t, vm, page);
  yield t.assert(ph !== null, I2, () => `CPU${t.tid} reads struct page ${page} (${field}) whose vmemmap is unmapped`);
  const v = yield t.load(ph![field][page & 1]);
  yield* insn_end(t, cpu);
  return v;
}

/** An atomic RMW on struct page `page`'s refcount (one locked instruction: it always writes). */
export function* sp_rmw(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, f: (v: number) => number | undefined, what: string): ThreadGen<number> {
  return (yield* sp_rmw_at(t, cpu, vm, page, f, what)).old;
}

/**
 * sp_rmw() that also says whose memory the instruction hit: `home` is the struct page whose own
 * (boot-time) memory holds the counter, which differs from `page` when `page` is reached through
 * an HVO alias. Ghost information: the kernel cannot tell.
 */
export function* sp_rmw_at(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, f: (v: number) => number | undefined, what: string): ThreadGen<{ old: number; home: number }> {
  yield* insn_begin(t, cpu);
  const [ph, ro] = yield* translate(t, vm, page);
  yield t.assert(ph !== null && !ro, I2, () => `CPU${t.tid} ${what} on struct page ${page}, whose vmemmap is ${ph ? 'read-only' : 'unmapped'}: the kernel oopses`);
  const old = yield t.rmw(ph!.ref[page & 1], f);
  yield* insn_end(t, cpu);
  return { old, home: 2 * vm.boot.indexOf(ph!.id) + (page & 1) };
}

/** A plain store to a struct page field (initialisation by the owner). */
export function* sp_store(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, field: Field, v: number): ThreadGen<void> {
  yield* insn_begin(t, cpu);
  const [ph, ro] = yield* translate(t, vm, page);
  yield t.assert(ph !== null && !ro, I2, () => `CPU${t.tid} stores to struct page ${page} through a ${ph ? 'read-only' : 'missing'} vmemmap mapping`);
  yield t.store(ph![field][page & 1], v);
  yield* insn_end(t, cpu);
}

/** atomic_add_unless(&page->_refcount, 1, 0): read, then cmpxchg unless 0. */
export function* page_ref_add_unless_zero(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number): ThreadGen<boolean> {
  const c = yield* sp_load(t, cpu, vm, page, 'ref');
  if (c === 0) return false;
  const old = yield* sp_rmw(t, cpu, vm, page, (v) => (v === c ? v + 1 : undefined), 'atomic_try_cmpxchg(_refcount)');
  // A failed cmpxchg means the count moved: the kernel loops; that retry is the same as a later
  // start (spin-loop reduction), so the execution ends here.
  if (old !== c) { yield t.assume(false); return false; }
  return true;
}

/** page_fixed_fake_head(): page-aligned in vmemmap, PG_head set, and page[1] is a tail. */
export function* is_fake_head(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number): ThreadGen<boolean> {
  if (page & 1) return false;
  if (page === 0) return false; // the real head
  const f = yield* sp_load(t, cpu, vm, page, 'flags');
  if (!(f & PG_head)) return false;
  const next = yield* sp_load(t, cpu, vm, page + 1, 'flags');
  return (next & TAIL) !== 0;
}

/** The orders of page_count_writable()'s two reads (2025 fix, the order before it) or no check at all. */
export type WritableCheck = 'refcount-then-fake-head' | 'fake-head-then-refcount' | 'none';

/** page_count_writable(): the 2025 order reads the refcount (acquire) first, then the fake-head check. */
export function* page_count_writable(t: Ctx, cpu: Cpu, vm: Vmemmap, page: number, order: WritableCheck): ThreadGen<boolean> {
  if (order === 'none') return true;
  if (order === 'refcount-then-fake-head') {
    const c = yield* sp_load(t, cpu, vm, page, 'ref');
    if (c === 0) return false;
    return !(yield* is_fake_head(t, cpu, vm, page));
  }
  if (yield* is_fake_head(t, cpu, vm, page)) return false;
  const c = yield* sp_load(t, cpu, vm, page, 'ref');
  return c !== 0;
}

/** flush_tlb_kernel_range(): waits for every struct-page instruction in flight. */
export function* flush_tlb_kernel_range(t: Ctx, cpus: Cpus, self: Cpu): ThreadGen<void> {
  yield* smp_call_function(t, cpus, self);
}
