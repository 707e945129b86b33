// A violation as people read it: the schedule that replays it, the interleaving in CPU columns
// and the final memory, all computed from the violating graph (check, and the parallel runs
// that sum several explorers' findings, make their reports here).
import type { Violation } from './explore.ts';
import type { Instance } from './program.ts';
import type { MemoryModel } from './models/model.ts';
import type { ViolationReport } from './index.ts';
import { renderColumns, renderMemory, scheduleFor } from './trace.ts';

export function report(inst: Instance, model: MemoryModel, v: Violation): ViolationReport {
  const { schedule, order } = scheduleFor(inst, model, v.graph);
  return {
    property: v.property,
    message: v.message,
    schedule,
    trace: renderColumns(inst, v.graph, order, v.threadNames),
    memory: renderMemory(inst, v.graph),
    graph: v.graph,
    order,
    threadNames: v.threadNames,
  };
}

