// The objects of the kernel model as traces list them (Builder.object: a kind, a name, and fields
// naming its locations by id), with the fields each kind the viewer draws is sure to have. An
// object may have more fields than listed (a scenario adds e.g. a folio's order); a kind not
// listed here is still written and shown as a plain group.

/** The fields each known kind of object has (location ids; arrays for entries and slots). */
export interface ObjectFields {
  /** A PTE table: its entries and split PTL (freed as a page-table page: lifetime I1). */
  pagetable: { entries: number[]; ptl: number };
  /** The kernel's vmemmap page table (its PTEs map struct pages). */
  vmemmap: { entries: number[] };
  /** A 64-bit PTE stored as two 32-bit words (x86 PAE), and the PTL of its table where a scenario takes it. */
  'pae-pte': { low: number; high: number; ptl?: number };
  /** An address space's PMD entry (more PMD entries of the same PMD page as further fields) and its PMD lock. */
  mm: { pmd: number; pmd_lock: number };
  /** struct folio: the refcount and the ghost words of the invariants (more fields as scenarios add them). */
  folio: { _refcount: number; gen: number; frozen_by: number; freed: number; data: number };
  /** A CPU: its RCU/IRQ word (more per-CPU state as fields: its MMU's tlb, walk_cache, hw_access …). */
  cpu: { rcu_irq: number };
  /** struct address_space as a flat page cache (a file's, a shmem file's, a swap device's swap
   * cache: freed by swapoff, lifetime I17): the i_pages slots and the i_pages lock. */
  mapping: { i_pages: number[]; xa_lock: number };
  /** struct xarray with nodes: its head and lock. */
  xarray: { xa_head: number; xa_lock: number };
  /** An xarray node (freed by RCU: lifetime I9). */
  xa_node: { slots: number[] };
  /** A physical page of struct pages: one entry per struct page in each field (lifetime I2). */
  'struct-page-backing': { _refcount: number[]; flags: number[] };
  /** A PMD table that hugetlb PMD sharing counts the users of (mm/hugetlb.ts). */
  pmdtable: { entries: number[]; pt_share_count: number };
  /** A PMD page's deposit list (pmd_huge_pte(): the PTE table kept for a later split). */
  'pmd-page': { pmd_huge_pte: number };
  /** A VMA: its anon_vma pointer. */
  vma: { anon_vma: number };
  /** A v3.x THP's head page: its mapcount and PageCompound. */
  page: { _mapcount: number; PageCompound: number };
  /** struct mem_section: its flags word (SECTION_HAS_MEM_MAP …) and its usage pointer. */
  mem_section: { section_mem_map: number; usage: number };
  /** A hot-added section's kmalloc'ed mem_section_usage (lifetime I2). */
  mem_section_usage: { subsection_map: number };
  /** A memory section's online state alone (mm/memory_hotplug.ts's model of hot-remove). */
  mem_section_state: { state: number };
  /** struct swap_info_struct: its flags, si->lock and inuse_pages (never freed). */
  swap_info: { flags: number; lock: number; inuse_pages: number };
  /** A swap device's swap_map: one count byte per slot (freed by swapoff: lifetime I17). */
  swap_map: { swap_map: number[] };
  /** A percpu_ref: one word per CPU (count and DEAD bit). */
  percpu_ref: { count: number[] };
  /** A tail struct page of a large folio: its compound_head word (0: a head page of its own). */
  'tail-page': { compound_head: number };
  /** struct buffer_head: its use count and the page (pfn) its data lives in. */
  buffer_head: { b_count: number; b_page: number };
  /** A swap slot's contents on the swap device: what pageout() wrote. */
  swap_slot: { data: number };
  /** A read-write semaphore. */
  rwsem: { owner: number; readers: number };
  /** The checker's bookkeeping (ghost words no kernel code reads). */
  ghost: Record<string, number>;
}
export type ObjectKind = keyof ObjectFields;

/** Object data beside its fields (Builder.object's `attrs`), by kind. */
export interface ObjectAttrs {
  /** Thread i of a kernel scenario runs on CPU i. */
  cpu: { cpu: number };
}
