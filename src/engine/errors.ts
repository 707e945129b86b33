// Errors that are the model's fault (bad input), as opposed to mmcheck's own (internal errors).
// Everything the user's code runs — setup, thread bodies, await predicates, RMW functions,
// assertion messages, final checks — is called through `userCall`, so its exceptions arrive
// as ModelError with the user's original error attached.

/** Bad input in a model (a thread body threw, a loop never ends, …): exit 2, with `original` the user's own error when there is one. */
export class ModelError extends Error {
  constructor(message: string, readonly original?: unknown) {
    super(message);
  }
}

export function userCall<T>(what: string, f: () => T, site?: Error): T {
  try {
    return f();
  } catch (e) {
    throw wrapUserError(what, e, site);
  }
}

/**
 * Where the user declared a program (defineProgram) or a thread body (Builder.thread), captured
 * when it is declared: what an error names as its file:line:col when the user's code threw
 * something that has no stack (throw 'text', throw null) or broke a rule no line of it breaks
 * (a body that is not a generator, that yields what is not an operation). One map per process,
 * not per copy of this module: a user's file may import the engine by its source path while the
 * command line runs its bundle, and its defineProgram is then the other copy's.
 */
export const declaredAt: WeakMap<object, Error> = ((globalThis as Record<symbol, unknown>)[Symbol.for('mmcheck.declaredAt')] ??= new WeakMap<object, Error>()) as WeakMap<object, Error>;

/** The ModelError for an exception the user's code threw (for hot paths that catch inline). */
export function wrapUserError(what: string, e: unknown, site?: Error): ModelError {
  if (e instanceof ModelError) return e;
  if (e instanceof Error) return new ModelError(`${what} threw: ${e.message}`, e);
  // No stack to point at: the declaration of what threw is the best line there is.
  return new ModelError(`${what} threw: ${String(e)}${site ? ' (a value, not an Error, so no stack: the line given is where it is declared)' : ''}`, site ?? e);
}
