// struct mem_section and the lockless pfn_valid() (include/linux/mmzone.h; docs/design/protocols.md
// §10). A memory section's section_mem_map word carries its flags (SECTION_HAS_MEM_MAP …); its
// usage pointer names a separately allocated struct mem_section_usage whose subsection_map says
// which subsections of a hot-added section hold a memmap. Memory hot-remove
// (mm/sparse.ts section_deactivate()) frees the usage and clears the pointer and the flag, while
// PFN walkers (compaction, pfn_to_online_page() …) call pfn_valid() without any lock: before
// 5ec8e8ea8b77 with nothing at all, since then under rcu_read_lock(). The usage is an object of
// the program: a read after its free is reported at the read (I2), and so is a read through a
// NULL usage pointer.
import type { Ctx, Loc, ThreadGen } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import type { ObjectFields } from '../../../trace-format/index.ts';
import type { Cpu } from '../../cpus.ts';
import { I2 } from '../../invariants.ts';
import { kernelFunction } from '../../kfn.ts';
import { rcu_read_lock, rcu_read_unlock } from './rcupdate.ts';

/** section_mem_map flag: the section is present. */
export const SECTION_MARKED_PRESENT = 1 << 0;
/** section_mem_map flag: the section has a memmap (valid_section()). */
export const SECTION_HAS_MEM_MAP = 1 << 1;
/** section_mem_map flag: the section is online. */
export const SECTION_IS_ONLINE = 1 << 2;
/** section_mem_map flag: a boot-time section (its usage lives in memblock memory, PageReserved). */
export const SECTION_IS_EARLY = 1 << 3;

const showSectionFlags = (v: number): string => {
  const f: string[] = [];
  if (v & SECTION_MARKED_PRESENT) f.push('PRESENT');
  if (v & SECTION_HAS_MEM_MAP) f.push('HAS_MEM_MAP');
  if (v & SECTION_IS_ONLINE) f.push('ONLINE');
  if (v & SECTION_IS_EARLY) f.push('EARLY');
  return f.length ? f.join('|') : 'none';
};

/** struct mem_section_usage: the subsection map (one word: bit i = subsection i has a memmap). */
export interface MemSectionUsage {
  name: string;
  subsection_map: Loc;
}

/** struct mem_section: its flags word and its usage pointer (0 = NULL, 1 = `usage`). */
export interface MemSection {
  name: string;
  section_mem_map: Loc;
  usage: Loc;
  /** The usage object the pointer names when it is 1. */
  usageObj: MemSectionUsage;
}

/** A kmalloc'ed mem_section_usage (a hot-added section's) with subsection map `map`. */
export function newMemSectionUsage(b: Builder, name: string, map: number): MemSectionUsage {
  const subsection_map = b.loc(`${name}.subsection_map`, map, (v) => `0b${v.toString(2)}`);
  b.object('mem_section_usage', name, { subsection_map } satisfies ObjectFields['mem_section_usage'], { invariant: I2 });
  return { name, subsection_map };
}

/** A mem_section with flags `flags` whose usage pointer names `usage`. */
export function newMemSection(b: Builder, name: string, flags: number, usage: MemSectionUsage): MemSection {
  const fields: ObjectFields['mem_section'] = {
    section_mem_map: b.loc(`${name}.section_mem_map`, flags, showSectionFlags),
    usage: b.loc(`${name}.usage`, 1, (v) => (v ? `-> ${usage.name}` : 'NULL')),
  };
  b.object('mem_section', name, fields);
  return { name, ...fields, usageObj: usage };
}

const mmzoneH = (name: string, version: string, note?: string) => ({ name, file: 'include/linux/mmzone.h', version, ...(note ? { note } : {}) });

/** valid_section(): the section has a memmap (SECTION_HAS_MEM_MAP). */
export const valid_section = kernelFunction(mmzoneH('valid_section', 'v5.3–v6.18'), function* (t: Ctx, ms: MemSection): ThreadGen<boolean> {
  return ((yield t.load(ms.section_mem_map)) & SECTION_HAS_MEM_MAP) !== 0;
});

/** early_section(): a boot-time section (its whole span is valid). */
export const early_section = kernelFunction(mmzoneH('early_section', 'v5.3–v6.18'), function* (t: Ctx, ms: MemSection): ThreadGen<boolean> {
  return ((yield t.load(ms.section_mem_map)) & SECTION_IS_EARLY) !== 0;
});

/** Which pfn_section_valid(): dereference the pointer as read, or check it for NULL first (82f0b6f041fa). */
export type UsageRead = 'deref' | 'null-check';

/**
 * pfn_section_valid(): test_bit(subsection, ms->usage->subsection_map). 'deref': the pointer is
 * dereferenced as read (READ_ONCE() since 5ec8e8ea8b77, a plain load before); 'null-check':
 * `usage ? test_bit(...) : 0` (82f0b6f041fa, v6.10). A NULL usage is a crash (I2); a freed one a
 * use-after-free the engine reports at the read.
 */
export const pfn_section_valid = kernelFunction(mmzoneH('pfn_section_valid', 'v5.3–v6.18', "read 'deref': before 82f0b6f041fa"),
  function* (t: Ctx, ms: MemSection, subsection: number, read: UsageRead): ThreadGen<boolean> {
    const usage = yield t.load(ms.usage);
    if (!usage) {
      if (read === 'null-check') return false;
      yield t.assert(false, I2, () => `CPU${t.tid} dereferences ${ms.name}->usage, which is NULL: the kernel oopses`);
      return false;
    }
    t.depends('addr', ms.usage); // ->subsection_map through the pointer just read
    const map = yield t.load(ms.usageObj.subsection_map);
    return (map & (1 << subsection)) !== 0;
  });

/** How pfn_valid() protects its read of the section (the kernel before and after 5ec8e8ea8b77, and 82f0b6f041fa). */
export interface PfnValidCode {
  /** rcu_read_lock() around the section's checks (5ec8e8ea8b77). */
  rcu: boolean;
  read: UsageRead;
}

/**
 * pfn_valid() (the generic one, !CONFIG_HAVE_ARCH_PFN_VALID) of a pfn in subsection `subsection`
 * of `ms`: valid_section(), then early_section() || pfn_section_valid(); since 5ec8e8ea8b77
 * inside rcu_read_lock().
 */
export const pfn_valid = kernelFunction(mmzoneH('pfn_valid', 'v5.3–v6.18', 'rcu: since 5ec8e8ea8b77'),
  function* (t: Ctx, cpu: Cpu, ms: MemSection, subsection: number, code: PfnValidCode): ThreadGen<boolean> {
    if (code.rcu) yield* rcu_read_lock(t, cpu);
    let ret = false;
    if (yield* valid_section(t, ms)) ret = (yield* early_section(t, ms)) || (yield* pfn_section_valid(t, ms, subsection, code.read));
    if (code.rcu) yield* rcu_read_unlock(t, cpu);
    return ret;
  });
