// The bug-history catalog: real mm races fixed in mainline, each reproduced by a scenario whose
// `pre-fix` variant is the kernel's code before the fixing commit and `fixed` the code after it
// (`mmcheck list --bugs`, `mmcheck check --bugs`). One file per bug.
import type { Bug } from './bug.ts';
import { B1 } from './B1.ts';
import { B2 } from './B2.ts';
import { B3 } from './B3.ts';
import { B4 } from './B4.ts';
import { B5 } from './B5.ts';
import { B6 } from './B6.ts';
import { B7 } from './B7.ts';
import { B8 } from './B8.ts';
import { B10 } from './B10.ts';
import { B11 } from './B11.ts';
import { B12 } from './B12.ts';
import { B14 } from './B14.ts';
import { B15 } from './B15.ts';
import { B16 } from './B16.ts';
import { B17 } from './B17.ts';
import { B18 } from './B18.ts';
import { B19 } from './B19.ts';
import { B20 } from './B20.ts';
import { B25 } from './B25.ts';
import { B26 } from './B26.ts';
import { B28 } from './B28.ts';
import { B30 } from './B30.ts';

export type { Bug, BugVariant } from './bug.ts';

/** The bug history: real mainline races, each with its fixing commit and the variants that reproduce it. */
export const bugs: Bug[] = [B1, B2, B3, B4, B5, B6, B7, B8, B10, B11, B12, B14, B15, B16, B17, B18, B19, B20, B25, B26, B28, B30];

/** The bug with id `id` (B1 …), any case. */
export function findBug(id: string): Bug | undefined {
  return bugs.find((b) => b.id.toLowerCase() === id.toLowerCase());
}
