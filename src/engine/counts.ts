// What a check's counts count, in words: the model's executions, and under symmetry reduction
// one per class of them (symmetry.ts). Shared by the single-thread and the shared-out runs.
import type { MemoryModel } from './models/model.ts';

/** The words of what was counted: the model's, and what symmetry reduction counts up to. */
export function countsOf(model: MemoryModel, symmetry: string | null): { counts: string; symmetry?: string } {
  return symmetry ? { counts: `${model.counts}; one per class ${symmetry}`, symmetry } : { counts: model.counts };
}
