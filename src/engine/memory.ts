// Memory bounds a user can trust: a run that would exhaust the JavaScript heap stops with a
// message and exit 2 (ResourceError) instead of dying in a V8 heap-out-of-memory abort (exit
// 134) with nothing said. Two checks: an estimate before a run starts (every event carries a
// view with one entry per thread, so an execution of T threads holds at least T² entries), and
// the heap's actual use, read at a cadence cheap enough for the explorer's loop.
import { getHeapStatistics } from 'node:v8';
import { ModelError } from './errors.ts';

/** The run is too large for the heap: bad input (exit 2), never the user's code at a line. */
export class ResourceError extends ModelError {}

/**
 * Stop when the heap in use comes within this much of V8's limit. The limit counts the young
 * generation too, which the old one cannot use: measured, Node dies with 71% of the limit in use
 * at --max-old-space-size=200 and 91% at the default 4 GB; 15% (at least 100 MB) leaves room
 * for both, and to unwind and report.
 */
function reserve(limit: number): number {
  return Math.max(0.15 * limit, 100e6);
}
/** Refuse a run whose estimated minimum already takes this share of the heap. */
const ESTIMATE_LIMIT = 0.5;

const mb = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.ceil(n / 1e6)} MB`);

let heapLimit = 0;
function limit(): number {
  return (heapLimit ||= getHeapStatistics().heap_size_limit);
}

/**
 * Throws ResourceError when the heap in use is past USE_LIMIT of the limit. `what` says what
 * was being built ("the setup of gup-fast-vs-zap", "exploring …") and `hint` what to shrink.
 */
export function checkHeap(what: string, hint: string): void {
  const h = getHeapStatistics();
  if (h.used_heap_size > h.heap_size_limit - reserve(h.heap_size_limit)) {
    throw new ResourceError(`${what} would exhaust memory: the heap holds ${mb(h.used_heap_size)} of the ${mb(h.heap_size_limit)} ` +
      `Node allows (raise it with NODE_OPTIONS=--max-old-space-size=MB, or ${hint})`);
  }
}

/**
 * Before a run: an execution of `threads` threads needs at least threads² view entries (8 bytes
 * each), and each location an initial write and its lists (~300 bytes). Refuses a run that cannot fit.
 */
export function checkEstimate(what: string, threads: number, locs: number): void {
  const need = threads * threads * 8 + locs * 300;
  const cap = limit();
  if (need > ESTIMATE_LIMIT * cap) {
    throw new ResourceError(`${what} cannot fit in memory: with ${threads.toLocaleString('en-US')} threads and ` +
      `${locs.toLocaleString('en-US')} locations one execution needs at least ${mb(need)}, and the heap Node allows is ${mb(cap)} ` +
      '(fewer threads or locations, e.g. a smaller --param)');
  }
}

/**
 * How many events the explorer may add between two heap checks (a power of two, as a mask):
 * each event's view has one entry per thread, so with many threads every event counts.
 */
export function heapCheckMask(threads: number): number {
  let n = 1024;
  while (n > 1 && n * threads * 8 > 4 << 20) n >>= 1;
  return n - 1;
}
