// Runs one benchmark program in a process of its own, so its peak memory is its own, and
// prints {executions, blocked, seconds, peakRssMB} as JSON. Used by `mmcheck bench`.
//   node --import tsx src/cli/bench-one.ts <program> [K=V ...]
import { check } from '../engine/index.ts';
import { programs } from '../programs/index.ts';

const [name, ...kvs] = process.argv.slice(2);
const program = programs.find((p) => p.name === name);
if (!program) {
  console.error(`unknown program ${name}`);
  process.exit(2);
}
const params: Record<string, number> = {};
for (const kv of kvs) {
  const [k, v] = kv.split('=');
  params[k] = Number(v);
}
const r = check(program, { params });
console.log(JSON.stringify({
  executions: r.executions,
  blocked: r.blocked,
  verdict: r.verdict,
  seconds: r.seconds,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
}));
