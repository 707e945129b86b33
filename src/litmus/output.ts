// Stage 6 of the litmus pipeline: printing results as herd7 does (Test / States / Ok|No /
// Witnesses / Positive-Negative / Flag / Condition / Observation / Time), and as JSON.
import { showCLoc, showCondition } from './condition.ts';
import type { LitmusResult } from './run.ts';
import { showVal } from './setup.ts';

export function herdOutput(r: LitmusResult): string {
  const s = r.setup;
  const q = s.test.quant;
  const kind = q === 'exists' ? 'Allowed' : q === '~exists' ? 'Forbidden' : 'Required';
  const lines: string[] = [];
  lines.push(`Test ${r.name} ${kind}`);
  lines.push(`States ${r.stateList.length}`);
  for (const st of r.stateList) {
    lines.push(s.observed.map((l, i) => `${showCLoc(l)}=${showVal(s, st[i]!)};`).join(' '));
  }
  lines.push(r.ok ? 'Ok' : 'No');
  lines.push('Witnesses');
  // herd7 counts positive/negative w.r.t. the proposition; the Witnesses line swaps them for
  // ~exists (a witness of ~exists is an execution that does not satisfy the proposition).
  if (q === '~exists') lines.push(`Positive: ${r.negative} Negative: ${r.positive}`);
  else lines.push(`Positive: ${r.positive} Negative: ${r.negative}`);
  for (const f of r.flags) lines.push(`Flag ${f}`);
  lines.push(`Condition ${showCondition(q, s.test.cond)}`);
  lines.push(`Observation ${r.name} ${r.verdict} ${r.positive} ${r.negative}`);
  lines.push(`Time ${r.name} ${r.seconds.toFixed(2)}`);
  return lines.join('\n') + '\n';
}

export interface JsonResult {
  path: string;
  name: string;
  verdict: string;
  positive: number;
  negative: number;
  states: number;
  flags: string[];
  seconds: number;
  /** With --explain: why the condition's outcome is allowed or forbidden (explain.ts). */
  explanation?: Record<string, unknown>;
}

export function jsonResult(r: LitmusResult): JsonResult {
  return {
    path: r.path,
    name: r.name,
    verdict: r.verdict,
    positive: r.positive,
    negative: r.negative,
    states: r.stateList.length,
    flags: r.flags,
    seconds: Math.round(r.seconds * 1000) / 1000,
  };
}
