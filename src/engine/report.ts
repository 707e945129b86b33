// A violation as people read it: the schedule that replays it (checked to replay), the
// interleaving in CPU columns and the final memory, all computed from the violating graph
// (check, and the parallel runs that sum several explorers' findings, make their reports here);
// under a weak model, on request, why the counterexample needs weak memory.
import { Explorer, type Violation } from './explore.ts';
import type { Instance } from './program.ts';
import type { MemoryModel } from './models/model.ts';
import { violationHeadline, type ViolationReport } from './index.ts';
import { EvKind, type Ev } from './graph.ts';
import { ScheduleChooser, describeStep, graphDifference, parseSchedule, rebuildFailure, renderColumns, renderMemory, scheduleFor } from './trace.ts';
import type { WeakExplanation } from './models/lkmm-explain.ts';

/** A violation reported at a store (found at the end of the execution) is drawn ending there. */
function faultAt(v: Violation): { tid: number; idx: number; text: string } | null {
  if (!v.at || v.property !== 'use-after-free') return null;
  const e = v.graph.threads[v.at.tid]?.[v.at.idx];
  if (!e || e.kind === EvKind.Error) return null;
  return { ...v.at, text: violationHeadline(v) };
}

export function report(inst: Instance, model: MemoryModel, v: Violation): ViolationReport {
  const { schedule, order } = scheduleFor(inst, model, v.graph);
  checkReplays(inst, model, v, schedule);
  // The weak-memory explanation costs a few model checks: made when asked for, once.
  let why: WeakExplanation | null | undefined;
  const explain = (): WeakExplanation | null => {
    if (why === undefined) {
      const describe = (e: Ev): string => describeStep(inst, v.graph, e, v.threadNames);
      why = model.explainViolation ? model.explainViolation(v.graph, describe, (t) => v.threadNames[t] ?? `T${t}`) : null;
    }
    return why;
  };
  return {
    explain,
    property: v.property,
    invariant: v.invariant,
    message: v.message,
    at: v.at,
    schedule,
    trace: renderColumns(inst, v.graph, order, v.threadNames, false, faultAt(v)),
    memory: renderMemory(inst, v.graph),
    graph: v.graph,
    order,
    threadNames: v.threadNames,
  };
}

/**
 * A printed counterexample must replay: runs its schedule as `mmcheck replay` would and checks
 * that it rebuilds the same graph with the same violation. A body that behaves differently on
 * the same values is reported as nondeterministic; any other failure is mmcheck's own.
 */
function checkReplays(inst: Instance, model: MemoryModel, v: Violation, schedule: string): void {
  const chooser = new ScheduleChooser(parseSchedule(schedule));
  const ex = new Explorer(inst, { model, chooser });
  const r = ex.run();
  const same = !ex.dead && !chooser.divergence && chooser.finished && graphDifference(v.graph, ex.g) === null;
  if (same && r.violation && r.violation.property === v.property && r.violation.message === v.message) return;
  const why = chooser.divergence ?? (r.violation ? `it reports ${r.violation.property}: ${r.violation.message}` : 'it reports no violation');
  throw rebuildFailure(ex, v.graph, `internal: the counterexample's schedule ${schedule} does not replay (${why})`);
}

