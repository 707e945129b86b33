// The shape of a bug-history entry: a real race fixed in mainline, its fixing commit and the one
// it fixes, and the variants that reproduce it. `pre-fix` is the kernel's code before the fixing
// commit (the exploration must find `expected` broken); `fixed` is the code after it (ok). A fix
// made of several meaningful steps may add `step` variants. A bug that is the same race as a seed
// catalog row reuses that scenario (its variants carry the commit metadata); it is not modelled
// twice. A bug that cannot be modelled faithfully says why in `notModelled` and stays listed.
import type { Scenario, Variant } from '../scenario.ts';

/** A catalog variant that reproduces a bug: before the fix, after it, or a step of it. */
export interface BugVariant {
  role: 'pre-fix' | 'fixed' | 'step';
  scenario: Scenario;
  /** The variant's name in `scenario`. */
  variant: string;
}

/** One real race fixed in mainline (see the header). */
export interface Bug {
  /** 'B1' … as in the bug-history list. */
  id: string;
  /** The fixing commit, 12 hex digits. */
  commit: string;
  /** The fixing commit's subject line. */
  subject: string;
  /** The commit its Fixes: tag names (12 hex), or null when it has none. */
  fixes: string | null;
  year: number;
  /** The protocol, in a few words. */
  protocol: string;
  /** What the race breaks, in words (the invariants are the variants' `expected`). */
  breaks: string;
  variants: BugVariant[];
  /** Why the bug is not modelled (then `variants` is empty). */
  notModelled?: string;
}

/** The catalog variant a bug variant names (throws if the scenario lacks it: a test checks all). */
export function bugVariant(v: BugVariant): Variant {
  const found = v.scenario.variants.find((x) => x.name === v.variant);
  if (!found) throw new Error(`scenario ${v.scenario.name} has no variant '${v.variant}'`);
  return found;
}
