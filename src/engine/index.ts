// The engine's public API, what `import { … } from 'mmcheck'` gives a user's scenario or
// program: the program builder and thread context (program.ts, ops.ts, re-exported whole), and
// exhaustive checking, random sampling and replay of one schedule, all running the same
// Explorer (the chooser decides which). Everything else in src/engine is private to mmcheck.
// docs/api.md lists every name exported here (generated: npm run docs:api).
import { Explorer, type ExploreOptions, type Violation } from './explore.ts';
import { instantiate, type Params, type Program, type Instance } from './program.ts';
import { DEFAULT_MODEL, getModel } from './models/index.ts';
import type { MemoryModel } from './models/model.ts';
import { PctState, RandomChooser, prng } from './random.ts';
import { ScheduleChooser, graphDifference, orderOf, parseSchedule, rebuildFailure, renderColumns, renderMemory, scheduleFor } from './trace.ts';
import { report } from './report.ts';
import { countsOf } from './counts.ts';
import type { WeakExplanation } from './models/lkmm-explain.ts';
import type { Graph, Ev } from './graph.ts';

/** How `check` explores: parameters, memory model, bounds, random sampling, progress callbacks. */
export interface CheckOptions {
  params?: Params;
  model?: string;
  maxExecutions?: number;
  timeoutMs?: number;
  /**
   * Sample this many complete executions instead of exploring all of them: drawn by PCT (the
   * default; `pctDepth` d, default 3; under a weak model `pctWeak` c accesses per execution take
   * one of their `pctHistory` h co-latest candidates in half the executions, defaults 2 and 2, see PctChooser) or by a
   * uniform random walk (`sampler: 'random'`). An execution that ends blocked without a
   * violation is drawn again (and counted in `blocked`).
   */
  random?: { samples: number; seed: number; sampler?: SamplerName; pctDepth?: number; pctWeak?: number; pctHistory?: number };
  onLeaf?: ExploreOptions['onLeaf'];
  onProgress?: ExploreOptions['onProgress'];
  /**
   * Explore every execution even after a violation, counting the violating ones per class (the
   * invariant a violation names, else its kind), each class with its first counterexample.
   */
  allViolations?: boolean;
  /**
   * Explore threads declared symmetric (Builder.thread's `symmetric`) up to permutation, one
   * execution per class (default true); false explores every execution.
   */
  symmetry?: boolean;
  /**
   * Take out a compare-and-swap read that a backward revisit makes fail, when its thread answers
   * the failure with a failing assume() (docs/design/exploration.md §3.2). Default true: fewer
   * blocked executions, the same complete ones; false keeps the read (--no-ghosts).
   */
  ghosts?: boolean;
}

/** With `allViolations`: one class of violation, how many executions broke it, and the first counterexample. */
export interface ViolationCount {
  key: string;
  /** Executions (leaves) that ended in this class of violation. */
  count: number;
  first: ViolationReport;
}

/** A counterexample: what broke, the interleaving as text, and the schedule that replays it. */
export interface ViolationReport {
  /** What kind of check failed: 'assertion', 'deadlock' or 'final'. */
  property: string;
  /** The id of the property (invariant) broken, when the check named one. */
  invariant: string | null;
  /** What broke, in one sentence (the invariant id is not part of it: see `headline`). */
  message: string;
  /** The event it is reported at (thread, index in the thread), when it is one event. */
  at: { tid: number; idx: number } | null;
  /** `mmcheck replay <target> --schedule S` runs exactly this execution again. */
  schedule: string;
  /** The interleaving, one column per thread. */
  trace: string;
  /** Final memory of the violating execution. */
  memory: string;
  graph: Graph;
  order: Ev[];
  threadNames: string[];
  /** Why the counterexample needs the model's weak behaviour (which reads were stale, what
   * ordering the code lacks), computed on first call; null under a model that has no weak
   * behaviour to explain (SC). */
  explain(): WeakExplanation | null;
}

/** How `--random` draws executions: PCT, or a uniform random walk. */
export type SamplerName = 'pct' | 'random';
/**
 * PCT by default: it finds a bug that needs d ordering constraints with a probability it can
 * bound (1/(n·k^(d-1)) per execution, n threads, k scheduling decisions), where the random walk
 * has no such bound. On the catalog's unsafe variants both find the violation within tens of
 * draws, the random walk often in fewer (docs/scaling.md, "Sampling").
 */
