// The invariants the kernel model checks, I1–I19: one home for each id, its title and what it
// means. Checks name them as typed values (`t.assert(ok, I5, () => …)`, a final check's
// `{ invariant: I6, message }`), so a violation carries its invariant as a field, never as text
// to be parsed back out of a message. A user's scenario may define invariants of its own with
// `defineInvariant` (any id); the catalog's are registered here.
import type { PropertyRef } from '../engine/ops.ts';

/** An invariant: its id (I1…I16, or a user's own), a one-line title and what it means. */
export interface Invariant {
  readonly id: string;
  /** One line, shown with a violation. */
  readonly title: string;
  /** What the check asserts, and where (docs/design/invariants.md has the longer story). */
  readonly meaning: string;
}

const registry = new Map<string, Invariant>();

/** Declares an invariant (the catalog's, or a user's own); an id may be declared once. */
export function defineInvariant(id: string, title: string, meaning: string): Invariant {
  if (!/^[A-Za-z][\w.-]*$/.test(id)) throw new Error(`invariant id '${id}' must start with a letter and use letters, digits, '_', '.', '-'`);
  const prev = registry.get(id);
  if (prev) {
    if (prev.title === title && prev.meaning === meaning) return prev;
    throw new Error(`invariant ${id} is already defined ("${prev.title}")`);
  }
  const inv: Invariant = Object.freeze({ id, title, meaning });
  registry.set(id, inv);
  return inv;
}

/** Every invariant declared so far, in declaration order (the catalog's first). */
export function invariants(): Invariant[] {
  return [...registry.values()];
}

/** The declared invariant a violation names (by id or by value), if any. */
export function findInvariant(ref: PropertyRef | null | undefined): Invariant | undefined {
  if (ref === null || ref === undefined) return undefined;
  return registry.get(typeof ref === 'string' ? ref : ref.id);
}

export const I1 = defineInvariant('I1', 'No use-after-free of page-table pages.',
  'Every load, store or lock of a page table (its entries or its split PTL), by a software walker or the MMU, ' +
  'happens while the table is allocated and in the generation in which the walker found it. Reading a detached ' +
  'table that is not yet freed is allowed.');
export const I2 = defineInvariant('I2', 'No write to read-only, and no access to unmapped, struct-page memory.',
  'Every access to a struct page goes through the modeled vmemmap: a store through a read-only mapping, or any ' +
  'access through a missing one or to struct-page memory that was freed (HVO, hot-remove), is a crash. So is a read ' +
  'of the memmap\'s section metadata (mem_section->usage, which pfn_valid() reads) after hot-remove freed it, or ' +
  'through its NULL pointer.');
export const I3 = defineInvariant('I3', 'No increment from zero.',
  'A refcount goes from 0 to non-zero only when the allocator hands the page out, when the thread that froze it ' +
  'unfreezes it, or when its owner prepares it (hugetlb/HVO); no reference is ever taken on a tail page.');
export const I4 = defineInvariant('I4', 'Counts never negative.',
  'Refcounts, pincounts and mapcounts never go below zero; a pin contributes its bias to the refcount.');
export const I5 = defineInvariant('I5', 'Freeze exclusivity.',
  'While a folio is frozen by a thread, no other thread takes a reference on it, holds one it did not count, ' +
  'or writes its identity (mapping, index, order, head/tail links).');
export const I6 = defineInvariant('I6', 'Reference conservation.',
  'Every put drops a reference the thread took on that same folio (and generation); at the end every reference ' +
  'is released and each live folio\'s refcount equals its expected count.');
export const I7 = defineInvariant('I7', 'Freed folio has no holders.',
  'When a folio goes back to the allocator, no thread holds a reference on it, no page table maps it, no page-cache ' +
  'slot holds it and no TLB caches a translation to it.');
