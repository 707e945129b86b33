// The trace formats of mmcheck (docs/trace-format.md), in one place: the schema tag, the versions,
// the scenario and litmus trace types, and the reader's check. The writers (src/engine/trace-json.ts,
// src/litmus/trace.ts) and the reader (src/viewer) import the types from here, so the type checker
// keeps them in step. Imports nothing else of mmcheck: it runs in the browser as well as in Node.
export * from './version.ts';
export * from './scenario.ts';
export * from './values.ts';
export * from './objects.ts';
export * from './litmus.ts';
export * from './check.ts';
