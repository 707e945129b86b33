// B6: mm: fix PageAnonExclusive clearing racing with concurrent RCU GUP-fast (088b8aa537c2). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B6: Bug = {
  id: 'B6',
  commit: '088b8aa537c2',
  subject: 'mm: fix PageAnonExclusive clearing racing with concurrent RCU GUP-fast',
  fixes: '6c287605fd56',
  year: 2022,
  protocol: 'GUP-fast FOLL_PIN vs unmap / migrate / KSM (anon-exclusive)',
  breaks: 'Pin on a possibly shared anon page (I15); memory corruption when COW later replaces the page',
  variants: [],
  notModelled: 'not modelled yet',
};