export const DEFAULT_SAMPLER: SamplerName = 'pct';
/** PCT's depth when none is given: d-1 = 2 priority changes per execution. */
export const DEFAULT_PCT_DEPTH = 3;
/**
 * Under a weak model (TSO, LKMM), PCT's weak choices per execution (c) and how many co-latest
 * candidates each draws from (h), in the executions that bound their weak choices (half of them;
 * the others draw every read's source uniformly, see PctChooser). c = 2 found the catalog's
 * weak-memory bugs in the fewest draws of c = 1, 2, 3 (docs/scaling.md, "Sampling").
 */
export const DEFAULT_PCT_WEAK = 2;
/** PCT's history h under a weak model: a weak choice takes the latest write or the one before it. */
export const DEFAULT_PCT_HISTORY = 2;
/** A sample gives up after this many blocked or dead draws per complete execution asked for. */
const MAX_DRAWS_PER_SAMPLE = 100;

/** How a sample was drawn (CheckResult.sample). */
export interface SampleInfo {
  sampler: SamplerName;
  /** PCT's depth d. */
  depth: number | null;
  /** Under a weak model, PCT's weak choices per execution c and history h (null: SC, or the random walk). */
  weak: { choices: number; history: number } | null;
  seed: number;
  /** Executions drawn: complete + blocked + rejected. */
  draws: number;
  /** Set when the sample stopped short of the complete executions asked for (too many blocked draws). */
  gaveUp: boolean;
}

/** What `check` found: the verdict, the counts, and the first counterexample (or every class of them). */
export interface CheckResult {
  program: string;
  params: Params;
  model: string;
  /** 'bounded': no violation in what was explored, which was not everything. */
  verdict: 'ok' | 'violation' | 'bounded';
  mode: 'exhaustive' | 'sample';
  /** Complete executions explored (sampled). */
  executions: number;
  /** Blocked executions explored (sampled: drawn and thrown away, then drawn again). */
  blocked: number;
  /** With `random`: how the sample was drawn. */
  sample?: SampleInfo;
  /** Leaves discarded by the model's full check (weak models), and prefixes it rejected (exploration.md §5). */
  rejected: number;
  seconds: number;
  /** What one execution is, in words (under symmetry reduction: one per class, see `symmetry`). */
  counts: string;
  /**
   * Set when symmetric threads were explored up to permutation: what the counts are up to
   * ("up to permuting the 4 walker threads"); executions then counts classes.
   */
  symmetry?: string;
  /** With `symmetry`: executions explored but not counted (permutations of counted ones). */
  unordered?: number;
  /**
   * With `symmetry`: partial executions at which the search stopped, every execution below them
   * being a permutation of one it counts (their subtrees were not explored; docs/design/symmetry.md).
   */
  unorderedCut?: number;
  /** Why exploration stopped early, when it did. */
  cutBy: null | 'max-executions' | 'timeout';
  /** Flags the model raised in some execution (LKMM: 'data-race' for racing plain accesses). */
  flags: string[];
  violation?: ViolationReport;
  /** With allViolations: every class of violation seen, in the order first found. */
  violations?: ViolationCount[];
  instance: Instance;
}

/** A violation's one-line statement: its invariant id (when it names one), then its message. */
export function violationHeadline(v: { invariant: string | null; message: string }): string {
  return v.invariant ? `${v.invariant}: ${v.message}` : v.message;
}

/**
 * Explores every execution of `program` under the memory model (default sc) and reports the
 * first violation, or every class of them with `allViolations`; with `random`, samples instead.
 * A bound (`maxExecutions`, `timeoutMs`) makes the verdict 'bounded', never 'ok'.
 */
export function check(program: Program, opts: CheckOptions = {}): CheckResult {
  const inst = instantiate(program, opts.params ?? {});
  const model = getModel(opts.model ?? DEFAULT_MODEL);
  if (opts.random) return sample(inst, model, opts);
  const ex = new Explorer(inst, {
    model, maxExecutions: opts.maxExecutions, timeoutMs: opts.timeoutMs, onLeaf: opts.onLeaf, onProgress: opts.onProgress,
    keepGoing: opts.allViolations, symmetry: opts.symmetry, ghosts: opts.ghosts,
  });
  const r = ex.run();
  const verdict = r.violation ? 'violation' : r.cutBy ? 'bounded' : 'ok';
  const reports = opts.allViolations ? r.violations.map((c) => ({ key: c.key, count: c.count, first: report(inst, model, c.first) })) : undefined;
  return {
    program: program.name, params: inst.params, model: model.name, verdict, mode: 'exhaustive',
    executions: r.complete, blocked: r.blocked, rejected: r.rejected, seconds: r.seconds,
    ...countsOf(model, r.symmetry), ...(r.symmetry ? { unordered: r.unordered, unorderedCut: r.unorderedCut } : {}), cutBy: r.cutBy, flags: r.flags,
    violation: reports ? reports[0]?.first : r.violation ? report(inst, model, r.violation) : undefined,
    ...(reports ? { violations: reports } : {}),
    instance: inst,
  };
}

