// What the catalog expects of a variant, and whether a check's result meets it. The CLI's table,
// its exit code for `check --all` and the tests all ask here, so "as expected" means one thing.
import { DEFAULT_MODEL, type CheckResult } from '../engine/index.ts';
import type { Variant } from './scenario.ts';

/** The model a variant's expectation is stated for (the variant's own, else the default). */
export function variantModel(v: Variant | undefined): string {
  return v?.model ?? DEFAULT_MODEL;
}

/** The invariant the (first) violation broke (else its kind, e.g. 'deadlock'), if there is one. */
export function invariantOf(r: CheckResult): string | undefined {
  return r.violation ? r.violation.invariant ?? r.violation.property : undefined;
}

/** Every invariant found: all classes with --all-violations, else the first violation's. */
export function invariantsOf(r: CheckResult): string[] {
  if (r.violations) return r.violations.map((c) => c.key);
  const inv = invariantOf(r);
  return inv ? [inv] : [];
}

/**
 * How a result stands against the catalog's expectation:
 * - 'as expected': the verdict the catalog states for the variant under its model;
 * - `finding §n`: a documented weak-memory finding (docs/weak-memory-findings.md) reproduced —
 *   the finding variant itself, or the variant whose program it runs (`safe`, or its `findingOf`)
 *   under the finding's model;
 * - 'n/a': an unsafe variant run under another model than its own (no expectation there);
 * - 'unexpected': anything else (including a documented finding that no longer reproduces).
 * `findings` are the finding variants of the run's scenario.
 */
export type Judgement = 'as expected' | 'unexpected' | 'n/a' | `finding ${string}`;

/** Judges result `r` of `variant` (undefined: a program outside the catalog) as described at Judgement. */
export function judge(variant: Variant | undefined, r: CheckResult, findings: readonly Variant[] = []): Judgement {
  if (!variant) return r.verdict === 'ok' ? 'as expected' : 'unexpected';
  const found = invariantsOf(r);
  // Without --all-violations only the first violation is known: the row's other ids cannot be asked for.
  const breaks = (v: Variant): boolean => r.verdict === 'violation' && (r.violations ? [v.expected, ...(v.also ?? [])] : [v.expected]).every((id) => found.includes(id));
  if (variant.expected === 'ok') {
    const f = findings.find((x) => variantModel(x) === r.model && (x.findingOf ?? 'safe') === variant.name);
    if (f) return breaks(f) ? `finding ${f.finding}` : 'unexpected';
    return r.verdict === 'ok' ? 'as expected' : 'unexpected';
  }
  if (r.model !== variantModel(variant)) return 'n/a';
  if (!breaks(variant)) return 'unexpected';
  return variant.finding ? `finding ${variant.finding}` : 'as expected';
}

/** judge() as true (as expected, or a documented finding), false (unexpected) or 'n/a'. */
export function asExpected(variant: Variant | undefined, r: CheckResult, findings: readonly Variant[] = []): boolean | 'n/a' {
  const j = judge(variant, r, findings);
  return j === 'n/a' ? 'n/a' : j !== 'unexpected';
}
