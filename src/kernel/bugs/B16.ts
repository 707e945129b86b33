// B16: mm/sparsemem: fix race in accessing memory_section->usage (5ec8e8ea8b77, Charan Teja
// Kalla, v6.8; CVE-2023-52489), fixing f46edbd1b151 ("mm/sparsemem: add helpers track active
// portions of a section at boot"). Compaction's pfn_valid() passed valid_section() and then read
// ms->usage while memunmap_pages() -> section_deactivate() kfree()d it and set it NULL. The fix
// clears SECTION_HAS_MEM_MAP first, frees the usage with kfree_rcu() and runs pfn_valid() under
// rcu_read_lock(). Exploring the fixed code finds what 82f0b6f041fa ("mm: prevent derefencing
// NULL ptr in pfn_section_valid()", Waiman Long, v6.10, Fixes: 5ec8e8ea8b77) fixed: READ_ONCE()
// alone does not stop a NULL dereference, since the pointer is cleared without waiting for the
// grace period. The 'step' variant is 5ec8e8ea8b77 alone; 'fixed' has both commits.
import type { Bug } from './bug.ts';
import { sectionUsageScenario } from '../scenarios/bugs/sparse.ts';

export const B16: Bug = {
  id: 'B16',
  commit: '5ec8e8ea8b77',
  subject: 'mm/sparsemem: fix race in accessing memory_section->usage',
  fixes: 'f46edbd1b151',
  year: 2024,
  protocol: 'memory hot-remove vs pfn_valid walkers',
  breaks: 'Use-after-free of section metadata (I2-like)',
  variants: [
    { role: 'pre-fix', scenario: sectionUsageScenario, variant: 'pre-fix' },
    { role: 'step', scenario: sectionUsageScenario, variant: 'fixed-5ec8e8ea8b77' },
    { role: 'fixed', scenario: sectionUsageScenario, variant: 'fixed' },
  ],
};
