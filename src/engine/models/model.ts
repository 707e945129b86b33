// The one interface every memory model implements (SC, TSO, LKMM), picked by name.
import type { Ev, Graph } from '../graph.ts';
import type { FenceKind } from '../ops.ts';
import type { WeakExplanation } from './lkmm-explain.ts';

export interface MemoryModel {
  readonly name: string;
  /** What one counted execution is, for the output ("execution graphs (po, rf, co) consistent under SC"). */
  readonly counts: string;
  /**
   * True when a read can never read from a write co-before one in its porf-prefix (SC, TSO):
   * the explorer then offers only those candidates. False (LKMM): every write is a candidate
   * and consistentStep filters.
   */
  readonly porfCoherent: boolean;
  /**
   * The most events one execution may have before it is refused as a loop that never ends
   * (ExploreOptions.maxEvents overrides it; absent: 10,000). A model whose step check grows with
   * the execution sets fewer, so that such a loop is reported in seconds, not after an hour.
   */
  readonly maxEvents?: number;
  /**
   * Incremental check after the events in `changed` were added or changed in a graph that was
   * consistent before. Must be monotone and prefix-closed (docs/design/exploration.md §7.4).
   */
  consistentStep(g: Graph, changed: readonly Ev[]): boolean;
  /** The full check run on every leaf before it is counted; null when consistentStep suffices. */
  consistentComplete: ((g: Graph) => boolean) | null;
  /**
   * The full check on a porf-closed part of g: of thread t, the events with idx <= view[t]. False
   * only when no graph containing that part (same events, rf and co among them) is consistent:
   * the explorer then drops the subtree of an alternative whose part fails (exploration.md §7.5).
   * Absent when consistentStep is the whole check.
   */
  consistentPrefix?: (g: Graph, view: readonly number[]) => boolean;
  /** Flags raised on the leaf just accepted by consistentComplete (e.g. 'data-race'). */
  flags?: (g: Graph) => string[];
  /**
   * Fence kinds whose guarantee beyond ordering the model checks itself on every execution (the
   * LKMM: 'sync-rcu', a grace period that no 'rcu-lock'…'rcu-unlock' section spans). Code that
   * implements such a guarantee operationally, with a handshake that makes a thread wait, asks
   * t.modelChecks(kind) and leaves the handshake out where the model checks the guarantee: its
   * waits and accesses are choices and orderings that the model's executions do not have.
   */
  readonly checkedFences?: readonly FenceKind[];
  /** Why a counterexample needs this model's weak behaviour (which reads were stale, which
   * ordering the code lacks), in lines of text and as data; absent for SC. */
  explainViolation?: (g: Graph, describe: (e: Ev) => string, thread: (tid: number) => string) => WeakExplanation;
}