export const I8 = defineInvariant('I8', 'GUP validity.',
  'A page GUP-fast returns for an address was mapped there (through the table it walked, with the permission ' +
  'asked for) at some instant after its reference was taken and before it returned.');
export const I9 = defineInvariant('I9', 'Page-cache lookup validity.',
  'A folio a lookup returns for (mapping, index) holds that index, and was in that slot, in that generation, at some instant after ' +
  'the reference was taken; a lookup never reads an xarray node that was freed.');
export const I10 = defineInvariant('I10', 'No lost write under migration (or collapse).',
  'When migration or collapse commits, no write to the source happened after its copy started: the value later ' +
  'read at the user-visible location is the last value written there; a writing pin forbids the commit.');
export const I11 = defineInvariant('I11', 'No entry written into a detached table; no table freed non-empty.',
  'Every non-none store into a PTE table is made while the PMD points to that table, and every table that reaches ' +
  'the allocator has only none entries.');
export const I12 = defineInvariant('I12', 'Lock discipline.',
  'A software store to a PTE holds that table\'s own PTL; PML nests outside PTL (the reverse only by trylock); no ' +
  'IPI wait with IRQs off, no synchronize_rcu() inside a read-side section; no deadlock.');
export const I13 = defineInvariant('I13', 'PAE: no torn entry is used.',
  'On 32-bit PAE a 64-bit entry read as two 32-bit words (ptep_get_lockless(), pmdp_get_lockless(), a plain *pmd) ' +
  'can be torn. A caller that uses the value without a recheck under the lock (GUP-fast, __pte_offset_map()) must ' +
  'get a whole value the entry held; a caller that revalidates under the PTL (handle_pte_fault(): pte_same(), ' +
  'pte_unmap_same()) may read a torn value but never acts on one.');
export const I14 = defineInvariant('I14', 'RCU.',
  'A grace period (synchronize_rcu(), or a call_rcu() callback) ends only after every CPU that was in a read-side ' +
  'section, or had IRQs or preemption off, when it started has left that section.');
export const I15 = defineInvariant('I15', 'Pinned anon page stays exclusive and mapped.',
  'While a FOLL_PIN on an anon page is held (writable, or read-only: gup_must_unshare()), the page stays AnonExclusive ' +
  'and mapped at the address (or behind a migration entry restored to it); no COW, migration or collapse replaces it. ' +
  'A GUP reference stays tied to the mm that took it: no other mm comes to map the page writable.');
export const I16 = defineInvariant('I16', 'TLB coherence on free.',
  'When a data page or a table is freed, no TLB or paging-structure cache holds a translation to or through it; ' +
  'a CPU writes through a cached translation only to a page that is neither freed nor being copied; once an unmap ' +
  'has returned (munmap(), madvise(MADV_DONTNEED)), no CPU uses a translation it removed.');
export const I17 = defineInvariant('I17', 'No use-after-free of swap metadata.',
  'A swap device\'s swap_map, and the swap cache of its entries, are read and written only while they are allocated: ' +
  'after swapoff() freed them (vfree(swap_map), exit_swap_address_space()), an access by a thread that did not pin ' +
  'the device (get_swap_device(), or an RCU read-side section swapoff\'s synchronize_rcu() waits for) is a crash.');
export const I18 = defineInvariant('I18', 'A swap entry and its swap-cache folio move together.',
  'A folio in the swap cache for swap entry S that has an anon identity (folio->mapping, ->index) has the identity of ' +
  'the page-table entry that holds S: moving a swap PTE (UFFDIO_MOVE) re-homes exactly the folio the swap cache holds ' +
  'for S, re-homes no other folio, and leaves no folio in the swap cache for S with the source\'s identity.');
export const I19 = defineInvariant('I19', 'Uptodate data.',
  'A reader that found a folio uptodate (folio_test_uptodate()) and copies its data reads what the folio was brought ' +
  'up to date with (the stores before folio_mark_uptodate()), never what the memory held before.');
