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
 * - 'bounded': a run that was not exhaustive (a sample, or a search cut by --timeout or
 *   --max-executions) and did not reach the verdict that would settle the expectation: a safe
 *   variant with no violation in what was explored (a bound can never prove it safe), or an
 *   unsafe variant (or a safe one under a documented finding's model) whose expected invariants
 *   were not all found in it (they may lie outside it).
 *   It confirms the expectation no more than it contradicts it;
 * - 'unexpected': anything else (including a documented finding that no longer reproduces). A
 *   violation found by a bounded run is as definite as an exhaustive one's: on a safe variant it
 *   is unexpected whatever the bound.
 * `findings` are the finding variants of the run's scenario.
 */
export type Judgement = 'as expected' | 'unexpected' | 'n/a' | 'bounded' | `finding ${string}`;

/** True when `r` did not explore every execution (sampled, or cut by a bound). */
export function notExhaustive(r: CheckResult): boolean {
  return r.mode === 'sample' || r.cutBy !== null;
}

/** Judges result `r` of `variant` (undefined: a program outside the catalog) as described at Judgement. */
export function judge(variant: Variant | undefined, r: CheckResult, findings: readonly Variant[] = []): Judgement {
  if (!variant) return r.verdict === 'ok' ? 'as expected' : r.verdict === 'bounded' ? 'bounded' : 'unexpected';
  const found = invariantsOf(r);
  // Without --all-violations only the first violation is known: the row's other ids cannot be asked for.
  const breaks = (v: Variant): boolean => r.verdict === 'violation' && (r.violations ? [v.expected, ...(v.also ?? [])] : [v.expected]).every((id) => found.includes(id));
  // A bounded run that did not find every expected id has not settled them (as an exhaustive run
  // may, it may also have found others first: a sample stops at its first violation).
  const bounded = notExhaustive(r);
  if (variant.expected === 'ok') {
    const f = findings.find((x) => variantModel(x) === r.model && (x.findingOf ?? 'safe') === variant.name);
    if (f) return breaks(f) ? `finding ${f.finding}` : bounded ? 'bounded' : 'unexpected';
    return r.verdict === 'ok' ? 'as expected' : r.verdict === 'bounded' ? 'bounded' : 'unexpected';
  }
  if (r.model !== variantModel(variant)) return 'n/a';
  if (!breaks(variant)) return bounded ? 'bounded' : 'unexpected';
  return variant.finding ? `finding ${variant.finding}` : 'as expected';
}

/**
 * What a 'bounded' row did not find, in words: "no violation in 200 samples (not exhaustive)",
 * "I13 not found in 200 samples", "I7 not found before --max-executions".
 */
export function boundedWords(variant: Variant | undefined, r: CheckResult, findings: readonly Variant[] = []): string {
  const where = r.mode === 'sample' ? `in ${r.executions.toLocaleString('en-US')} sample${r.executions === 1 ? '' : 's'}`
    : `before ${r.cutBy === 'timeout' ? '--timeout' : '--max-executions'}`;
  const f = variant?.expected === 'ok' ? findings.find((x) => variantModel(x) === r.model && (x.findingOf ?? 'safe') === variant.name) : undefined;
  const want = f ?? (variant && variant.expected !== 'ok' ? variant : undefined);
  if (!want) return `no violation ${where} (not exhaustive)`;
  const found = invariantsOf(r);
  const missing = [want.expected, ...(want.also ?? [])].filter((id) => !found.includes(id));
  return `${missing.join(',')} not found ${where}${f ? ` (finding ${f.finding})` : ''}`;
}

/** judge() as true (as expected, or a documented finding), false (unexpected), 'n/a' or 'bounded'. */
export function asExpected(variant: Variant | undefined, r: CheckResult, findings: readonly Variant[] = []): boolean | 'n/a' | 'bounded' {
  const j = judge(variant, r, findings);
  return j === 'n/a' || j === 'bounded' ? j : j !== 'unexpected';
}
