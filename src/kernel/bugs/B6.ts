// B6: mm: fix PageAnonExclusive clearing racing with concurrent RCU GUP-fast (088b8aa537c2). The
// unmap side (try_to_migrate_one(), try_to_unmap_one(), KSM, device migration) clears the PTE,
// checks that the exclusive anon page is not pinned and clears PageAnonExclusive; GUP-fast pins,
// rechecks the PTE and (for a read-only pin) PageAnonExclusive. Without barriers the two sides
// form a store-buffering pair where both miss each other; the TLB flush that stood in for a
// barrier is an IPI only on some architectures. The race is row U1.d, so the bug reuses
// gup-fast-pin-vs-try-to-migrate (needs the LKMM): pre-fix is v5.19–v6.0 on arm64, fixed the same
// code with the barriers of the fix (v6.1; today's code, the safe variant, also rechecks the PMD);
// pre-fix-ipi-flush is the pre-fix code on x86, whose IPI flush made it safe.
import type { Bug } from './bug.ts';
import { pinVsMigrateScenario } from '../scenarios/weak.ts';

export const B6: Bug = {
  id: 'B6',
  commit: '088b8aa537c2',
  subject: 'mm: fix PageAnonExclusive clearing racing with concurrent RCU GUP-fast',
  fixes: '6c287605fd56',
  year: 2022,
  protocol: 'GUP-fast FOLL_PIN vs unmap / migrate / KSM (anon-exclusive)',
  breaks: 'Pin on a possibly shared anon page (I15); memory corruption when COW later replaces the page',
  variants: [
    { role: 'pre-fix', scenario: pinVsMigrateScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: pinVsMigrateScenario, variant: 'fixed' },
  ],
};
