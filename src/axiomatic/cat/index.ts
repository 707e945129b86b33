// Public entry points of the cat interpreter: herd7's cat language, as used by the Linux-kernel
// memory model, executed on one candidate execution at a time (src/axiomatic/execution.ts).
//
// Language supported (herd7 syntax and operator precedence):
// * files: optional title ("..." or an identifier), `include "f.cat"` (searched in the including
//   file's directory, then LoadOptions.searchPath), comments (* nested *) and // to end of line;
// * `let`, `let ... and ...`, `let rec` (least fixpoint, solved Gauss-Seidel style like herd;
//   recursive functions when every binding is a function), `let f(x, y) = e`, `let f x = e`,
//   `fun x -> e`, `fun (x, y) -> e`, `let ... in e`, tuples and tuple patterns;
// * `enum Name = 'a || 'b` (defines Name and, for each tag 't, the event set T = events whose
//   annotation is 't, first letter capitalised: 'rmb -> Rmb, 'sync-rcu -> Sync-rcu, 'ONCE -> ONCE),
//   `instructions X[...]` and `default X[...]` (accepted, not checked);
// * tests `acyclic | irreflexive | empty e [as name]`, negated with `~`, prefixed with `flag`
//   (reported, never rejects) or `requires` (like a check); `show` / `unshow` (ignored);
// * `with x from S`: each element of S is a separate branch (candidate completion);
// * expressions: `|`, `++`, `;`, `\`, `&`, binary `*` (cartesian), postfix `*` `+` `?` `^-1`,
//   prefix `~` (complement), `[S]`, `0`, `{}`, `{a, b}`, `_` (all events), 'tags,
//   application `f x` / `f(x, y)`, `try e with d`, `if "variant" then a else b` (also `=`,
//   `subset`, `in` conditions), `match e with {} -> a || x ++ s -> b end`, `match` on tags;
// * built-ins (herd's pre-defined names and stdlib.cat, natively): R W M F IW FW(empty) RMW LKR LKW
//   UL LF RL RU LK LS po loc int ext id rf rmw addr data ctrl po-loc rfe rfi co0 emptyset
//   domain range different-values same-values fencerel singlestep toid partition classes-loc
//   linearisations(S, r) cross(S) map f S.
// Not supported: `procedure`/`call`, `forall`, `let rec ... when`, `debug`, match instructions.
//
// The files, in reading order: ast.ts (syntax) and parser.ts; values.ts (CatVal) and bits.ts
// (sets and relations as bitsets); ops.ts (what each operator means), builtins.ts and orders.ts
// (herd's pre-defined names and order library); compile.ts (model -> Program of closures over
// runtime.ts's cells); run.ts (running a Program on one execution, `with` branching). What is
// cached rather than recomputed lives apart, in hoist.ts (shared across branches and runs) and
// run.ts's static cache; profile.ts times bindings on request (MMCHECK_CAT_PROFILE).
// explain.ts says why a branch is rejected (the failing check, a witness cycle, each edge
// derived from the model's named relations) and explain-format.ts how that reads.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatFile } from './ast.ts';
import { CompiledModel } from './run.ts';
import { parseCat } from './parser.ts';
import { CatRuntimeError } from './values.ts';

export { CatSyntaxError, parseCat, tokenize } from './parser.ts';
export { CatRuntimeError, type CatVal } from './values.ts';
export { CompiledModel, type CatOutcomeRaw, type RejectedBranch, type RunOptions } from './run.ts';
export { type Derivation, type Rejection } from './explain.ts';
export { baseEdges, formatRejection, rotate, type NamedEdge } from './explain-format.ts';
export type { CatFile } from './ast.ts';

export interface LoadOptions {
  /** Directories searched, in order, for included files (after the including file's own). */
  searchPath?: string[];
  /** herd variants that are on (for `if "name" then ... else ...`). */
  variants?: string[];
  /** Source overrides by file name (for tests): used before the file system. */
  sources?: Record<string, string>;
  /** Whether an included file is first looked for beside the including file (default true;
   * herd7 looks only in its search path: the current directory, -I, $HERDLIB, its libdir). */
  includeFromDir?: boolean;
  /** herd7's -skipchecks: the tests (checks and flags) with these names are not evaluated. */
  skipChecks?: ReadonlySet<string>;
  /** herd7's -through all|invalid: every check passes (flags are still raised). */
  throughChecks?: boolean;
}

/** The mmcheck library that stands in for herd7's libdir (cross.cat, cos-opt.cat; no model). */
export const CAT_LIBDIR = join(dirname(fileURLToPath(import.meta.url)), 'libdir');

/**
 * Compiles the model made of `files` (evaluated in order, like herd's bell then cat file).
 * Included files are looked up in the including file's directory, then in `searchPath`.
 */
export function loadCatModel(files: string[], opts: LoadOptions = {}): CompiledModel {
  const cache = new Map<string, CatFile>();
  const read = (name: string, from: string | null): CatFile => {
    if (opts.sources && name in opts.sources) {
      const hit = cache.get('src:' + name);
      if (hit) return hit;
      const f = withoutSkipped(parseCat(opts.sources[name]!, name), opts);
      cache.set('src:' + name, f);
      return f;
    }
    const dirs = [...(from && opts.includeFromDir !== false ? [dirname(from)] : []), ...(opts.searchPath ?? [])];
    let path: string | null = isAbsolute(name) ? name : null;
    for (const d of path ? [] : dirs) {
      const p = resolve(join(d, name));
      try {
        readFileSync(p, { flag: 'r' });
        path = p;
        break;
      } catch {
        /* try the next directory */
      }
    }
    if (!path) {
      if (dirs.length === 0) path = resolve(name);
      else throw new CatRuntimeError(null, `${from ?? 'cat'}: cannot find ${from ? 'included ' : ''}file "${name}" (searched ${dirs.join(', ')})`);
    }
    const hit = cache.get(path);
    if (hit) return hit;
    const f = withoutSkipped(parseCat(readFileSync(path, 'utf8'), path), opts);
    cache.set(path, f);
    return f;
  };
  const top = files.map((f) => read(f, null));
  return new CompiledModel(top, (name, from) => read(name, from), new Set(opts.variants ?? []));
}

/** Drops the tests that -skipchecks names, and with -through every check (herd's interpreter
 * then treats them as passing: lib/interpreter.ml, skip_this_check and check_through). */
function withoutSkipped(f: CatFile, opts: LoadOptions): CatFile {
  const skip = opts.skipChecks;
  if (!opts.throughChecks && !skip?.size) return f;
  const keep = f.instrs.filter((i) => i.k !== 'test' || !((i.name !== null && skip?.has(i.name)) || (opts.throughChecks && i.mode === 'check')));
  return { ...f, instrs: keep };
}
