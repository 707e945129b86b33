// Bug-history scenario of sparsemem's section metadata: B16, 5ec8e8ea8b77 (CVE-2023-52489), and
// its follow-up 82f0b6f041fa. A PFN walker (compaction's __pageblock_pfn_to_page()) calls
// pfn_valid() on a pfn of a ZONE_DEVICE section while memunmap_pages() -> __remove_pages() ->
// sparse_remove_section() -> section_deactivate() removes it.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { SECTION_HAS_MEM_MAP, SECTION_MARKED_PRESENT, newMemSection, newMemSectionUsage, pfn_valid, type PfnValidCode } from '../../include/linux/mmzone.ts';
import { section_deactivate, type DeactivateCode } from '../../mm/sparse.ts';
import { variants, type Scenario } from '../../scenario.ts';

type Knob = 'pre-fix' | 'fixed-5ec8e8ea8b77' | 'fixed';

/** pfn_valid() and section_deactivate() as each variant's kernel has them. */
function code(knob: Knob | undefined): { walker: PfnValidCode; remove: DeactivateCode } {
  if (knob === 'pre-fix') return { walker: { rcu: false, read: 'deref' }, remove: 'kfree' };
  if (knob === 'fixed-5ec8e8ea8b77') return { walker: { rcu: true, read: 'deref' }, remove: 'kfree-rcu' };
  return { walker: { rcu: true, read: 'null-check' }, remove: 'kfree-rcu' };
}

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const { walker, remove } = code(knob);
    const cpus = new Cpus(b, 2);
    // A hot-added (ZONE_DEVICE) section with one subsection populated: its usage is kmalloc'ed.
    const usage = newMemSectionUsage(b, 'ms->usage', 0b1);
    const ms = newMemSection(b, 'ms', SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP, usage);
    b.thread('CPU0 compaction', function* (t: Ctx) {
      // compact_zone() -> __pageblock_pfn_to_page() -> pfn_valid() of a pfn in subsection 0.
      yield* pfn_valid(t, cpus.cpu[0], ms, 0, walker);
    });
    b.thread('CPU1 memunmap_pages', function* (t: Ctx) {
      // memunmap_pages() -> __remove_pages() -> sparse_remove_section() -> section_deactivate().
      yield* section_deactivate(t, cpus, cpus.cpu[1], ms, 0b1, remove);
    });
  };
}

export const sectionUsageScenario: Scenario = {
  name: 'pfn-valid-vs-section-deactivate',
  description: 'pfn_valid() reading a memory section\'s usage map while hot-remove frees it (bug B16, 5ec8e8ea8b77; 82f0b6f041fa)',
  seed: '000', section: '§10',
  variants: variants<Knob>('pfn-valid-vs-section-deactivate', make, [
    { name: 'pre-fix', commit: '5ec8e8ea8b77', fixes: 'f46edbd1b151', kernels: 'v5.6–v6.7 (b943f045a9af, before 5ec8e8ea8b77)', ref: '§10', expected: 'I2',
      description: 'pfn_valid() with no protection: valid_section() passes, section_deactivate() kfree()s ms->usage and clears the pointer, then pfn_section_valid() reads the freed usage or dereferences NULL' },
    { name: 'fixed-5ec8e8ea8b77', commit: '5ec8e8ea8b77', fixes: 'f46edbd1b151', kernels: 'v6.8–v6.9 (5ec8e8ea8b77, before 82f0b6f041fa)', ref: '§10', expected: 'I2',
      description: '5ec8e8ea8b77 alone: the flag is cleared first and the usage freed with kfree_rcu(), and pfn_valid() runs under rcu_read_lock(), so the usage is never read after its free; but WRITE_ONCE(ms->usage, NULL) is not delayed by the grace period, and a walker that passed valid_section() before the flag was cleared dereferences the NULL pointer' },
    { name: 'fixed', commit: '82f0b6f041fa', fixes: '5ec8e8ea8b77', kernels: 'v6.10+', ref: '§10', expected: 'ok',
      description: '5ec8e8ea8b77 and its follow-up 82f0b6f041fa ("mm: prevent derefencing NULL ptr in pfn_section_valid()"): pfn_section_valid() reads ms->usage once and checks it for NULL; RCU keeps a non-NULL usage alive' },
  ]),
};
