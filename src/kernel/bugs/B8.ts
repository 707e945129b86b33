// B8: mm/gup: prevent gup_fast from racing with COW during fork (57efa1fe5957). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B8: Bug = {
  id: 'B8',
  commit: '57efa1fe5957',
  subject: 'mm/gup: prevent gup_fast from racing with COW during fork',
  fixes: 'f3c64eda3e50',
  year: 2020,
  protocol: 'GUP-fast FOLL_PIN vs fork (write_protect_seq)',
  breaks: 'Pinned page loses exclusivity (I15); a later COW splits pin and mapping',
  variants: [],
  notModelled: 'not modelled yet',
};
