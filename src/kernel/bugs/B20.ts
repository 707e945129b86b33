// B20: gup: document and work around "COW can break either way" issue (17839856fd58). A read-only
// GUP reference taken by a child on a page it shares with its parent after fork() outlives the
// child's mapping; the parent's write fault then reuses the page (it is mapped once) and writes
// into what the child's reference reads. The fix made GUP break COW for FOLL_GET on COW mappings.
// A scenario of its own, with fork's result, a second mm, a slow GUP and do_wp_page()'s reuse rule
// per kernel era (mapcount, page_count, AnonExclusive).
import type { Bug } from './bug.ts';
import { cowEitherWayScenario } from '../scenarios/bugs/cow.ts';

export const B20: Bug = {
  id: 'B20',
  commit: '17839856fd58',
  subject: 'gup: document and work around "COW can break either way" issue',
  fixes: null,
  year: 2020,
  protocol: 'GUP vs COW after fork (do_wp_page() reuse)',
  breaks: 'A GUP reference no longer tied to the mm that took it: the other process writes the page (I15)',
  variants: [
    { role: 'pre-fix', scenario: cowEitherWayScenario, variant: 'pre-fix' },
    { role: 'fixed', scenario: cowEitherWayScenario, variant: 'fixed' },
  ],
};
