// V8's optimizing compiler (TurboFan) held back during a check's first milliseconds.
//
// V8 compiles a function with TurboFan, on a background thread, once it has run for a while. A
// small run (refcount(2): ~170 executions, about 20 ms of exploring) ends before those compiles
// pay back: on this 2-core machine they take CPU from the exploration, the optimized code is often
// thrown away again while the types it saw are still settling, and at exit the process waits for
// the compiles still queued (Node joins V8's worker threads). So a sequential run starts with
// TurboFan off and turns it on once the process has explored for WARM_MS; Ignition and Sparkplug
// (the interpreter and the baseline compiler) run until then, and a long run loses at most that
// much of its start. Measured: docs/performance.md, "Start-up".
// The flag is V8's own (--no-opt / --opt, process-wide, read at each tier-up decision); it is
// always back to what it was when the command ends, since bin/mmcheck.js's code cache is stamped
// with V8's flags. A user who sets TurboFan's flags (NODE_OPTIONS, node's command line) keeps them.
import { setFlagsFromString } from 'node:v8';

/**
 * Exploring time (ms, summed over the process's runs) after which TurboFan is on. 25, not 40: on a
 * quiet machine 40 ms cost big0 and refcount(3) (0.3 s runs) 30–45 ms CPU; 15 ms cost refcount(2)
 * 4 ms of its 45 (docs/performance.md, "TurboFan held back").
 */
const WARM_MS = 25;
const untouched = /--(no-)?(opt|turbofan|always-turbofan|always-opt|interrupt-budget)\b/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
let spent = 0;

/**
 * Wraps one sequential exploration: TurboFan stays off while the process's exploring time is
 * under WARM_MS; the returned `tick` (call it now and then, e.g. per leaf) turns it on when that
 * time is reached, `done` at the end of the run.
 */
export function warmUp(): { tick: () => void; done: () => void } {
  if (untouched || spent >= WARM_MS) return { tick: () => {}, done: () => {} };
  const t0 = performance.now();
  let off = true;
  setFlagsFromString('--no-opt');
  let n = 0;
  const on = (): void => {
    if (!off) return;
    off = false;
    setFlagsFromString('--opt');
  };
  return {
    tick: () => {
      if ((++n & 15) !== 0 || !off) return;
      if (spent + performance.now() - t0 >= WARM_MS) on();
    },
    done: () => {
      spent += performance.now() - t0;
      on();
    },
  };
}
