// The choosers of `mmcheck check --random N`: a uniform random walk (a random runnable thread and
// a random consistent choice at every step) and PCT, probabilistic concurrency testing
// (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010, as shuttle's and Coyote's PCT
// schedulers run it; under weak models with PCTWM's bounded weak choices, Gao et al. 2023),
// which finds a bug of depth d with a probability it can bound. Both draw from a seedable PRNG,
// so a sample can be repeated.
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
 * priority change points of the next execution fall, and, under a weak model, the most memory
 * accesses with more than one candidate (a read's possible sources, a write's coherence places)
 * an execution has had, which bounds where its weak choices fall. The first execution runs the
 * threads in order (the lowest tid first) and takes no weak choice, to learn both, as shuttle's
 * first PCT execution learns the first.
 */
export class PctState {
  maxSteps = 0;
  maxChoices = 0;
  executions = 0;
  /**
   * `weak` c and `history` h: under a weak model, c accesses per execution (drawn among the
   * accesses with more than one candidate) take one of their h co-latest candidates at random;
   * every other access reads the latest write (a write goes last in co), as under SC.
   */
  constructor(readonly depth: number, readonly rnd: () => number, readonly weak = 1, readonly history = 2) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`PCT depth must be an integer >= 1, got ${depth}`);
    if (!Number.isInteger(weak) || weak < 0) throw new RangeError(`PCT weak choices must be an integer >= 0, got ${weak}`);
    if (!Number.isInteger(history) || history < 1) throw new RangeError(`PCT history must be an integer >= 1, got ${history}`);
  }
  /** The chooser of the next execution. `maximal` (SC): every access takes the co-latest choice. */
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
 * the priority order.
 *
 * Under SC a read reads the latest write and a write goes last in co: the execution is the
 * interleaving PCT scheduled. Under a weak model (TSO, LKMM) the schedule alone no longer decides
 * what a read returns, so the rf and co choices get a bound of their own, after PCTWM (Gao,
 * Chakraborty, Ozkan, ASPLOS 2023: d communication events, history depth h): c weak choice
 * points are drawn among the A accesses with more than one candidate (counted in execution order,
 * as PCT counts decisions; A of the longest execution seen), and at each the access takes one of
 * its h co-latest candidates, uniformly; every other access takes the co-latest, which is always
 * consistent. A bug that shows when its schedule meets d ordering constraints and at most c
 * accesses take a named candidate among their h co-latest (every other access the latest) is hit
 * by such an execution with probability at least 1/(n·k^(d-1)) · 1/(C(A,c)·h^c): the
 * priorities, the change points and the weak choices are drawn independently, the c points cover
 * the needed accesses with probability at least 1/C(A,c), and each point takes the needed
 * candidate (or, if the bug needs fewer than c, the latest) with probability at least 1/h.
 *
 * On the catalog's weak-memory bugs that bound is the slower way to find them: their
 * counterexamples take stale values at several accesses whose other choices hardly matter, which
 * drawing every access's candidate uniformly (as the random walk does) hits sooner, with only the
 * exponential bound 1/(n·k^(d-1)) · Π 1/|candidates| over the accesses. So every execution past
 * the first tosses a coin: bounded weak choices, or a uniform draw at every access. The
 * probability of a bug is then at least half the larger of the two bounds, never less than half
 * of what either way alone gives (docs/scaling.md, "Sampling", measures both).
 */
export class PctChooser implements Chooser {
  readonly parks = true;
  /** Per tid, its priority: lower is higher. */
  private readonly prio: number[] = [];
  private next = 0;
  private steps = 0;
  private current = -1;
  private readonly changes: Set<number>;
  /** Accesses with more than one candidate met so far, and the ordinals (1-based) that choose weakly. */
  private choices = 0;
  private readonly weakPoints: Set<number>;
  /** This execution draws every access's candidate uniformly instead of c bounded weak choices. */
  private readonly uniform: boolean;

  constructor(private readonly st: PctState, private readonly first: boolean, private readonly maximal: boolean) {
    const k = st.maxSteps;
    const n = first ? 0 : Math.min(st.depth - 1, Math.max(0, k - 1));
    // n distinct change points among decisions 1 .. k-1 (none before the first decision: the
    // random initial priorities take care of that).
    const points = shuffled(Math.max(0, k - 1), st.rnd).slice(0, n).map((p) => p + 1);
    this.changes = new Set(points);
    // c distinct weak choice points among accesses 1 .. A (none in the first execution, nor under SC).
    this.uniform = !maximal && !first && st.rnd() < 0.5;
    const a = maximal || this.uniform ? 0 : st.maxChoices;
    const c = first ? 0 : Math.min(st.weak, a);
    this.weakPoints = new Set(shuffled(a, st.rnd).slice(0, c).map((p) => p + 1));
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
    if (this.maximal || c.length < 2) return FIRST;
    const i = ++this.choices;
    if (i > this.st.maxChoices) this.st.maxChoices = i;
    if (this.uniform) return shuffled(c.length, this.st.rnd);
    if (!this.weakPoints.has(i)) return FIRST;
    const k = Math.floor(this.st.rnd() * Math.min(this.st.history, c.length));
    // If the candidate drawn is not consistent here, the access falls back to the latest.
    return k === 0 ? FIRST : [k, 0];
  }
}
