// Whether the machine has a core that nothing else wants right now, so that a worker thread that
// joins a search (steal-run.ts) runs beside the calling thread instead of taking turns with it.
// On a machine whose cores are all busy a second thread buys the process no CPU — Linux shares
// the CPU between sessions, not threads (sched_autogroup) — while its warm-up (V8 compiling the
// explorer again for its isolate) costs the process CPU it then lacks (docs/scaling.md).
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * True if fewer tasks are runnable now than there are cores (Linux: /proc/loadavg's fourth field,
 * which counts the calling thread itself); elsewhere, if the one-minute load average leaves a
 * core free (or the system does not say).
 */
export function spareCore(): boolean {
  const cores = availableParallelism();
  try {
    const field = readFileSync('/proc/loadavg', 'utf8').split(' ')[3];
    return Number(field.slice(0, field.indexOf('/'))) < cores;
  } catch {
    const l = loadavg()[0];
    return l === 0 || l <= cores - 1;
  }
}
