// Errors that are the model's fault (bad input), as opposed to mmcheck's own (internal errors).
// Everything the user's code runs — setup, thread bodies, await predicates, RMW functions,
// assertion messages, final checks — is called through `userCall`, so its exceptions arrive
// as ModelError with the user's original error attached.

export class ModelError extends Error {
  constructor(message: string, readonly original?: unknown) {
    super(message);
  }
}

export function userCall<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ModelError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new ModelError(`${what} threw: ${msg}`, e);
  }
}
