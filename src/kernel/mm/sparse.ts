// Memory hot-remove's teardown of a section's metadata (mm/sparse.c sparse_remove_section ->
// section_deactivate; docs/design/protocols.md §10): the removed subsections are cleared from the
// usage's subsection map; when none is left the usage is freed, the pointer cleared and the
// section marked as having no memmap. Before 5ec8e8ea8b77 (v5.6–v6.7: the flag came with
// b943f045a9af) kfree() came first and the flag last, with no grace period; since, the flag is cleared first and the usage freed with
// kfree_rcu(), so that a pfn_valid() inside rcu_read_lock() "will either return NULL when
// SECTION_HAS_MEM_MAP is cleared or can successfully access ->usage".
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { SECTION_HAS_MEM_MAP, type MemSection } from '../include/linux/mmzone.ts';
import { kfree, kfree_rcu } from './slab_common.ts';
import { kernelFunction } from '../kfn.ts';

/** Which section_deactivate(): before 5ec8e8ea8b77 (kfree, then the flag) or after it (the flag, then kfree_rcu). */
export type DeactivateCode = 'kfree' | 'kfree-rcu';

/**
 * clear_subsection_map(): the removed subsections' bits go from the usage's map (a WARN and
 * -EINVAL if one of them was not set). The kernel reads ms->usage first; hot-remove is its only
 * writer (under the hotplug lock), so the model takes the pointer as set.
 */
const clear_subsection_map = kernelFunction({ name: 'clear_subsection_map', file: 'mm/sparse.c', version: 'v5.10–v6.18' },
  function* (t: Ctx, ms: MemSection, removed: number): ThreadGen<number> {
    const map = yield t.load(ms.usageObj.subsection_map);
    if ((map & removed) !== removed) return -1; // WARN(...): -EINVAL
    yield t.store(ms.usageObj.subsection_map, map ^ removed);
    return 0;
  });

/** is_subsection_map_empty(): no subsection of the section has a memmap left. */
const is_subsection_map_empty = kernelFunction({ name: 'is_subsection_map_empty', file: 'mm/sparse.c', version: 'v5.10–v6.18' },
  function* (t: Ctx, ms: MemSection): ThreadGen<boolean> {
    return (yield t.load(ms.usageObj.subsection_map)) === 0;
  });

/** ms->section_mem_map &= ~SECTION_HAS_MEM_MAP: a plain read-modify-write (the hotplug lock excludes other writers). */
function* clearHasMemMap(t: Ctx, ms: MemSection): ThreadGen<void> {
  const v = yield t.load(ms.section_mem_map);
  yield t.store(ms.section_mem_map, v & ~SECTION_HAS_MEM_MAP);
}

/**
 * section_deactivate() of the subsections `removed` of a hot-added (not early) section. When the
 * map is left empty: 'kfree' (v5.3–v6.7): kfree(ms->usage); ms->usage = NULL; then
 * ms->section_mem_map &= ~SECTION_HAS_MEM_MAP ("Mark the section invalid so that valid_section()
 * return false", b943f045a9af, v5.6). 'kfree-rcu' (5ec8e8ea8b77): the flag first, then
 * kfree_rcu(ms->usage); WRITE_ONCE(ms->usage, NULL). Last, ms->section_mem_map = NULL. The
 * memmap's depopulation is not modeled (mm/memory_hotplug.ts has a memmap's unmap and free).
 */
export const section_deactivate = kernelFunction({ name: 'section_deactivate', file: 'mm/sparse.c', version: 'v5.3–v6.18', note: "code 'kfree': before 5ec8e8ea8b77; the memmap depopulation left out" },
  function* (t: Ctx, cpus: Cpus, cpu: Cpu, ms: MemSection, removed: number, code: DeactivateCode): ThreadGen<void> {
    if ((yield* clear_subsection_map(t, ms, removed)) !== 0) return;
    const empty = yield* is_subsection_map_empty(t, ms);
    if (empty) {
      // !PageReserved(virt_to_page(ms->usage)): the usage of a hot-added section was kmalloc'ed.
      const usage = [ms.usageObj.subsection_map];
      if (code === 'kfree') {
        yield* kfree(t, usage);
        yield t.store(ms.usage, 0); // ms->usage = NULL
        yield* clearHasMemMap(t, ms);
      } else {
        yield* clearHasMemMap(t, ms);
        yield* kfree_rcu(t, cpus, cpu, usage);
        yield t.store(ms.usage, 0); // WRITE_ONCE(ms->usage, NULL)
      }
    }
    // depopulate_section_memmap() (not modeled), then the section's word is cleared.
    if (empty) yield t.store(ms.section_mem_map, 0); // ms->section_mem_map = (unsigned long)NULL
  });
