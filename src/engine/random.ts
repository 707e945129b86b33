// The choosers of `mmcheck check --random N`: a uniform random walk (a random runnable thread and
// a random consistent choice at every step) and PCT, probabilistic concurrency testing
// (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010, as shuttle's and Coyote's PCT
// schedulers run it), which finds a bug of depth d with a probability it can bound. Both draw
// from a seedable PRNG, so a sample can be repeated.
import type { Chooser } from './explore.ts';
import type { Ev } from './graph.ts';

/** A small, seedable PRNG (mulberry32), so a sample can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The indices 0..n-1 in a random order (Fisher–Yates). */
function shuffled(n: number, rnd: () => number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) idx.push(i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const x = idx[i]; idx[i] = idx[j]; idx[j] = x;
  }
  return idx;
}

/** Random thread and random consistent choice at every step; spinning threads are parked. */
export class RandomChooser implements Chooser {
  readonly parks = true;
  constructor(private readonly rnd: () => number) {}
  thread(runnable: readonly number[]): number {
    return runnable[Math.floor(this.rnd() * runnable.length)];
  }
  order(_e: Ev, c: readonly Ev[]): readonly number[] {
    return shuffled(c.length, this.rnd);
  }
}

const FIRST: readonly number[] = [0];

/**
 * PCT's state across the executions of one sample: the longest execution seen so far (in
 * scheduling decisions: steps where more than one thread could run), which bounds where the
 * priority change points of the next execution fall. The first execution runs the threads in
 * order (the lowest tid first) to learn it, as shuttle's does.
 */
export class PctState {
  maxSteps = 0;
  executions = 0;
  constructor(readonly depth: number, readonly rnd: () => number) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`PCT depth must be an integer >= 1, got ${depth}`);
  }
  /** The chooser of the next execution. `maximal`: reads and writes take the co-latest choice. */
  next(maximal: boolean): PctChooser {
    return new PctChooser(this, this.executions++ === 0, maximal);
  }
}

/**
 * One execution under PCT: every thread has a distinct priority, drawn at random; the runnable
 * thread of highest priority runs; at d-1 change points, drawn at random among the scheduling
 * decisions of the longest execution seen, the running thread drops to the lowest priority. A
 * bug that needs d ordering constraints among n threads and k decisions is then hit with
 * probability at least 1/(n·k^(d-1)) per execution. Threads spawned later take a random slot in
 * the priority order. Under SC a read reads the latest write and a write goes last in co (the
 * execution is the interleaving PCT scheduled); under weaker models a read's source and a
 * write's co place are drawn at random among the consistent ones, as the random walk draws them
 * (PCT's bound is on the schedule only).
 */
export class PctChooser implements Chooser {
  readonly parks = true;
  /** Per tid, its priority: lower is higher. */
  private readonly prio: number[] = [];
  private next = 0;
  private steps = 0;
  private current = -1;
  private readonly changes: Set<number>;

  constructor(private readonly st: PctState, private readonly first: boolean, private readonly maximal: boolean) {
    const k = st.maxSteps;
    const n = first ? 0 : Math.min(st.depth - 1, Math.max(0, k - 1));
    // n distinct change points among decisions 1 .. k-1 (none before the first decision: the
    // random initial priorities take care of that).
    const points = shuffled(Math.max(0, k - 1), st.rnd).slice(0, n).map((p) => p + 1);
    this.changes = new Set(points);
  }

  private priority(t: number): number {
    const p = this.prio[t];
    if (p !== undefined) return p;
    // Threads are met in tid order; a new one swaps priorities with a random known one (or
    // keeps the new, lowest, priority), so that every order is possible. The first execution
    // keeps tid order.
    for (let u = this.prio.length; u <= t; u++) {
      let mine = this.next++;
      if (!this.first && u > 0) {
        const j = Math.floor(this.st.rnd() * (u + 1));
        if (j < u) { const theirs = this.prio[j]; this.prio[j] = mine; mine = theirs; }
      }
      this.prio[u] = mine;
    }
    return this.prio[t];
  }

  thread(runnable: readonly number[]): number {
    if (runnable.length > 1) {
      if (this.changes.has(this.steps) && this.current >= 0) {
        this.priority(this.current);
        this.prio[this.current] = this.next++;
      }
      this.steps++;
      if (this.steps > this.st.maxSteps) this.st.maxSteps = this.steps;
    }
    // Give every thread up to the highest tid its priority first: meeting a new thread may swap
    // an older one's, which must not be compared before the swap.
    this.priority(runnable[runnable.length - 1]);
    let best = runnable[0];
    let bp = this.priority(best);
    for (let i = 1; i < runnable.length; i++) {
      const p = this.priority(runnable[i]);
      if (p < bp) { bp = p; best = runnable[i]; }
    }
    this.current = best;
    return best;
  }

  order(_e: Ev, c: readonly Ev[]): readonly number[] {
    return this.maximal ? FIRST : shuffled(c.length, this.st.rnd);
  }
}
