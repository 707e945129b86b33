// Migration entries (include/linux/swapops.h): the non-present PTE that stands for a page while it
// is migrated. Its type says how the page was mapped, so remove_migration_pte() can restore it:
// writable (SWP_MIGRATION_WRITE, which for an anon page implies exclusive), readable and
// exclusive (SWP_MIGRATION_READ_EXCLUSIVE, since v5.19: the PG_anon_exclusive of a page mapped
// read-only), or readable (possibly shared). Since v6.1 (2e3468778dbe) the entry also keeps the
// PTE's dirty (and young) bit. The encoding: _PAGE_MIGRATION | pfn, with _PAGE_RW for "write",
// SWP_MIGRATION_EXCLUSIVE for "read, exclusive" and _PAGE_DIRTY for dirty (pgtable.ts).
import { _PAGE_DIRTY, _PAGE_MIGRATION, _PAGE_RW, SWP_MIGRATION_EXCLUSIVE, is_migration_entry, pte_pfn } from './pgtable.ts';

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
