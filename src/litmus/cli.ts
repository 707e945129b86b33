// `mmcheck litmus <files|dirs…> [--json]`: checks C litmus tests against the LKMM and prints the
// results as herd7 does (or as JSON). Exit code: 0 all checked, 2 if a file was refused (printed
// as file:line:col: message; the other files are still checked), 3 on an internal error.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadLitmusModel, coherenceStub, type LitmusModel } from './model.ts';
import { herdOutput, jsonResult, type JsonResult } from './output.ts';
import { Refused, runText } from './run.ts';
import { TraceCollector, litmusTrace } from './trace.ts';
import { explainOutcome, explanationJson } from './explain.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const USAGE = `usage: mmcheck litmus <file.litmus|dir>... [--json] [--explain] [--stub] [--timeout S] [--trace DIR]
  Checks C litmus tests (tools/memory-model dialect) against the Linux-kernel memory model and
  prints herd7-style results. Directories are searched recursively for *.litmus files.
  --json   print {"results":[{path,name,verdict,positive,negative,states,flags,seconds}]}
  --explain  say why the condition's outcome is allowed or forbidden: the axiom that rejects it
           and the cycle of the model's relations that closes (in --json: "explanation")
  --stub   use the coherence-only model instead of the LKMM (front-end debugging)
  --timeout S  give up on a test after S seconds (reported like a refused file)
  --trace DIR  write one JSON trace per test into DIR (a witness or counterexample execution and
               an ordinary one, as graphs; with --explain, a forbidden outcome's rejected
               execution with its cycle), for mmcheck view`;

/** Expands directories into their *.litmus files (sorted); plain files are kept as given. */
export function collectFiles(args: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
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
    if (st.isDirectory()) walk(a);
    else out.push(a);
  }
  return out;
}

export async function litmusMain(args: string[]): Promise<number> {
  const files: string[] = [];
  let json = false;
  let explain = false;
  let stub = false;
  let timeout: number | undefined;
  let traceDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--explain') explain = true;
    else if (a === '--timeout') {
      timeout = Number(args[++i]);
      if (!(timeout > 0)) {
        console.error(`mmcheck litmus: --timeout needs a positive number of seconds\n${USAGE}`);
        return 2;
      }
    }
    else if (a === '--stub') stub = true;
    else if (a === '--trace') {
      traceDir = args[++i];
      if (!traceDir) {
        console.error(`mmcheck litmus: --trace needs a directory\n${USAGE}`);
        return 2;
      }
    }
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('--')) {
      console.error(`mmcheck litmus: unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  if (explain && stub) {
    console.error(`mmcheck litmus: --explain needs the LKMM, not --stub\n${USAGE}`);
    return 2;
  }
  let model: LitmusModel;
  try {
    model = stub ? coherenceStub() : await loadLitmusModel();
  } catch (e) {
    console.error(`[mmcheck internal error] loading the model: ${(e as Error).stack ?? e}`);
    return 3;
  }
  let code = 0;
  const results: JsonResult[] = [];
  for (const f of collectFiles(files)) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      console.error(`${f}:1:1: cannot read file: ${(e as Error).message}`);
      code = Math.max(code, 2);
      continue;
    }
    try {
      const coll = traceDir ? new TraceCollector() : undefined;
      const deadline = () => (timeout ? performance.now() + timeout * 1000 : undefined);
      const r = runText(f, text, model, { deadline: deadline() }, coll?.capture);
      const why = explain ? explainOutcome(r, deadline()) : undefined;
      if (traceDir && coll) {
        mkdirSync(traceDir, { recursive: true });
        writeFileSync(`${traceDir}/${basename(f).replace(/\.litmus$/, '')}.json`, JSON.stringify(litmusTrace(r, coll, why), null, 1) + '\n');
      }
      if (json) results.push(why ? { ...jsonResult(r), explanation: explanationJson(r, why) } : jsonResult(r));
      else process.stdout.write(herdOutput(r) + (why ? `Explanation\n${why.text.join('\n')}\n` : '') + '\n');
    } catch (e) {
      if (e instanceof Refused) {
        console.error(e.message);
        code = Math.max(code, 2);
      } else {
        console.error(`[mmcheck internal error] ${f}: ${(e as Error).stack ?? e}`);
        code = 3;
      }
    }
  }
  if (json) process.stdout.write(JSON.stringify({ results }, null, 2) + '\n');
  return code;
}
