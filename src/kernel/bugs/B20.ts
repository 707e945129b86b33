// B20: gup: document and work around "COW can break either way" issue (17839856fd58). Not modelled yet: the scenario, its pre-fix and fixed variants
// and the objects they need are to be written (kernel-race-bugs.md has the row).
import type { Bug } from './bug.ts';

export const B20: Bug = {
  id: 'B20',
  commit: '17839856fd58',
  subject: 'gup: document and work around "COW can break either way" issue',
  fixes: null,
  year: 2020,
  protocol: 'GUP vs COW after fork',
  breaks: 'Pin no longer tied to the original mm (I15)',
  variants: [],
  notModelled: 'not modelled yet',
};
