// temporary: replay recorded checks, compare answers, time CPU
import { readFileSync } from 'node:fs';
import { loadLkmm } from './src/axiomatic/lkmm/index.ts';
const recs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const step = Number(process.argv[3] ?? 1);
const m = loadLkmm();
let bad = 0, n = 0, branches = 0;
const t0 = process.cpuUsage();
for (let i = 0; i < recs.length; i += step) {
  const { x, co, n: want, f } = recs[i];
  n++;
  if (process.argv[4] === 'first') {
    const fl = m.flagsWithCo(x, co);
    if ((fl !== null) !== (want > 0) || (want > 0 && JSON.stringify(fl) !== JSON.stringify(f[0]))) bad++;
  } else {
    const r = m.checkWithCo(x, co);
    if ((r.length > 0) !== (want > 0) || (want > 0 && JSON.stringify(r[0].flags) !== JSON.stringify(f[0]))) bad++;
  }
}
const t = process.cpuUsage(t0);
console.log(`checks ${n} mismatches ${bad} cpu ${((t.user + t.system) / 1e6).toFixed(2)} s, ${((t.user + t.system) / 1e3 / n).toFixed(2)} ms/check`);
