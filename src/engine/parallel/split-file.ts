// The JSON a shard writes (--shard I/N --out FILE) and a checkpoint holds (--checkpoint FILE):
// the segments of the search a run explored, with what identifies the search they belong to —
// the program's hash, its parameters, the model and the split plan — so that `mmcheck merge`
// and `--resume` refuse to combine pieces of different searches.
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Instance, Params } from '../program.ts';
import type { Segment } from './split.ts';

export const SPLIT_FORMAT = 'mmcheck-split/1';

export interface SplitFile {
  format: typeof SPLIT_FORMAT;
  kind: 'shard' | 'checkpoint';
  /** The program's name, and what the command line needs to find it again (target, variant). */
  program: string;
  source: Record<string, unknown>;
  params: Params;
  model: string;
  /** --all-violations: every violating execution counted, not only the first. */
  keepGoing: boolean;
  /** programHash: the program's code, parameters, model and mode. */
  hash: string;
  /**
   * Whether symmetric threads were explored up to permutation (counts are then classes); absent
   * in files written before symmetry reduction, which explored every execution.
   */
  symmetry?: boolean;
  /**
   * Whether failed CAS reads were taken out (ExploreOptions.ghosts, the default; blocked counts
   * differ); absent when they were not (--no-ghosts, and files written while that was the default).
   */
  ghosts?: boolean;
  plan: { target: number; depth: number; tasks: number; prefixLeaves: number };
  shard: { index: number; count: number } | null;
  /** For people reading the file; merge recomputes it from the segments. */
  summary: {
    complete: number;
    blocked: number;
    rejected: number;
    violations: { key: string; count: number; message: string }[];
  };
  cutBy: null | 'max-executions' | 'timeout';
  seconds: number;
  segments: Segment[];
}

/**
 * A hash of what decides the search: the program's code (its setup, thread bodies and final
 * checks as source text), the locations and threads its setup made, the parameters, the model
 * and the mode. Code the program calls into elsewhere is not in it; the split plan, which every
 * piece recomputes and compares, catches most such changes.
 */
export function programHash(inst: Instance, model: string, keepGoing: boolean, symmetry = false, ghosts = false): string {
  const text = JSON.stringify({
    format: SPLIT_FORMAT, name: inst.program.name, params: inst.params, model, keepGoing, ...(symmetry ? { symmetry } : {}), ...(ghosts ? { ghosts } : {}),
    setup: String(inst.program.setup), finals: inst.finals.map(String),
    locs: inst.locs.map((l) => [l.name, l.init]), threads: inst.threads.map((t) => [t.name, String(t.body)]),
  });
  // node:crypto is loaded here, not with the module: a run that writes or reads no split file
  // (every check imports this module) does not load it (docs/performance.md).
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof Crypto;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export class SplitFileError extends Error {
  constructor(message: string, readonly file?: string) {
    super(message);
  }
}

/** Writes atomically (temporary file, then rename): a run killed mid-write leaves the old file. */
export function writeSplitFile(path: string, f: SplitFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(f) + '\n');
    renameSync(tmp, path);
  } catch (e) {
    // A path the user named (--out, --checkpoint) that cannot be written is bad input, not our bug.
    try { unlinkSync(tmp); } catch { /* never written */ }
    throw new SplitFileError(`cannot write ${path}: ${(e as Error).message}`, path);
  }
}

export function readSplitFile(path: string): SplitFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SplitFileError(`cannot read ${path}: ${(e as Error).message}`, path);
  }
  let f: SplitFile;
  try {
    f = JSON.parse(text) as SplitFile;
  } catch (e) {
    throw new SplitFileError(`${path} is not JSON: ${(e as Error).message}`, path);
  }
  if (!f || f.format !== SPLIT_FORMAT || !Array.isArray(f.segments) || typeof f.hash !== 'string' || !f.plan) {
    throw new SplitFileError(`${path} is not an mmcheck shard or checkpoint (format ${SPLIT_FORMAT})`, path);
  }
  const bad = malformed(f);
  if (bad) throw new SplitFileError(`${path} is damaged: ${bad}`, path);
  return f;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const optCount = (x: unknown): boolean => x === undefined || isCount(x);

/**
 * What in a file that has the format's header does not have the format's shape (null: nothing).
 * Merge and --resume sum what the file says: a count that is negative, not an integer or missing
 * would be printed as the result of a search (an edited or truncated-and-repaired file, a bad copy).
 */
