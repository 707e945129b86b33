// Runs every variant of the scenario catalog under the LKMM in a process of its own and prints
// one JSON line per row ({scenario, variant, found, judgement, executions, blocked, rejected,
// seconds, cutBy}), as `check --all --model lkmm` would explore it. Used by `mmcheck bench`
// (the lkmm-catalog row set), so that a scenario whose LKMM check becomes slow shows up in the
// benchmark instead of in the next person's hand-run of the whole catalog.
//   node --import tsx src/cli/bench-lkmm.ts [timeoutSeconds]
import { check } from '../engine/index.ts';
import { catalog } from '../kernel/catalog.ts';
import { invariantsOf, judge } from '../kernel/expect.ts';

const timeoutMs = Number(process.argv[2] ?? 20) * 1000;
for (const s of catalog) {
  const findings = s.variants.filter((v) => v.finding);
  for (const v of s.variants) {
    const r = check(v.program, { model: 'lkmm', timeoutMs, allViolations: true });
    console.log(JSON.stringify({
      scenario: s.name, variant: v.name, found: r.verdict === 'violation' ? invariantsOf(r).join(',') : r.verdict,
      judgement: judge(v, r, findings), executions: r.executions, blocked: r.blocked, rejected: r.rejected,
      seconds: Number(r.seconds.toFixed(3)), cutBy: r.cutBy,
    }));
  }
}
