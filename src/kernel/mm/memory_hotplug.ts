// Memory hot(un)plug (mm/memory_hotplug.c pfn_to_online_page, offline_pages, __remove_pages ->
// arch_remove_memory; docs/design/protocols.md §10). A memory section goes online -> offline -> removed; on
// removal its memmap (the vmemmap backing its struct pages) is unmapped and freed.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';

/** Section state: online. */
export const SECTION_ONLINE = 1;
/** Section state: offlined (offline_pages()). */
export const SECTION_OFFLINE = 2;
/** Section state: removed, its memmap unmapped and freed. */
export const SECTION_REMOVED = 3;

/** A memory section's state word, online at the start. */
export function newSection(b: Builder): Loc {
  return b.loc('mem_section.state', SECTION_ONLINE, (v) => ['?', 'online', 'offline', 'removed'][v] ?? String(v));
}

/** pfn_to_online_page(): the section is online *now*; nothing keeps it so. */
export function* pfn_to_online_page(t: Ctx, section: Loc): ThreadGen<boolean> {
  return (yield t.load(section)) === SECTION_ONLINE;
}
