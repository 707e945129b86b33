// Memory hot(un)plug (mm/memory_hotplug.c pfn_to_online_page, offline_pages, __remove_pages ->
// arch_remove_memory; docs/design/protocols.md §10). A memory section goes online -> offline -> removed; on
// removal its memmap (the vmemmap backing its struct pages) is unmapped and freed.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { synchronize_rcu } from '../kernel/rcu/tree.ts';
import { flush_tlb_kernel_range } from '../arch/x86/mm/tlb.ts';
import { folio_put_testzero, freeStructPageBacking, type Vmemmap } from './hugetlb_vmemmap.ts';

/** Section state: online. */
export const SECTION_ONLINE = 1;
/** Section state: offlined (offline_pages()). */
export const SECTION_OFFLINE = 2;
/** Section state: removed, its memmap unmapped and freed. */
export const SECTION_REMOVED = 3;

/** A memory section's state word, online at the start. */
export function newSection(b: Builder): Loc {
  const state = b.loc('mem_section.state', SECTION_ONLINE, (v) => ['?', 'online', 'offline', 'removed'][v] ?? String(v));
  b.object('mem_section_state', 'mem_section', { state } satisfies ObjectFields['mem_section_state']);
  return state;
}

/** pfn_to_online_page(): the section is online *now*; nothing keeps it so. */
export const pfn_to_online_page = kernelFunction({ name: 'pfn_to_online_page', file: 'mm/memory_hotplug.c', version: MAINLINE },
  function* (t: Ctx, section: Loc): ThreadGen<boolean> {
    return (yield t.load(section)) === SECTION_ONLINE;
  });

/**
 * offline_pages() of the section holding struct page `page`: do_migrate_range() migrates the
 * page away (its last reference here is dropped), then the section is offline.
 */
export const offline_pages = kernelFunction({ name: 'offline_pages', file: 'mm/memory_hotplug.c', version: MAINLINE },
  function* (t: Ctx, cpu: Cpu, vm: Vmemmap, section: Loc, page: number): ThreadGen<void> {
    const { old } = yield* folio_put_testzero(t, cpu, vm, page, 'folio_put');
    yield t.assume(old === 1);
    yield t.store(section, SECTION_OFFLINE);
  });

/**
 * __remove_pages() -> arch_remove_memory(): the memmap's vmemmap page `vpage` is unmapped and the
 * kernel TLB flushed. `synchronizeRcu`: the candidate fix (June 2024), not current kernels.
 */
export const __remove_pages = kernelFunction({ name: '__remove_pages', file: 'mm/memory_hotplug.c', version: MAINLINE, note: 'synchronizeRcu: the June 2024 candidate fix, not merged' },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, vm: Vmemmap, section: Loc, vpage: number, opts: { synchronizeRcu: boolean }): ThreadGen<void> {
    if (opts.synchronizeRcu) yield* synchronize_rcu(t, cpus, cpu);
    yield t.store(section, SECTION_REMOVED);
    const old = yield t.load(vm.pte[vpage]);
    yield t.store(vm.pte[vpage], 0); // arch_remove_memory(): vmemmap unmapped
    yield* flush_tlb_kernel_range(t, cpus, cpu);
    // vmemmap_free(): the memmap's backing page is freed with the section.
    const was = vm.phys.find((p) => p.id === (old & 0xf));
    if (was) yield* freeStructPageBacking(t, was);
  });
