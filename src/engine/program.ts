// What a program given to the engine looks like: a setup that creates locations and threads
// from parameters, and optional checks on the final state. Thread bodies must communicate only
// through yields: any state shared outside the engine makes the model nondeterministic.
import type { Loc, PropertyRef, ThreadFn, Val } from './ops.ts';
import { userCall } from './errors.ts';

/** A program's integer parameters by name (`--param K=V`). */
export type Params = Record<string, number>;

/** The final state of a complete execution, for `Builder.final` checks. */
export interface FinalState {
  /** The co-last value of a location. */
  value(loc: Loc): Val;
  /** The value a static thread's body returned (undefined if it returned nothing or blocked). */
  result(tid: number): unknown;
}

/** A violation found by a final-state check, naming the property (e.g. an invariant) it breaks. */
export interface FinalViolation {
  invariant: PropertyRef;
  message: string;
}

/** A shared location as declared with `Builder.loc`. */
export interface LocInfo {
  name: string;
  init: Val;
  /** Optional pretty-printer for values of this location in traces (e.g. a PTE decoder). */
  show?: (v: Val) => string;
}

/** A thread declared with `Builder.thread`. */
export interface ThreadInfo {
  name: string;
  body: ThreadFn;
}

/** What a program's `setup` builds: its shared locations, threads, final checks and quiet labels. */
export class Builder {
  readonly locs: LocInfo[] = [];
  readonly threads: ThreadInfo[] = [];
  readonly finals: ((s: FinalState) => FinalViolation | string | null | undefined | void)[] = [];
  /** Call labels whose own steps printed traces leave out, with the reason the footer gives. */
  readonly quiet = new Map<string, string>();

  /** A shared location with an initial value (0 unless given). */
  loc(name: string, init: Val = 0, show?: (v: Val) => string): Loc {
    this.locs.push({ name, init, show });
    return this.locs.length - 1;
  }
  /** `n` locations named `name[0]` … `name[n-1]`. */
  array(name: string, n: number, init: Val = 0): Loc[] {
    const out: Loc[] = [];
    for (let i = 0; i < n; i++) out.push(this.loc(`${name}[${i}]`, init));
    return out;
  }
  /** A thread that exists from the start (tids are given in declaration order from 0). */
  thread(name: string, body: ThreadFn): number {
    this.threads.push({ name, body });
    return this.threads.length - 1;
  }
  /**
   * A check on the final state of every complete execution. Return null/undefined when it
   * holds; a string (or { invariant, message }) names the violation.
   */
  final(check: (s: FinalState) => FinalViolation | string | null | undefined | void): void {
    this.finals.push(check);
  }
  /**
   * Leaves the steps made directly inside `t.call(fn, …)` out of printed counterexamples (they
   * still run, count and replay; the trace says how many it left out and `why`). For modeling
   * scaffolding a reader does not need, such as the bracket that makes one instruction atomic.
   */
  quietSteps(fn: string, why: string): void {
    this.quiet.set(fn, why);
  }
}

/** A program for the engine: a name and a `setup` that builds it from its parameters (see defineProgram). */
export interface Program {
  name: string;
  /** One line for `mmcheck list`. */
  description?: string;
  /** Parameters with their defaults (settable with `--param K=V`). */
  params?: Params;
  setup(b: Builder, params: Params): void;
}

/** Identity helper that gives a program literal its type. */
export function defineProgram(p: Program): Program {
  return p;
}

/** The program's setup run once with the given parameters (defaults filled in). */
export interface Instance {
  program: Program;
  params: Params;
  locs: LocInfo[];
  threads: ThreadInfo[];
  finals: Builder['finals'];
  quiet: Builder['quiet'];
}

/** Runs `setup` with the program's parameter defaults overridden by `overrides`: the locations and threads to explore. */
export function instantiate(program: Program, overrides: Params = {}): Instance {
  const params: Params = { ...(program.params ?? {}) };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in params)) {
      throw new ParamError(`unknown parameter '${k}' for ${program.name}` +
        (Object.keys(params).length ? ` (it has: ${Object.keys(params).join(', ')})` : ' (it has none)'));
    }
    params[k] = v;
  }
  const b = new Builder();
  userCall(`the setup of ${program.name}`, () => program.setup(b, params));
  return { program, params, locs: b.locs, threads: b.threads, finals: b.finals, quiet: b.quiet };
}

/** A `--param` the program does not declare, or a bad value (exit 2). */
export class ParamError extends Error {}
export { ModelError } from './errors.ts';
