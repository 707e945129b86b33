// CPU seconds the calling thread has used (Linux: /proc/thread-self/stat, 10 ms ticks), so that
// a parallel run can say how its work spread over its threads whatever else the machine runs:
// on a busy machine the wall-clock speed-up measures the scheduler as much as the search.
import { readFileSync } from 'node:fs';

/** User + system CPU seconds of this thread, or null where /proc/thread-self is not there. */
export function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime and
    // stime are fields 14 and 15 of the whole line, 12 and 13 after the ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}
