// Runs one benchmark program in a process of its own, so its peak memory is its own, and
// prints {executions, blocked, seconds, peakRssMB} as JSON. Used by `mmcheck bench`. With
// jobs > 1 the search is shared out over that many threads (src/engine/parallel); the worker
// threads load the worker bundle when the parent names it in MMCHECK_WORKER_BUNDLE (cli/parallel.ts).
//   node --import tsx src/cli/bench-one.ts <program> [jobs=N] [K=V ...]
import type { CheckResult } from '../engine/index.ts';
import { closeWorkerPool, workerPool } from './parallel.ts';
import { threadCpuSeconds } from '../engine/parallel/thread-cpu.ts';
import { spareCore } from '../engine/parallel/spare-core.ts';

const [name, ...kvs] = process.argv.slice(2);
const params: Record<string, number> = {};
let jobs = 1;
for (const kv of kvs) {
  const [k, v] = kv.split('=');
  if (k === 'jobs') jobs = Number(v);
  else params[k] = Number(v);
}
// The worker threads start now and load their bundle while this thread loads the engine and the
// programs (as `check` starts them, cli/parallel.ts startWorkersEarly: only if a core is free).
if (jobs > 1 && spareCore()) workerPool().grow(jobs - 1);
const [{ check }, { checkSplit }, { programs }] = await Promise.all([
  import('../engine/index.ts'), import('../engine/parallel/run.ts'), import('../programs/index.ts'),
]);
const program = programs.find((p) => p.name === name);
if (!program) {
  console.error(`unknown program ${name}`);
  process.exit(2);
}
let r: CheckResult;
// CPU seconds per thread (the calling thread's first): what the run would take with a core each.
let threadCpu: (number | null)[];
if (jobs > 1) {
  const o = await checkSplit(program, { params, jobs, workers: { pool: workerPool(), program: { target: name, variant: null, allVariants: false, index: 0 } } });
  await closeWorkerPool();
  r = o.result;
  threadCpu = o.result.split.threadCpu;
} else {
  const c0 = threadCpuSeconds();
  r = check(program, { params });
  const c1 = threadCpuSeconds();
  threadCpu = [c0 === null || c1 === null ? null : c1 - c0];
}
console.log(JSON.stringify({
  executions: r.executions,
  blocked: r.blocked,
  verdict: r.verdict,
  seconds: r.seconds,
  threadCpu,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
}));
