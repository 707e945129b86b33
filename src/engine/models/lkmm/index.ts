// The Linux-kernel memory model, executed from the kernel's own model files
// (linux-kernel.bell, linux-kernel.cat, lock.cat) by mmcheck's cat interpreter.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Execution } from '../../execution.ts';
import { loadCatModel, type CompiledModel, type Val } from '../cat/index.ts';
import { Universe } from '../cat/bits.ts';

export const LKMM_DESCRIPTION =
  'LKMM (Linux-kernel memory model) as in the kernel\'s tools/memory-model: linux-kernel.bell + ' +
  'linux-kernel.cat + lock.cat, variant lkmmv2, run by mmcheck\'s cat interpreter; co (and the rf ' +
  'of lock events) enumerated by the model as herd7 does; axioms coherence, atomic, ' +
  'happens-before, propagation, rcu, plain-coherence (+ lock.cat\'s lock-nest, nested-is-locked, ' +
  'unmatched-locks); flags data-race, mixed-accesses and the bell/lock.cat validity flags.';

/** One consistent completion of a candidate execution. */
export interface CatOutcome {
  /** The full coherence order as the model computes it (transitive; includes init writes, LKW and UL). */
  co: [number, number][];
  /** The final rf: the given rf plus the rf edges of LKR, LF, RL and RU events. */
  rf: [number, number][];
  /** Flags raised for this execution, by name (e.g. 'data-race', 'mixed-accesses'). */
  flags: string[];
}

export interface LkmmModel {
  readonly description: string;
  /** Every consistent completion of x (one per choice of the model's `with` clauses). */
  check(x: Execution): CatOutcome[];
  /** True when x has at least one consistent completion (stops at the first). */
  consistent(x: Execution): boolean;
  /** Like check, and also counts, per check name, the completions it rejected. */
  explain(x: Execution): { outcomes: CatOutcome[]; rejectedBy: Map<string, number> };
  /** The compiled model, for tools that want other bindings (e.g. hb, pb). */
  readonly compiled: CompiledModel;
}

export const LKMM_MODEL_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'model');

let cached: LkmmModel | null = null;

/** Parses and compiles the model once; later calls return the same object. */
export function loadLkmm(): LkmmModel {
  if (cached) return cached;
  const compiled = loadCatModel([join(LKMM_MODEL_DIR, 'linux-kernel.bell'), join(LKMM_MODEL_DIR, 'linux-kernel.cat')], {
    searchPath: [LKMM_MODEL_DIR],
    variants: ['lkmmv2'],
  });
  const toPairs = (x: Execution, v: Val): [number, number][] => {
    if (v.k === 'empty') return [];
    if (v.k !== 'rel') throw new Error(`lkmm: expected a relation, got ${v.k}`);
    return new Universe(x.events.length).pairs(v.b);
  };
  const convert = (x: Execution, raws: ReturnType<CompiledModel['run']>): CatOutcome[] =>
    raws.map((r) => ({ co: toPairs(x, r.get('co')), rf: toPairs(x, r.get('rf')), flags: r.flags }));
  cached = {
    description: LKMM_DESCRIPTION,
    compiled,
    check: (x) => convert(x, compiled.run(x)),
    consistent: (x) => compiled.run(x, { stopAtFirst: true }).length > 0,
    explain: (x) => {
      const rejectedBy = new Map<string, number>();
      const outcomes = convert(x, compiled.run(x, { failures: rejectedBy }));
      return { outcomes, rejectedBy };
    },
  };
  return cached;
}
