// Stage 5 of the litmus pipeline: run one test end to end (parse, set up, enumerate, check, and
// collect the results: final states, positive/negative witness counts, flags, verdict).
import type { CLoc, Prop } from './ast.ts';
import { enumerate, type Candidate, type EnumOptions } from './candidates.ts';
import { evalProp } from './condition.ts';
import { LitmusError } from './lexer.ts';
import { coLast, type LitmusModel, type ModelOutcome } from './model.ts';
import { parseLitmus } from './parser.ts';
import { TooBig } from './paths.ts';
import { buildSetup, type Setup } from './setup.ts';

export type Verdict = 'Never' | 'Sometimes' | 'Always';

export interface LitmusResult {
  path: string;
  name: string;
  verdict: Verdict;
  /** Ok / No line of herd7 (whether the test's claim holds). */
  ok: boolean;
  positive: number;
  negative: number;
  /** Distinct final states over the observed locations, sorted as herd7 prints them. */
  stateList: number[][];
  flags: string[];
  seconds: number;
  candidates: number;
  setup: Setup;
}

/** A test that was refused: syntax or semantic error at file:line:col. */
export class Refused extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly col: number,
    readonly msg: string,
    /** The macro name when the test calls a macro the .def does not define. */
    readonly unknownMacro?: string,
  ) {
    super(`${path}:${line}:${col}: ${msg}`);
  }
}

/** A test left unfinished at a bound (--timeout, or more paths or candidates than allowed). */
export class GaveUp extends Refused {
  constructor(
    path: string,
    msg: string,
    readonly timedOut: boolean,
  ) {
    super(path, 1, 1, msg);
  }
}

function cmpVals(s: Setup, a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const xs = x >= 0x40000000 && x < 0x40000000 + s.locs.length;
    const ys = y >= 0x40000000 && y < 0x40000000 + s.locs.length;
    if (xs !== ys) return xs ? 1 : -1;
    if (xs) {
      const nx = s.locs[x - 0x40000000]!;
      const ny = s.locs[y - 0x40000000]!;
      return nx < ny ? -1 : nx > ny ? 1 : 0;
    }
    return x - y;
  }
  return 0;
}

/** Called for each consistent execution while capturing (for --trace): whether it satisfies the condition. */
export type Capture = (satisfies: boolean, x: import('../axiomatic/execution.ts').Execution, out: import('./model.ts').ModelOutcome, look: (l: CLoc) => number, setup: Setup) => void;

/** The final state of one completion of a candidate: registers, and memory as the co-last writes left it. */
export function finalState(s: Setup, cand: Candidate, out: ModelOutcome): (l: CLoc) => number {
  const last = coLast(cand.x, out);
  return (l) => {
    if (l.k === 'reg') return cand.reg(l.tid, l.reg) ?? s.regInit[l.tid]?.get(l.reg) ?? 0;
    const id = last.get(l.name);
    if (id !== undefined) return cand.x.events[id]!.value;
    const li = s.locId.get(l.name);
    return li === undefined ? 0 : s.init[li]!;
  };
}

/** Whether the filter clause keeps a candidate before the model runs: a filter on registers
 * only is decided then (herd7 also filters first). Null when there is nothing to decide early. */
export function registerPrefilter(s: Setup): EnumOptions['prefilter'] | undefined {
  const filter = s.test.filter;
  const regOnly = (p: Prop): boolean => {
    switch (p.k) {
      case 'atom': return p.loc.k === 'reg' && (p.val.k !== 'loc' || p.val.loc.k === 'reg');
      case 'not': return regOnly(p.p);
      case 'and': case 'or': return p.ps.every(regOnly);
      case 'imp': return regOnly(p.a) && regOnly(p.b);
      default: return true;
    }
  };
  if (!filter || !regOnly(filter)) return undefined;
  return (cand) => evalProp(s, filter, (l) => (l.k === 'reg' ? cand.reg(l.tid, l.reg) ?? s.regInit[l.tid]?.get(l.reg) ?? 0 : 0));
}

export function runText(path: string, text: string, model: LitmusModel, o: EnumOptions = {}, capture?: Capture): LitmusResult {
  const t0 = performance.now();
  let setup: Setup;
  try {
    const test = parseLitmus(text, model.prims);
    setup = buildSetup(test);
  } catch (e) {
    if (e instanceof LitmusError) throw new Refused(path, e.line, e.col, e.msg, e.unknownMacro);
    throw e;
  }
  const s = setup;
  const test = s.test;
  let positive = 0;
  let negative = 0;
  const states = new Map<string, number[]>();
  const flags = new Set<string>();
  let candidates = 0;
  const opts: EnumOptions = { ...o };
  const prefilter = registerPrefilter(s);
  if (prefilter) opts.prefilter = prefilter;
  try {
    candidates = enumerate(
      s,
      model,
      (cand, out) => {
        const look = finalState(s, cand, out);
        if (test.filter && !evalProp(s, test.filter, look)) return;
        const sat = evalProp(s, test.cond, look);
        if (sat) positive++;
        else negative++;
        if (capture) capture(sat, cand.x, out, look, s);
        const vals = s.observed.map(look);
        states.set(vals.join(','), vals);
        for (const f of out.flags) flags.add(f);
      },
      opts,
    );
  } catch (e) {
    if (e instanceof LitmusError) throw new Refused(path, e.line, e.col, e.msg);
    if (e instanceof TooBig) throw new GaveUp(path, `gave up: ${e.message}`, e.timedOut);
    throw e;
  }
  const verdict: Verdict = positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes';
  const ok = test.quant === 'exists' ? positive > 0 : test.quant === '~exists' ? positive === 0 : negative === 0;
  const stateList = [...states.values()].sort((a, b) => cmpVals(s, a, b));
  return {
    path,
    name: test.name,
    verdict,
    ok,
    positive,
    negative,
    stateList,
    flags: [...flags].sort(),
    seconds: (performance.now() - t0) / 1000,
    candidates,
    setup: s,
  };
}
