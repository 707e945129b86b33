// Measures how many executions `--random` needs to find a catalog variant's violation (issue 11,
// docs/scaling.md "Sampling"): for each variant and parameter given, PCT at depth 2 and 3 and the
// uniform random walk, over seeds 1..S, each capped at N complete executions; and, beside them,
// how many executions the exhaustive search explores before its first violation.
//
//   node --import tsx scripts/sampling-table.ts [--seeds 10] [--cap 2000] [--exhaustive-timeout 120] [--depths 2,3] [--weak C] [--history H] \
//     gup-fast-vs-zap/no-pte-recheck:walkers=4 migrate-file-vs-lookup/lookup-folio-get:lookups=3 …
//
// Prints one markdown row per variant and parameter, and the per-seed counts as JSON on stderr.
import { check, type CheckResult } from '../src/engine/index.ts';
import { findVariant } from '../src/kernel/catalog.ts';
import { variantModel } from '../src/kernel/expect.ts';

const args = process.argv.slice(2);
function opt(name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
}
const seeds = opt('seeds', 10);
const cap = opt('cap', 2000);
const exhaustiveTimeout = opt('exhaustive-timeout', 120);
// Under tso/lkmm: PCT's weak choices per execution and their history (engine defaults when absent).
const pctWeak = opt('weak', NaN);
const pctHistory = opt('history', NaN);
const weakOpts = { ...(Number.isNaN(pctWeak) ? {} : { pctWeak }), ...(Number.isNaN(pctHistory) ? {} : { pctHistory }) };

/** --depths 2,3 (default): the PCT depths to try, beside the random walk. */
function depthsOpt(): number[] {
  const i = args.indexOf('--depths');
  if (i < 0) return [2, 3];
  const v = args[i + 1].split(',').map(Number);
  args.splice(i, 2);
  return v;
}
const SAMPLERS: { label: string; random: { sampler: 'pct' | 'random'; pctDepth?: number; pctWeak?: number; pctHistory?: number } }[] = [
  ...depthsOpt().map((d) => ({ label: `PCT d=${d}`, random: { sampler: 'pct' as const, pctDepth: d, ...weakOpts } })),
  { label: 'random walk', random: { sampler: 'random' as const } },
];

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Executions drawn up to and including the violating one (blocked draws included). */
function drawn(r: CheckResult): number {
  return r.executions + r.blocked + r.rejected;
}

/** "median 37 (10/10 found)" or "not found in 2000 (0/10)"; the median counts a miss as more than any find. */
function summary(found: (number | null)[]): string {
  const hits = found.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const all = found.map((x) => (x === null ? Infinity : x)).sort((a, b) => a - b);
  const m = all.length % 2 ? all[(all.length - 1) / 2] : (all[all.length / 2 - 1] + all[all.length / 2]) / 2;
  const of = `${hits.length}/${found.length}`;
  if (hits.length === 0) return `not found in ${fmt(cap)} (${of})`;
  return `${m === Infinity ? `> ${fmt(cap)}` : fmt(Math.round(m))} (${of}; ${fmt(hits[0])}–${fmt(hits[hits.length - 1])})`;
}

console.log(`| variant | param | exhaustive: executions to the first violation | ${SAMPLERS.map((s) => s.label).join(' | ')} |`);
console.log(`|---|---|---:|${SAMPLERS.map(() => '---:').join('|')}|`);
for (const spec of args) {
  const m = /^([^/]+)\/([^:]+)(?::(\w+)=(\d+))?$/.exec(spec);
  if (!m) throw new Error(`bad spec ${spec} (scenario/variant[:param=N])`);
  const [, scen, name, key, val] = m;
  const v = findVariant(scen, name);
  if (!v) throw new Error(`no variant ${scen}/${name}`);
  const params = key ? { [key]: Number(val) } : {};
  const model = variantModel(v);
  const ex = check(v.program, { params, model, timeoutMs: exhaustiveTimeout * 1000 });
  const exCell = ex.violation ? `${fmt(drawn(ex))} (${ex.seconds.toFixed(1)} s)` : ex.cutBy ? `none in ${fmt(drawn(ex))} (${exhaustiveTimeout} s)` : 'none (search complete)';
  const cells: string[] = [];
  const raw: Record<string, unknown> = { spec, model, exhaustive: { drawn: drawn(ex), seconds: ex.seconds, violation: ex.violation?.invariant ?? null } };
  for (const s of SAMPLERS) {
    const found: (number | null)[] = [];
    let secs = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = check(v.program, { params, model, random: { samples: cap, seed, ...s.random } });
      secs += r.seconds;
      found.push(r.violation ? drawn(r) : null);
    }
    raw[s.label] = { found, seconds: +secs.toFixed(2) };
    cells.push(summary(found));
  }
  console.log(`| ${scen}/${name} (${model}) | ${key ? `${key}=${val}` : '–'} | ${exCell} | ${cells.join(' | ')} |`);
  console.error(JSON.stringify(raw));
}
