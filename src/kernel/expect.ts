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
 * Does the verdict match the catalog's expectation? An unsafe variant's expectation holds for its
 * own model; run under another one (--model) it has none ('n/a'). A safe variant, or a program
 * outside the catalog (no variant), is expected to hold under any model.
 */
export function asExpected(variant: Variant | undefined, r: CheckResult): boolean | 'n/a' {
  if (!variant) return r.verdict === 'ok';
  if (variant.expected === 'ok') return r.verdict === 'ok';
  if (r.model !== variantModel(variant)) return 'n/a';
  const found = invariantsOf(r);
  // Without --all-violations only the first violation is known: the row's other ids cannot be asked for.
  const want = r.violations ? [variant.expected, ...(variant.also ?? [])] : [variant.expected];
  return r.verdict === 'violation' && want.every((id) => found.includes(id));
}
