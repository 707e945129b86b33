// Time spent per top-level binding, when the environment variable MMCHECK_CAT_PROFILE is set:
// self time (excluding nested top-level bindings) and number of evaluations, printed to stderr
// when the process exits, most expensive first. Without the variable, `profiled` returns the
// code unchanged and costs nothing.
import type { Code } from './runtime.ts';

export const catProfile = new Map<string, { n: number; ms: number }>();
const PROFILE = typeof process !== 'undefined' && !!process.env.MMCHECK_CAT_PROFILE;
const depthStart: number[] = [];

if (PROFILE)
  process.on('exit', () => {
    const rows = [...catProfile].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40);
    process.stderr.write('cat profile (self ms, evaluations, binding):\n');
    for (const [name, { n, ms }] of rows) process.stderr.write(`${ms.toFixed(1).padStart(10)} ${String(n).padStart(9)}  ${name}\n`);
  });

export function profiled(name: string, code: Code): Code {
  if (!PROFILE) return code;
  return (rt, fr) => {
    const t0 = performance.now();
    depthStart.push(0);
    try {
      return code(rt, fr);
    } finally {
      const inner = depthStart.pop()!;
      const dt = performance.now() - t0;
      const e = catProfile.get(name) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += dt - inner;
      catProfile.set(name, e);
      if (depthStart.length) depthStart[depthStart.length - 1]! += dt;
    }
  };
}
