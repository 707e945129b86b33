// B4: mm/hugetlb_vmemmap: fix race with speculative PFN walkers (bd225530a4c7, Yu Zhao, 2024,
// v6.10). A speculative PFN walker holding a pointer to a struct page from its previous life (an
// LRU folio) calls get_page_unless_zero() after the folio was freed, became a tail of a hugetlb
// folio and its vmemmap was remapped read-only by HVO: the atomic faults, "even though
// page1->_refcount is zero after HVO". The fix: synchronize_rcu() before HVO remaps, and
// page_ref_add_unless() inside rcu_read_lock() behind !page_is_fake_head() && page_ref_count() !=
// u. Same race as catalog row U9.a (hvo-vs-speculative-walker). The 'step' variant is the fixed
// code on a struct page that becomes a fake head: its check order left the race of U9.b, closed in
// 2025 by "mm/hugetlb_vmemmap: fix memory loads ordering" (page_count_writable(): refcount first,
// with an acquire) — the catalog's safe variant.
import type { Bug } from './bug.ts';
import { hvoScenario } from '../scenarios/hvo.ts';

export const B4: Bug = {
  id: 'B4',
  commit: 'bd225530a4c7',
  subject: 'mm/hugetlb_vmemmap: fix race with speculative PFN walkers',
  fixes: null,
  year: 2024,
  protocol: 'HVO vs speculative refcount walkers',
  breaks: 'Write to read-only struct-page memory (I2)',
  variants: [
    { role: 'pre-fix', scenario: hvoScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: hvoScenario, variant: 'fixed' },
    { role: 'step', scenario: hvoScenario, variant: 'fake-head-check-first' },
  ],
};
