// What `mmcheck list --bugs` and `mmcheck check --bugs` print: the bug-history catalog (src/kernel/bugs),
// one row per variant that reproduces a bug, or one "not modelled" row with the reason.
import type { CheckResult } from '../engine/index.ts';
import { bugVariant, type Bug } from '../kernel/bugs/bug.ts';
import { asExpected, boundedWords, invariantsOf, variantModel } from '../kernel/expect.ts';
import { fmt, out } from './io.ts';

/** `mmcheck list --bugs`. */
export function printBugList(bugs: readonly Bug[]): void {
  out('Bug history (mmcheck check --bugs; each variant: mmcheck check <scenario> --variant V):');
  for (const b of bugs) {
    out(`\n  ${b.id}  ${b.commit} ${b.subject}  (${b.year}${b.fixes ? `, fixes ${b.fixes}` : ''})`);
    out(`    ${b.protocol}: ${b.breaks}`);
    if (b.notModelled) { out(`    not modelled: ${b.notModelled}`); continue; }
    for (const bv of b.variants) {
      const v = bugVariant(bv);
      const exp = v.expected === 'ok' ? 'holds' : `violates ${[v.expected, ...(v.also ?? [])].join(',')}`;
      out(`    - ${bv.role.padEnd(7)}  ${bv.scenario.name} --variant ${v.name}  [${v.kernels ?? '?'}] ${variantModel(v)} ${exp}`);
    }
  }
}

export function bugListJson(bugs: readonly Bug[]): unknown {
  return {
    bugs: bugs.map((b) => ({
      id: b.id, commit: b.commit, subject: b.subject, fixes: b.fixes, year: b.year, protocol: b.protocol, breaks: b.breaks,
      ...(b.notModelled ? { notModelled: b.notModelled } : {}),
      variants: b.variants.map((bv) => {
        const v = bugVariant(bv);
        return { role: bv.role, scenario: bv.scenario.name, variant: v.name, kernels: v.kernels ?? null, commit: v.commit ?? b.commit, fixes: v.fixes ?? b.fixes, model: variantModel(v), expected: v.expected, ...(v.also ? { alsoExpected: v.also } : {}) };
      }),
    })),
  };
}

export interface BugRow {
  bug: Bug;
  role: string | null;
  scenario: string | null;
  variant: string | null;
  result: CheckResult | null;
  /**
   * true/false as expected or not, 'n/a' under a model the expectation is not for, 'bounded' when
   * a run cut by a bound did not settle it (judge() in src/kernel/expect.ts), null when not modelled.
   */
  asExpected: boolean | 'n/a' | 'bounded' | null;
}

export function bugRowJson(r: BugRow): Record<string, unknown> {
  const o: Record<string, unknown> = { bug: r.bug.id, commit: r.bug.commit, fixes: r.bug.fixes, protocol: r.bug.protocol };
  if (!r.result) return { ...o, notModelled: r.bug.notModelled };
  const v = r.bug.variants.find((x) => x.variant === r.variant && x.scenario.name === r.scenario);
  const variant = v ? bugVariant(v) : undefined;
  return {
    ...o, role: r.role, scenario: r.scenario, variant: r.variant, kernels: variant?.kernels ?? null, model: r.result.model,
    expected: [variant?.expected ?? 'ok', ...(variant?.also ?? [])].join(','),
    found: r.result.verdict === 'violation' ? invariantsOf(r.result) : r.result.verdict,
    executions: r.result.executions, blocked: r.result.blocked, seconds: Number(r.result.seconds.toFixed(4)),
    cutBy: r.result.cutBy, asExpected: r.asExpected,
  };
}

/** The table of `mmcheck check --bugs`. */
export function printBugTable(rows: readonly BugRow[]): void {
  const head = ['bug', 'fix', 'protocol', 'variant', 'expected', 'found', 'executions', 'blocked', 'seconds', ''];
  const lines: string[][] = [head];
  let bad = 0, bounded = 0, modelled = 0, variants = 0;
  const bugsSeen = new Set<string>();
  for (const r of rows) {
    const proto = r.bug.protocol.length > 38 ? r.bug.protocol.slice(0, 37) + '…' : r.bug.protocol;
    if (!r.result) {
      lines.push([r.bug.id, r.bug.commit, proto, '-', '-', '-', '-', '-', '-', `not modelled: ${r.bug.notModelled}`]);
      continue;
    }
    variants++;
    if (!bugsSeen.has(r.bug.id)) { bugsSeen.add(r.bug.id); modelled++; }
    const bv = r.bug.variants.find((x) => x.variant === r.variant && x.scenario.name === r.scenario)!;
    const v = bugVariant(bv);
    if (r.asExpected === false) bad++;
    if (r.asExpected === 'bounded') bounded++;
    const found = r.result.verdict === 'violation' ? invariantsOf(r.result).join(',') : r.result.verdict;
    lines.push([r.bug.id, r.bug.commit, proto, `${r.role} (${r.scenario} --variant ${r.variant})`, [v.expected, ...(v.also ?? [])].join(','), found,
      fmt(r.result.executions), fmt(r.result.blocked), r.result.seconds.toFixed(2),
      r.asExpected === 'n/a' ? `n/a (expectation is for ${variantModel(v)})` : r.asExpected === 'bounded' ? boundedWords(v, r.result) : r.asExpected ? 'as expected' : 'UNEXPECTED']);
  }
  const w = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) out(l.map((c, i) => (i >= 6 && i <= 8 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd());
  const total = rows.reduce((s, r) => s + (r.result?.seconds ?? 0), 0);
  const notModelled = new Set(rows.filter((r) => !r.result).map((r) => r.bug.id)).size;
  out(`\n${bugsSeen.size + notModelled} bugs: ${modelled} modelled (${variants} variants, ${variants - bad - bounded} as expected, ${bad} unexpected${bounded ? `, ${bounded} not decided by the bound` : ''}), ${notModelled} not modelled; ${total.toFixed(1)} s exploring.`);
  if (rows.some((r) => r.result?.cutBy)) out('A row cut by --timeout or --max-executions counts only what it explored: it is NOT exhaustive. A violation found is real; a cut row without the expected one confirms no "ok" and contradicts no expected violation, so such rows count neither as expected nor as unexpected.');
  else out('Every modelled variant explored every execution; "pre-fix" is the kernel\'s code before the fixing commit, "fixed" after it.');
}

export { asExpected };
