// Whether the machine has a core that nothing else wants right now, so that a worker thread that
// joins a search (steal-run.ts) runs beside the calling thread instead of taking turns with it.
// On a machine whose cores are all busy a second thread buys the process no CPU — Linux shares
// the CPU between sessions, not threads (sched_autogroup) — while its warm-up (V8 compiling the
// explorer again for its isolate) costs the process CPU it then lacks (docs/scaling.md).
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * True if fewer tasks are runnable now than there are cores (Linux: /proc/loadavg's fourth field,
 * which counts the calling thread itself), not counting this process's other threads (V8's
 * compiler and GC helpers, busy for moments while the search warms up: counted, they kept a quiet
 * machine's second core from ever looking free, and lastzero N=15's worker from joining);
 * elsewhere, if the one-minute load average leaves a core free (or the system does not say).
 */
export function spareCore(): boolean {
  const cores = availableParallelism();
  try {
    const field = readFileSync('/proc/loadavg', 'utf8').split(' ')[3];
    return Number(field.slice(0, field.indexOf('/'))) - ownOthersRunning() < cores;
  } catch {
    const l = loadavg()[0];
    return l === 0 || l <= cores - 1;
  }
}

/** This process's runnable threads (state R in /proc/self/task/N/stat) other than the calling one. */
function ownOthersRunning(): number {
  let n = 0;
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'latin1');
      if (stat.charCodeAt(stat.lastIndexOf(')') + 2) === 82 /* R */) n++;
    } catch { /* the thread ended */ }
  }
  return n > 0 ? n - 1 : 0; // the calling thread is running (it reads this)
}
