// B28: mm/huge_memory: fix a folio_split() race condition with folio_try_get() (577a1f495fd7). A
// non-uniform split stored, at each xas_try_split() step, the folio being split — after the
// step only the first new folio — in the slots of the new entries, so a later new folio's slots
// named an earlier one; unfrozen before the later one was stored, that folio was returned by a
// lookup for an index it does not hold. The fix stores the original, still frozen, folio.
import type { Bug } from './bug.ts';
import { folioSplitLookupScenario } from '../scenarios/bugs/folio-split.ts';

export const B28: Bug = {
  id: 'B28',
  commit: '577a1f495fd7',
  subject: 'mm/huge_memory: fix a folio_split() race condition with folio_try_get()',
  fixes: '00527733d0dc',
  year: 2026,
  protocol: 'speculative page-cache lookup (filemap_get_entry, folio_try_get, xas_reload) vs folio split',
  breaks: 'Lookup returns a folio for the wrong index (I9); userspace reads wrong data',
  variants: [
    { role: 'pre-fix', scenario: folioSplitLookupScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: folioSplitLookupScenario, variant: 'fixed' },
  ],
};