function malformed(f: SplitFile): string | null {
  if (f.kind !== 'shard' && f.kind !== 'checkpoint') return `kind ${JSON.stringify(f.kind)} is neither shard nor checkpoint`;
  if (typeof f.program !== 'string' || typeof f.model !== 'string' || typeof f.keepGoing !== 'boolean') return 'program, model or keepGoing missing';
  if (!isObj(f.source) || !isObj(f.params) || !Object.values(f.params).every(Number.isSafeInteger)) return 'source or params not as written';
  const p = f.plan as unknown as Record<string, unknown>;
  if (!isObj(p) || !isCount(p.target) || !isCount(p.depth) || !isCount(p.tasks) || !isCount(p.prefixLeaves)) return 'plan not as written';
  if (f.shard !== null && (!isObj(f.shard) || !isCount(f.shard.count) || !isCount(f.shard.index) || f.shard.index < 1 || f.shard.index > f.shard.count)) {
    return `shard ${JSON.stringify(f.shard)} is not I/N with 1 <= I <= N`;
  }
  if (f.cutBy !== null && f.cutBy !== 'max-executions' && f.cutBy !== 'timeout') return `cutBy ${JSON.stringify(f.cutBy)} unknown`;
  if (typeof f.seconds !== 'number' || !(f.seconds >= 0)) return 'seconds not a number';
  for (const s of f.segments as unknown[]) {
    if (!isObj(s)) return 'a segment is not an object';
    const at = `segment ${JSON.stringify(s.seq)}`;
    if (!isCount(s.seq) || !Number.isSafeInteger(s.split) || (s.split as number) < -1 || typeof s.finished !== 'boolean') return `${at}: seq, split or finished not as written`;
    if (!isCount(s.complete) || !isCount(s.blocked) || !isCount(s.rejected) || !optCount(s.unordered) || !optCount(s.unorderedCut)) {
      return `${at}: a count is not a non-negative integer`;
    }
    if (s.classes !== undefined && (!isObj(s.classes) || !Object.values(s.classes).every(isCount))) return `${at}: classes not counts`;
    if (s.flags !== undefined && (!Array.isArray(s.flags) || !s.flags.every((x) => typeof x === 'string'))) return `${at}: flags not strings`;
    if (s.found !== undefined) {
      if (!Array.isArray(s.found)) return `${at}: found is not a list`;
      for (const v of s.found as unknown[]) {
        if (!isObj(v) || !isCount(v.seq) || !isCount(v.n) || typeof v.key !== 'string' || typeof v.message !== 'string' || typeof v.property !== 'string'
          || !Array.isArray(v.threadNames) || !isObj(v.graph) || !Array.isArray(v.graph.events) || !Array.isArray(v.graph.inits) || !Array.isArray(v.graph.slots) || !Array.isArray(v.graph.co)) {
          return `${at}: a violation in it is not as written`;
        }
      }
    }
  }
  return null;
}

/** Why two pieces cannot be parts of one search (null: they can). */
export function mismatch(a: SplitFile, b: SplitFile): string | null {
  if (a.program !== b.program) return `program ${b.program}, not ${a.program}`;
  if (JSON.stringify(a.params) !== JSON.stringify(b.params)) return `parameters ${JSON.stringify(b.params)}, not ${JSON.stringify(a.params)}`;
  if (a.model !== b.model) return `model ${b.model}, not ${a.model}`;
  if (a.keepGoing !== b.keepGoing) return b.keepGoing ? 'all violations counted (--all-violations), not the first' : 'only the first violation, not all (--all-violations)';
  if (!!a.symmetry !== !!b.symmetry) return b.symmetry ? 'symmetric threads explored up to permutation, not every execution (--no-symmetry)' : 'every execution (--no-symmetry), not symmetric threads up to permutation';
  if (!!a.ghosts !== !!b.ghosts) return b.ghosts ? 'a search that takes failed CAS reads out, not one that keeps them (--no-ghosts)' : 'a search that keeps failed CAS reads (--no-ghosts), not one that takes them out';
  if (a.hash !== b.hash) return 'a different version of the program (its code hash differs)';
  const p = a.plan, q = b.plan;
  if (p.depth !== q.depth || p.tasks !== q.tasks || p.target !== q.target || p.prefixLeaves !== q.prefixLeaves) {
    return `a different split of the search (depth ${q.depth}, ${q.tasks} tasks, not depth ${p.depth}, ${p.tasks} tasks)`;
  }
  return null;
}
