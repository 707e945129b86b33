// `mmcheck litmus <files|dirs…>`: checks C litmus tests against the LKMM and prints the results
// as herd7 does (or as JSON; or, with --judge, judged against each test's Result: comment as the
// kernel's judgelitmus.sh does). The options are parsed by src/cli (the one option table).
// Exit code: 0 all checked (with --judge: all as expected), 1 (--judge) a result not as its
// Result: comment expects, 2 if a file was refused (printed as file:line:col: message; the other
// files are still checked), 3 on an internal error.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadLitmusModel, coherenceStub, type LitmusModel } from './model.ts';
import { herdOutput, jsonResult, type JsonResult } from './output.ts';
import { expectationOf, judge, type Judgement } from './judge.ts';
import { GaveUp, Refused, runText } from './run.ts';
import { TraceCollector, litmusTrace } from './trace.ts';
import { explainOutcome, explanationJson } from './explain.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Expands directories into their *.litmus files (sorted); plain files are kept as given. A path
 * that cannot be read (a dangling link, a directory it may not list) is kept too, and reported
 * as unreadable when its turn comes; a directory reached again through a link is walked once.
 * `empty` gets the directories given that hold no *.litmus file.
 */
export function collectFiles(args: string[], empty: string[] = []): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (d: string): void => {
    let real: string;
    let names: string[];
    try {
      real = realpathSync(d);
      if (seen.has(real)) return;
      names = readdirSync(d).sort();
    } catch {
      out.push(d); // reported as unreadable later
      return;
    }
    seen.add(real);
    for (const n of names) {
      const p = join(d, n);
      let dir = false;
      try {
        dir = statSync(p).isDirectory();
      } catch {
        /* a dangling link: a file that cannot be read */
      }
      if (dir) walk(p);
      else if (n.endsWith('.litmus')) out.push(p);
    }
  };
  for (const a of args) {
    let st;
    try {
      st = statSync(a);
    } catch {
      out.push(a); // reported as unreadable later
      continue;
    }
    if (st.isDirectory()) {
      const before = out.length;
      walk(a);
      if (out.length === before) empty.push(a);
    } else out.push(a);
  }
  return out;
}

export interface LitmusOptions {
  /** Test files, and directories searched recursively for *.litmus. */
  files: string[];
  json?: boolean;
  /** The coherence-only stub instead of the LKMM (front-end debugging). */
  stub?: boolean;
  /** Give up a test after this many seconds (reported like a refused file). */
  timeout?: number;
  /** Write one JSON trace per test into this directory. */
  traceDir?: string;
  /** Judge each result against the test's Result: comment, as judgelitmus.sh does. */
  judge?: boolean;
  /** Say why the condition's outcome is allowed or forbidden (explain.ts). */
  explain?: boolean;
}

const out = (s: string): void => { process.stdout.write(s); };

/** Checks the tests and prints the results; returns the exit status. */
export async function litmusMain(o: LitmusOptions): Promise<number> {
  if (o.explain && o.stub) {
    console.error('mmcheck litmus: --explain needs the LKMM, not --stub');
    return 2;
  }
  let model: LitmusModel;
  try {
    model = o.stub ? coherenceStub() : await loadLitmusModel();
  } catch (e) {
    console.error(`[mmcheck internal error] loading the model: ${(e as Error).stack ?? e}`);
    return 3;
  }
  let code = 0;
  const results: (JsonResult & { judgement?: { code: number; message: string | null } })[] = [];
  const judged = new Map<number, number>();
  const record = (j: Judgement): void => {
    judged.set(j.code, (judged.get(j.code) ?? 0) + 1);
    if (j.code !== 0) code = Math.max(code, 1);
    if (!o.json) out(`${j.observation ? `${j.observation}\n` : ''}${j.message ? `${j.message}\n` : ''}`);
  };
  let forgiven = 0;
  const empty: string[] = [];
  const files = collectFiles(o.files, empty);
  for (const d of empty) {
    // Checking nothing and saying nothing would read as success.
    console.error(`mmcheck litmus: ${d} holds no *.litmus file`);
    code = 2;
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      console.error(`${f}:1:1: cannot read file: ${(e as Error).message}`);
      code = Math.max(code, 2);
      continue;
    }
    try {
      const coll = o.traceDir ? new TraceCollector() : undefined;
      const deadline = () => (o.timeout ? performance.now() + o.timeout * 1000 : undefined);
      const r = runText(f, text, model, { deadline: deadline() }, coll?.capture);
      const why = o.explain ? explainOutcome(r, deadline()) : undefined;
      if (o.traceDir && coll) {
        const tf = `${o.traceDir}/${basename(f).replace(/\.litmus$/, '')}.json`;
        try {
          mkdirSync(o.traceDir, { recursive: true });
          writeFileSync(tf, JSON.stringify(litmusTrace(r, coll, why), null, 1) + '\n');
        } catch (e) {
          // A --trace directory that cannot be written is the user's to fix (exit 2), not our bug.
          console.error(`mmcheck litmus: cannot write ${tf}: ${(e as Error).message}`);
          code = Math.max(code, 2);
        }
      }
      const j = o.judge ? judge(f, expectationOf(text), { k: 'result', name: r.name, verdict: r.verdict, positive: r.positive, negative: r.negative, flags: r.flags }) : null;
      if (j) {
        record(j);
        if (j.message?.includes('--- Forgiven')) forgiven++;
      }
      if (o.json) results.push({ ...jsonResult(r), ...(j ? { judgement: { code: j.code, message: j.message } } : {}), ...(why ? { explanation: explanationJson(r, why) } : {}) });
      else if (!j) out(herdOutput(r) + (why ? `Explanation\n${why.text.join('\n')}\n` : '') + '\n');
      else if (why) out(`${why.text.join('\n')}\n`);
    } catch (e) {
      if (e instanceof Refused) {
        console.error(e.message);
        code = Math.max(code, 2);
        if (o.judge) record(judge(f, expectationOf(text), e.unknownMacro ? { k: 'unknown-macro', macro: e.unknownMacro } : e instanceof GaveUp && e.timedOut ? { k: 'timeout' } : { k: 'error' }));
      } else {
        console.error(`[mmcheck internal error] ${f}: ${(e as Error).stack ?? e}`);
        code = 3;
      }
    }
  }
  if (o.json) out(JSON.stringify({ results }, null, 2) + '\n');
  else if (o.judge) {
    // checkalllitmus.sh's closing words, after the counts of judgelitmus.sh's statuses
    const n = [...judged.values()].reduce((a, b) => a + b, 0);
    const bad = n - (judged.get(0) ?? 0);
    out(`${n} tests judged against their Result: comments: ${n - bad} as expected${forgiven ? ` (${forgiven} of them forgiven: data race flagged)` : ''}, ${bad} not\n`);
    out(bad ? ' ^^^ VERIFICATION MISMATCHES\n' : 'All litmus tests verified as was expected.\n');
  }
  return code;
}
