// The kernel's judgement of a litmus result against the test's own `Result:` comment, with the
// rules and the words of tools/memory-model/scripts/judgelitmus.sh (LKMM runs, no --hw):
//
// * the expected outcome is the third word of the first line matching `^[( ]\* Result: `
//   (Never, Sometimes, Always, DEADLOCK, Maybe, …); a test without one expects "specified";
// * a DATARACE in a Result line must come with herd's `Flag data-race`, and the flag only with
//   it (exit 252 / 253);
// * DEADLOCK expects `Never 0 0` (no execution at all); `Never 0 0` for any other outcome is an
//   unexpected deadlock;
// * otherwise the Observation line must contain the expected word; when the model flags a data
//   race, a mismatch is forgiven ("--- Forgiven");
// * no Observation line: an unknown macro (254), a timeout (124) or a verification error (255).
// test/litmus/judge.test.ts checks these against the vendored judgelitmus.sh itself.

export interface Expectation {
  /** The expected word: Never, Sometimes, Always, DEADLOCK, Maybe, … or 'specified'. */
  outcome: string;
  dataracePredicted: boolean;
}

/** What the checker said about a test. */
export type Observed =
  | { k: 'result'; name: string; verdict: string; positive: number; negative: number; flags: readonly string[] }
  | { k: 'unknown-macro'; macro: string }
  | { k: 'timeout' }
  | { k: 'error' };

export interface Judgement {
  /** judgelitmus.sh's exit status: 0 as expected (or forgiven), 1 mismatch, 252/253 data race,
   * 254 unknown macro, 124 timeout, 255 verification error. */
  code: number;
  /** The verdict line judgelitmus.sh prints (" !!! Unexpected non-Never verification …"), if any. */
  message: string | null;
  /** herd7's Observation line, when there is one. */
  observation: string | null;
}

const RESULT_LINE = /^[( ]\* Result: /;

/** The test's expectation, read from its text as judgelitmus.sh reads it. */
export function expectationOf(text: string): Expectation {
  const lines = text.split('\n');
  const first = lines.find((l) => RESULT_LINE.test(l));
  if (first === undefined) return { outcome: 'specified', dataracePredicted: false };
  // awk '{ print $3 }': fields split on blanks; the line starts with "(*" or " *"
  const outcome = first.trim().split(/[ \t]+/)[2] ?? '';
  const dataracePredicted = lines.some((l) => /^[( ]\* Result: .* DATARACE/.test(l));
  return { outcome, dataracePredicted };
}

export function observationLine(o: Observed & { k: 'result' }): string {
  return `Observation ${o.name} ${o.verdict} ${o.positive} ${o.negative}`;
}

/** judgelitmus.sh's judgement of `observed` for the test at `path` with expectation `exp`. */
export function judge(path: string, exp: Expectation, observed: Observed): Judgement {
  const modeled = observed.k === 'result' && observed.flags.includes('data-race');
  if (exp.outcome !== 'specified') {
    if (exp.dataracePredicted && !modeled) return { code: 252, message: `!!! Predicted data race not modeled ${path}`, observation: null };
    if (!exp.dataracePredicted && modeled) return { code: 253, message: `!!! Unexpected data race modeled ${path}`, observation: null };
  }
  // (the script echoes this one unquoted, which drops its leading blank)
  if (observed.k === 'unknown-macro') return { code: 254, message: `!!! Current LKMM version does not know "${observed.macro}" ${path}`, observation: null };
  if (observed.k === 'timeout') return { code: 124, message: ` !!! Timeout ${path}`, observation: null };
  if (observed.k === 'error') return { code: 255, message: ` !!! Verification error ${path}`, observation: null };
  const obs = observationLine(observed);
  const deadlock = obs.endsWith('Never 0 0');
  const ok = (message: string | null, code: number): Judgement => ({ code, message, observation: obs });
  if (exp.outcome === 'DEADLOCK') return deadlock ? ok(null, 0) : ok(` !!! Unexpected non-${exp.outcome} verification ${path}`, 1);
  if (deadlock) return ok(` !!! Unexpected non-${exp.outcome} deadlock ${path}`, 1);
  // `grep '^Observation' | grep -q $outcome`: the word anywhere in the line
  if (obs.includes(exp.outcome) || exp.outcome === 'Maybe') return ok(null, 0);
  if (modeled) return ok(` --- Forgiven non-${exp.outcome} verification ${path}`, 0);
  return ok(` !!! Unexpected non-${exp.outcome} verification ${path}`, 1);
}
