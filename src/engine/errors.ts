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

export function userCall<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw wrapUserError(what, e);
  }
}

/** The ModelError for an exception the user's code threw (for hot paths that catch inline). */
export function wrapUserError(what: string, e: unknown): ModelError {
  if (e instanceof ModelError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ModelError(`${what} threw: ${msg}`, e);
}
