// struct vm_area_struct as the rmap-side scenarios need it (include/linux/mm_types.h): which mm
// and which PMD entry the VMA's PMD-aligned range uses, its anon_vma pointer, its file and the
// userfaultfd / sharing flags the khugepaged and mremap checks read. A VMA is linked into its
// file's i_mmap tree and its anon_vma's tree by the constructor, in the order it is created: the
// order an rmap walk visits them (vma_interval_tree_foreach / anon_vma_interval_tree_foreach).
// Also mm->tlb_flush_pending, the count of mmu_gather batches in progress on an mm.
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../../engine/ops.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';
import type { Builder } from '../../../engine/program.ts';
import type { ObjectFields } from '../../../trace-format/index.ts';
import type { Mm } from '../../mm/mm.ts';
import type { Pmd } from './pgtable.ts';
import type { AnonVma } from './rmap.ts';
import type { AddressSpaceRmap } from './fs.ts';

/** A struct vm_area_struct: its mm, the PMD entry of its range, its anon_vma, file and flags. */
export interface Vma {
  name: string;
  mm: Mm;
  /** The PMD entry that maps the VMA's (one, PMD-aligned) range. */
  pmd: Pmd;
  /** `mm` seen through that PMD entry: what the Mm-based walkers (pte_offset_map_lock …) take. */
  mmAtPmd: Mm;
  /** vma->anon_vma: 0 = NULL; set once (anon_vma_prepare()) and never cleared while mapped. */
  anon_vma: Loc;
  /** The anon_vma the VMA is, or would be, linked to. */
  av?: AnonVma;
  /** vma->vm_file->f_mapping, for a file VMA. */
  file?: AddressSpaceRmap;
  /** VM_SHARED */
  shared: boolean;
  /** userfaultfd_armed(): registered for missing or minor faults. */
  uffdArmed: boolean;
  /** userfaultfd_wp(): registered for write-protect (PTE markers may appear). */
  uffdWp: boolean;
}

/** What newVma() needs: the mm, and optionally the PMD entry, anon_vma, file and flags. */
export interface VmaSpec {
  mm: Mm;
  pmd?: Pmd;
  /** The anon_vma, and whether vma->anon_vma already points to it. */
  av?: AnonVma;
  anonVmaSet?: boolean;
  file?: AddressSpaceRmap;
  shared?: boolean;
  uffdArmed?: boolean;
  uffdWp?: boolean;
}

/** vma->anon_vma (1: set, 0: NULL), the field of the VMA's object (kind 'vma'). */
function vmaAnonVma(b: Builder, name: string, spec: VmaSpec): Loc {
  const anon_vma = b.loc(`${name}.anon_vma`, spec.av && spec.anonVmaSet ? 1 : 0, (v) => (v ? (spec.av?.name ?? 'set') : 'NULL'));
  b.object('vma', name, { anon_vma } satisfies ObjectFields['vma']);
  return anon_vma;
}

/** A VMA, appended to its file's i_mmap and its anon_vma's tree (the walk order). */
export function newVma(b: Builder, name: string, spec: VmaSpec): Vma {
  const vma: Vma = {
    name,
    mm: spec.mm,
    pmd: spec.pmd ?? spec.mm,
    mmAtPmd: spec.pmd ? { ...spec.mm, pmd: spec.pmd.pmd, pml: spec.pmd.pml } : spec.mm,
    anon_vma: vmaAnonVma(b, name, spec),
    av: spec.av,
    file: spec.file,
    shared: spec.shared ?? false,
    uffdArmed: spec.uffdArmed ?? false,
    uffdWp: spec.uffdWp ?? false,
  };
  spec.file?.i_mmap.push(vma);
  if (spec.av && spec.anonVmaSet) spec.av.vmas.push(vma);
  return vma;
}

// ---------------------------------------------------------------- mm->tlb_flush_pending

/** mm->tlb_flush_pending: how many threads are batching PTE changes (mmu_gather) on `mm`. */
export function newTlbFlushPending(b: Builder, mm: Mm): Loc {
  mm.tlb_flush_pending = b.loc('mm.tlb_flush_pending', 0, (v) => `${v} gather${v === 1 ? '' : 's'} in progress`);
  b.addField(mm.obj, 'tlb_flush_pending', mm.tlb_flush_pending);
  return mm.tlb_flush_pending;
}

const mmTypesH = (name: string) => ({ name, file: 'include/linux/mm_types.h', version: MAINLINE });

function pending(mm: Mm): Loc {
  if (mm.tlb_flush_pending === undefined) throw new Error('mm->tlb_flush_pending is not modeled: newTlbFlushPending(b, mm)');
  return mm.tlb_flush_pending;
}

/** inc_tlb_flush_pending(): atomic_inc() (the PTE changes that follow are ordered by their PTL). */
export const inc_tlb_flush_pending = kernelFunction(mmTypesH('inc_tlb_flush_pending'), function* (t: Ctx, mm: Mm): ThreadGen<void> {
  yield t.fetchAdd(pending(mm), 1, Mode.Relaxed);
});

/**
 * dec_tlb_flush_pending(): atomic_dec(), after the flush ("we must rely on tlb_flush_*() to
 * guarantee order").
 */
export const dec_tlb_flush_pending = kernelFunction(mmTypesH('dec_tlb_flush_pending'), function* (t: Ctx, mm: Mm): ThreadGen<void> {
  yield t.fetchSub(pending(mm), 1, Mode.Relaxed);
});

/** mm_tlb_flush_nested(): more than one gather of `mm` in progress (atomic_read() > 1). */
export const mm_tlb_flush_nested = kernelFunction(mmTypesH('mm_tlb_flush_nested'), function* (t: Ctx, mm: Mm): ThreadGen<boolean> {
  return (yield t.load(pending(mm))) > 1;
});
