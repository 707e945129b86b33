// Whether the machine has a core that nothing else wants right now, so that a worker thread that
// joins a search (steal-run.ts) runs beside the calling thread instead of taking turns with it.
// On a machine whose cores are all busy a second thread buys the process no CPU — Linux shares
// the CPU between sessions, not threads (sched_autogroup) — while its warm-up (V8 compiling the
// explorer again for its isolate) costs the process CPU it then lacks (docs/scaling.md). The test
// itself is threads.cjs's, which bin/mmcheck.js shares.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spareCore as test } from './threads.cjs';

/** True if a core is free now (threads.cjs spareCore). */
export function spareCore(): boolean {
  return test(fs, os);
}
