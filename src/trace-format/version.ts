// The tag every mmcheck trace starts with, and the versions of each kind that this mmcheck writes
// and reads (docs/trace-format.md: a change a reader could misread is a new version).

/** The `schema` field of every trace. */
export const SCHEMA = 'mmcheck-trace';

/** The version of a scenario trace this mmcheck writes. */
export const SCENARIO_VERSION = 2;
/** The version of a litmus trace this mmcheck writes (2: 'forbidden' executions with their
 * explanation). */
export const LITMUS_VERSION = 2;

/** The versions of each kind a reader of this module understands (the newest last). */
export const SUPPORTED: Record<'scenario' | 'litmus', readonly number[]> = { scenario: [2], litmus: [1, 2] };
