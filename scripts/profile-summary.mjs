// Self time per function from the largest .cpuprofile in a directory:
//   node scripts/profile-summary.mjs DIR [TOP] [--all] [--total]
// Percentages are of the samples taken inside Explorer.run (the exploration itself), so module
// loading and tsx's start-up do not dilute them; --all counts every sample. --total ranks by
// inclusive time (a function and what it calls; V8 may have inlined callees into self time).
// tsx minifies whitespace, so every location reads as line 1: read the function names.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const args = process.argv.slice(2);
const all = args.includes('--all');
const total = args.includes('--total');
const [dir, top] = args.filter((a) => !a.startsWith('--'));
const f = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).map((n) => join(dir, n)).find((n) => readFileSync(n, 'utf8').includes('explore.ts')) ?? '';
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inRunMemo = new Map();
const inRun = (id) => {
  if (inRunMemo.has(id)) return inRunMemo.get(id);
  const c = byId.get(id).callFrame;
  const r = (c.functionName === 'run' && c.url.endsWith('explore.ts')) || (parent.has(id) && inRun(parent.get(id)));
  inRunMemo.set(id, r);
  return r;
};
const tot = new Map();
let outside = 0;
let sampled = 0;
p.samples.forEach((id, i) => {
  const c = byId.get(id).callFrame;
  // GC samples have no JS parent: count them when inside-run samples surround them.
  if (!all && c.functionName !== '(garbage collector)' && !inRun(id)) { outside += p.timeDeltas[i]; return; }
  const key = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
  const keys = new Set([key(c)]);
  if (total) for (let n = parent.get(id); n !== undefined; n = parent.get(n)) keys.add(key(byId.get(n).callFrame));
  for (const k of keys) tot.set(k, (tot.get(k) ?? 0) + p.timeDeltas[i]);
  sampled += p.timeDeltas[i];
});
const sum = sampled;
console.log(`${(sum / 1e6).toFixed(2)} s profiled${all ? '' : ` inside Explorer.run (+ GC); ${(outside / 1e6).toFixed(2)} s outside left out`}`);
for (const [k, v] of [...tot].sort((a, b) => b[1] - a[1]).slice(0, Number(top ?? 25))) console.log(`${((v / sum) * 100).toFixed(1).padStart(5)}%  ${k}`);
