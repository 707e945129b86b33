// The kernel model as a user's scenario imports it (`import { … } from 'mmcheck/kernel'`): the
// objects (CPUs, folios, page tables, page caches, TLBs …) and the kernel functions that act on
// them, each in a file named after the kernel file it follows; `variants()` and the Scenario
// types; the catalog's expectations. One line per module: a new module is one more line here.
// docs/api.md lists every name exported here (generated: npm run docs:api).
export * from './scenario.ts';
export * from './invariants.ts';
export * from './kfn.ts';
export * from './include/asm-generic/barrier.ts';
export * from './include/asm-generic/tlb.ts';
export * from './expect.ts';
export * from './ghost.ts';
export * from './cpus.ts';
export * from './hw.ts';
export * from './kernel/rcu/tree.ts';
export * from './kernel/smp.ts';
export * from './arch/x86/include/asm/pgtable.ts';
export * from './arch/x86/include/asm/pgtable-3level.ts';
export * from './arch/x86/mm/tlb.ts';
export * from './arch/arm64/include/asm/tlbflush.ts';
export * from './arch/arm64/include/asm/tlb.ts';
export * from './include/linux/gfp.ts';
export * from './include/linux/irqflags.ts';
export * from './include/linux/page_ref.ts';
export * from './include/linux/pgtable.ts';
export * from './include/linux/rcupdate.ts';
export * from './include/linux/rwsem.ts';
export * from './include/linux/mmap_lock.ts';
export * from './include/linux/fs.ts';
export * from './include/linux/rmap.ts';
export * from './include/linux/mm_types.ts';
export * from './include/linux/pagemap.ts';
export * from './include/linux/percpu-refcount.ts';
export * from './include/linux/swapops.ts';
export * from './lib/xarray.ts';
export * from './fs/buffer.ts';
export * from './mm/filemap.ts';
export * from './mm/gup.ts';
export * from './mm/huge_memory.ts';
export * from './mm/hugetlb.ts';
export * from './mm/hugetlb_vmemmap.ts';
export * from './mm/khugepaged.ts';
export * from './mm/memory.ts';
export * from './mm/memory_hotplug.ts';
export * from './mm/migrate.ts';
export * from './mm/migrate_device.ts';
export * from './mm/mm.ts';
export * from './mm/mmu_gather.ts';
export * from './mm/mremap.ts';
export * from './mm/pgtable-generic.ts';
export * from './mm/pt_reclaim.ts';
export * from './mm/rmap.ts';
export * from './mm/shmem.ts';
export * from './mm/swap.ts';
export * from './mm/swap_state.ts';
export * from './mm/swapfile.ts';
export * from './mm/userfaultfd.ts';
export * from './mm/vmscan.ts';
