// Swap entries (include/linux/swapops.h, include/linux/swap.h): swp_entry_t, the (type, offset)
// of a page written to swap device `type` at slot `offset`, and its form in a PTE (the
// _PAGE_SWP encoding of include/linux/pgtable.ts). A PTE holding a swap entry is not present;
// the swap cache (mm/swap_state.ts) is keyed by the entry, and the device's swap_map counts the
// entry's users (mm/swapfile.ts).
//
// swp_entry_t.val in the model: the offset in bits 0-7, the type in bits 8-11; offset 0 is the
// device's header page and never names a swapped page, so a non-zero val is a real entry.
// Migration entries (pgtable.ts _PAGE_MIGRATION) are "non-swap" entries: pte_to_swp_entry() of
// one has SWP_NON_SWAP set, which non_swap_entry() tests.
import {
  _PAGE_DIRTY, _PAGE_MIGRATION, _PAGE_PRESENT, _PAGE_RW, _PAGE_SWP, _PAGE_SWP_EXCLUSIVE, SWP_MIGRATION_EXCLUSIVE,
  is_migration_entry, pte_none, pte_pfn,
} from './pgtable.ts';

/** swp_entry_t.val (see the header). */
export type SwpEntry = number;

/** In a swp_entry_t from pte_to_swp_entry(): not a swap entry (a migration entry). */
export const SWP_NON_SWAP = 0x1000;

/** swp_entry(type, offset) */
export const swp_entry = (type: number, offset: number): SwpEntry => ((type & 0xf) << 8) | (offset & 0xff);
/** swp_type() */
export const swp_type = (e: SwpEntry): number => (e >> 8) & 0xf;
/** swp_offset() */
export const swp_offset = (e: SwpEntry): number => e & 0xff;
/** non_swap_entry(): a migration (or other special) entry, not a page on a swap device. */
export const non_swap_entry = (e: SwpEntry): boolean => (e & SWP_NON_SWAP) !== 0;
/** A swap entry as traces print it: "S1" (type 0), "S1:2" (type 1, offset 2). */
export const showSwpEntry = (e: SwpEntry): string =>
  e === 0 ? 'none' : non_swap_entry(e) ? `non-swap entry(${e & 0xff})` : swp_type(e) ? `S${swp_type(e)}:${swp_offset(e)}` : `S${swp_offset(e)}`;

/** swp_entry_to_pte(): the non-present PTE holding `e`. */
export const swp_entry_to_pte = (e: SwpEntry): number => _PAGE_SWP | (swp_type(e) << 20) | swp_offset(e);
/** is_swap_pte(): neither none nor present (a swap or migration entry). */
export const is_swap_pte = (pte: number): boolean => !pte_none(pte) && (pte & _PAGE_PRESENT) === 0;
/** pte_to_swp_entry() of a non-present, non-none PTE. */
export function pte_to_swp_entry(pte: number): SwpEntry {
  if (is_migration_entry(pte)) return SWP_NON_SWAP | pte_pfn(pte);
  return swp_entry((pte >> 20) & 0xf, pte & 0xff);
}
/** pte_swp_exclusive(): the page was exclusive (PageAnonExclusive) when it was unmapped. */
export const pte_swp_exclusive = (pte: number): boolean => (pte & _PAGE_SWP_EXCLUSIVE) !== 0;
/** pte_swp_mkexclusive() */
export const pte_swp_mkexclusive = (pte: number): number => pte | _PAGE_SWP_EXCLUSIVE;

// Migration entries: the non-present PTE that stands for a page while it
// is migrated. Its type says how the page was mapped, so remove_migration_pte() can restore it:
// writable (SWP_MIGRATION_WRITE, which for an anon page implies exclusive), readable and
// exclusive (SWP_MIGRATION_READ_EXCLUSIVE, since v5.19: the PG_anon_exclusive of a page mapped
// read-only), or readable (possibly shared). Since v6.1 (2e3468778dbe) the entry also keeps the
// PTE's dirty (and young) bit. The encoding: _PAGE_MIGRATION | pfn, with _PAGE_RW for "write",
// SWP_MIGRATION_EXCLUSIVE for "read, exclusive" and _PAGE_DIRTY for dirty (pgtable.ts).
/** make_writable_migration_entry(pfn) as a PTE (swp_entry_to_pte()). */
export const make_writable_migration_entry = (pfn: number): number => (pfn & 0xff) | _PAGE_MIGRATION | _PAGE_RW;
/** make_readable_exclusive_migration_entry(pfn) as a PTE. */
export const make_readable_exclusive_migration_entry = (pfn: number): number => (pfn & 0xff) | _PAGE_MIGRATION | SWP_MIGRATION_EXCLUSIVE;
/** make_readable_migration_entry(pfn) as a PTE. */
export const make_readable_migration_entry = (pfn: number): number => (pfn & 0xff) | _PAGE_MIGRATION;
/** make_migration_entry_dirty(entry). */
export const make_migration_entry_dirty = (e: number): number => e | _PAGE_DIRTY;
/** is_writable_migration_entry() */
export const is_writable_migration_entry = (e: number): boolean => is_migration_entry(e) && (e & _PAGE_RW) !== 0;
/** is_readable_exclusive_migration_entry() */
export const is_readable_exclusive_migration_entry = (e: number): boolean => is_migration_entry(e) && (e & SWP_MIGRATION_EXCLUSIVE) !== 0;
/** is_readable_migration_entry(): neither writable nor exclusive (the page may be shared). */
export const is_readable_migration_entry = (e: number): boolean => is_migration_entry(e) && !is_writable_migration_entry(e) && !is_readable_exclusive_migration_entry(e);
/** is_migration_entry_dirty() */
export const is_migration_entry_dirty = (e: number): boolean => is_migration_entry(e) && (e & _PAGE_DIRTY) !== 0;
/** pfn_swap_entry_to_page() of a migration entry: its pfn. */
export const migration_entry_to_pfn = (e: number): number => pte_pfn(e);

/**
 * The migration entry try_to_migrate_one() (and migrate_vma_collect_pmd()) installs for a page
 * mapped by `pteval`: writable if the PTE was, else exclusive if the page was, else readable;
 * dirty if the PTE was (`keepDirty`: v6.1+).
 */
export function migrationEntryFor(pfn: number, pteval: number, anonExclusive: boolean, keepDirty: boolean): number {
  const e = (pteval & _PAGE_RW) ? make_writable_migration_entry(pfn)
    : anonExclusive ? make_readable_exclusive_migration_entry(pfn) : make_readable_migration_entry(pfn);
  return keepDirty && (pteval & _PAGE_DIRTY) ? make_migration_entry_dirty(e) : e;
}
