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
  _PAGE_PRESENT, _PAGE_SWP, _PAGE_SWP_EXCLUSIVE, is_migration_entry, pte_none, pte_pfn,
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
