// Self time per function from the largest .cpuprofile in a directory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2];
const f = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).map((n) => join(dir, n)).find((n) => readFileSync(n, 'utf8').includes('explore.ts')) ?? '';
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const tot = new Map();
p.samples.forEach((id, i) => {
  const c = byId.get(id).callFrame;
  const k = `${c.functionName || '(anonymous)'} ${c.url.split('/').pop()}:${c.lineNumber + 1}`;
  tot.set(k, (tot.get(k) ?? 0) + p.timeDeltas[i]);
});
const sum = [...tot.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...tot].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25))) console.log(`${((v / sum) * 100).toFixed(1).padStart(5)}%  ${k}`);
