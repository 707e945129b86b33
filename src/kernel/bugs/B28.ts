// B28: mm/huge_memory: fix a folio_split() race condition with folio_try_get() (577a1f495fd7). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B28: Bug = {
  id: 'B28',
  commit: '577a1f495fd7',
  subject: 'mm/huge_memory: fix a folio_split() race condition with folio_try_get()',
  fixes: '00527733d0dc',
  year: 2026,
  protocol: 'speculative page-cache lookup (filemap_get_entry, folio_try_get, xas_reload) vs folio split',
  breaks: 'Lookup returns a folio for the wrong index (I9); userspace reads wrong data',
  variants: [],
  notModelled: 'not modelled yet',
};
