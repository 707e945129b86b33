// Memory models by name.
import type { MemoryModel } from './model.ts';
import { SC } from './sc.ts';
import { TSO } from './tso.ts';
import { lkmmModel } from './lkmm-graph.ts';

/** The model a check runs under when neither the command line nor the variant names one. */
export const DEFAULT_MODEL = 'sc';

const models = new Map<string, () => MemoryModel>([
  ['sc', () => SC],
  ['tso', () => TSO],
  ['lkmm', lkmmModel],
]);

export function registerModel(name: string, make: () => MemoryModel): void {
  models.set(name, make);
}

/** The names `model` / `--model` accepts: sc, tso, lkmm. */
export function modelNames(): string[] {
  return [...models.keys()];
}

export function getModel(name: string): MemoryModel {
  const make = models.get(name);
  if (!make) throw new UnknownModelError(name);
  return make();
}

/** A model name that is not registered (exit 2). */
export class UnknownModelError extends Error {
  constructor(readonly modelName: string) {
    super(`unknown memory model '${modelName}' (known: ${[...models.keys()].join(', ')})`);
  }
}
export type { MemoryModel };