function sample(inst: Instance, model: MemoryModel, opts: CheckOptions): CheckResult {
  const { samples, seed } = opts.random!;
  const sampler = opts.random!.sampler ?? DEFAULT_SAMPLER;
  const depth = sampler === 'pct' ? opts.random!.pctDepth ?? DEFAULT_PCT_DEPTH : null;
  const rnd = prng(seed);
  const weak = depth !== null && model.name !== 'sc'
    ? { choices: opts.random!.pctWeak ?? DEFAULT_PCT_WEAK, history: opts.random!.pctHistory ?? DEFAULT_PCT_HISTORY } : null;
  const pct = depth !== null ? new PctState(depth, rnd, weak?.choices, weak?.history) : null;
  const t0 = performance.now();
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Infinity;
  let complete = 0, blocked = 0, rejected = 0, draws = 0;
  const maxDraws = samples * MAX_DRAWS_PER_SAMPLE;
  const flags = new Set<string>();
  let violation: ViolationReport | undefined;
  let cutBy: CheckResult['cutBy'] = null;
  while (complete < samples && draws < maxDraws) {
    if (Date.now() > deadline) { cutBy = 'timeout'; break; }
    draws++;
    const chooser = pct ? pct.next(model.name === 'sc') : new RandomChooser(rnd);
    const ex = new Explorer(inst, { model, chooser, onLeaf: opts.onLeaf });
    const r = ex.run();
    complete += r.complete;
    blocked += r.blocked;
    rejected += r.rejected + (ex.dead ? 1 : 0);
    for (const f of r.flags) flags.add(f);
    if (r.violation) { violation = report(inst, model, r.violation); break; }
  }
  return {
    program: inst.program.name, params: inst.params, model: model.name,
    verdict: violation ? 'violation' : 'bounded', mode: 'sample',
    executions: complete, blocked, rejected, seconds: (performance.now() - t0) / 1000,
    counts: `${sampler === 'pct' ? `PCT-sampled executions (depth ${depth}${weak ? `, ${weak.choices} weak choice${weak.choices === 1 ? '' : 's'} among the ${weak.history} latest` : ''}` : 'randomly sampled executions (uniform random walk'}, seed ${seed}); ${model.counts}`,
    cutBy, flags: [...flags], violation, instance: inst,
    sample: { sampler, depth, weak, seed, draws, gaveUp: !violation && cutBy === null && complete < samples },
  };
}

/** One replayed execution: the trace, final memory and graph, its violation if any, or where the schedule stopped fitting. */
export interface ReplayResult {
  /** Set when the program no longer follows the schedule. */
  divergence: string | null;
  outcome: 'complete' | 'blocked' | 'inconsistent';
  violation?: ViolationReport;
  trace: string;
  memory: string;
  schedule: string;
  graph: Graph;
  order: Ev[];
  threadNames: string[];
  instance: Instance;
}

/** Runs exactly the execution a schedule describes. */
export function replay(program: Program, schedule: string, opts: { params?: Params; model?: string } = {}): ReplayResult {
  const inst = instantiate(program, opts.params ?? {});
  const model = getModel(opts.model ?? DEFAULT_MODEL);
  const chooser = new ScheduleChooser(parseSchedule(schedule));
  const ex = new Explorer(inst, { model, chooser });
  const r = ex.run();
  if (!chooser.divergence && !chooser.finished) {
    chooser.divergence = `the execution ended after ${chooser.taken} steps, before the schedule did`;
  }
  const g = ex.g;
  const order = orderOf(g, model);
  const names = ex.threadNames;
  return {
    divergence: chooser.divergence,
    outcome: ex.dead ? 'inconsistent' : r.complete ? 'complete' : 'blocked',
    violation: r.violation && !chooser.divergence ? report(inst, model, r.violation) : undefined,
    trace: renderColumns(inst, g, order, names, true),
    memory: renderMemory(inst, g),
    schedule,
    graph: g,
    order,
    threadNames: names,
    instance: inst,
  };
}

export { DEFAULT_MODEL, modelNames, UnknownModelError } from './models/index.ts';
export { ScheduleError } from './trace.ts';
export { ResourceError } from './memory.ts';
export type { ViolationClass } from './explore.ts';
export type { Graph, Ev } from './graph.ts';
export type { WeakExplanation, MissingOrdering, OrderingFix } from './models/lkmm-explain.ts';
export * from './program.ts';
export * from './ops.ts';
