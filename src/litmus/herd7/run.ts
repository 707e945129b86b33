// `mmcheck herd7 …` / `mmcheck-herd7`: checks C litmus tests the way herd7 does when the kernel's
// tools/memory-model scripts run `herd7 $LKMM_HERD_OPTIONS test.litmus` (default options
// `-conf linux-kernel.cfg`): the model is the user's own .bell, .cat and .def, found as herd7
// finds them (the current directory, then -I directories, then $HERDLIB, then mmcheck's cat
// library, which holds cross.cat and cos-opt.cat and no model), and run by mmcheck's cat
// interpreter. The output is herd7's (src/litmus/output.ts).
//
// This file takes settings already parsed (src/cli/commands/herd7.ts parses the command line and
// the .cfg files with the option table). Exit status: 0 every test checked; 2 bad input (a
// missing or malformed .cfg/.bell/.cat/.def, a malformed test: the other tests are still
// checked); 124 a test given up at -timeout; 3 internal error.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { CAT_LIBDIR, CatRuntimeError, CatSyntaxError } from '../../axiomatic/cat/index.ts';
import { loadLkmmFiles } from '../../axiomatic/lkmm/index.ts';
import { DefError, readDefTable, type DefTable } from '../../axiomatic/lkmm/def.ts';
import type { LitmusModel } from '../model.ts';
import { herdOutput } from '../output.ts';
import { GaveUp, Refused, runText } from '../run.ts';
import { DotCollector, type ShowMode } from './dot.ts';

export interface Herd7Settings {
  /** herd7's current directory: the first place files are looked up. */
  cwd: string;
  bell: string | null;
  cat: string | null;
  macros: string | null;
  variants: string[];
  /** -I directories, in order (a leading '+' means a subdirectory of the library, as in herd7). */
  includes: string[];
  /** $HERDLIB, searched after the -I directories. */
  herdlib: string | null;
  skipChecks: string[];
  through: 'none' | 'invalid' | 'all';
  show: ShowMode;
  /** -nshow: at most this many figures per test. */
  nshow: number | null;
  /** -o: directory for the .dot figures, or '-' for standard output (herd7's DOTBEGIN/DOTEND). */
  outDir: string | null;
  /** -suffix: added to the figure's file name. */
  suffix: string;
  /** -timeout, in seconds. */
  timeout: number | null;
}

export function defaultSettings(cwd: string, env: Record<string, string | undefined>): Herd7Settings {
  return {
    cwd, bell: null, cat: null, macros: null, variants: [], includes: [], herdlib: env.HERDLIB ?? null,
    skipChecks: [], through: 'none', show: 'none', nshow: null, outDir: null, suffix: '', timeout: null,
  };
}

/** Bad input or usage, reported as a message and exit status 2. */
export class Herd7Error extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** herd7's search path (lib/myLib.ml): ".", the -I directories, $HERDLIB, the library. */
export function searchPath(s: Herd7Settings): string[] {
  const inc = s.includes.map((d) => (d.startsWith('+') ? join(CAT_LIBDIR, d.slice(1)) : resolve(s.cwd, d)));
  return [s.cwd, ...inc, ...(s.herdlib ? [resolve(s.cwd, s.herdlib)] : []), CAT_LIBDIR];
}

/** Finds a file as herd7 does: a name with a directory part is used as given, a bare name is searched. */
export function libfind(s: Herd7Settings, name: string, what: string): string {
  const implicit = !isAbsolute(name) && !/^\.\.?\//.test(name);
  const found = (p: string): boolean => existsSync(p) && !statSync(p).isDirectory();
  if (!implicit) {
    const p = resolve(s.cwd, name);
    if (found(p)) return p;
    throw new Herd7Error(`cannot find ${what} file ${name}`);
  }
  const dirs = searchPath(s);
  for (const d of dirs) {
    const p = join(d, name);
    if (found(p)) return p;
  }
  throw new Herd7Error(`cannot find ${what} file ${name} (searched ${dirs.join(', ')})`);
}

/** The model the settings name: the bell and cat files and the macro table. Throws Herd7Error. */
export function loadHerd7Model(s: Herd7Settings): LitmusModel {
  if (!s.cat) {
    throw new Herd7Error(
      'no model: herd7\'s default model for C tests is c11_partialSC.cat, which mmcheck does not implement; ' +
        'give -conf linux-kernel.cfg (in a kernel\'s tools/memory-model directory) or -bell FILE.bell -cat FILE.cat -macros FILE.def',
    );
  }
  const files = [...(s.bell ? [libfind(s, s.bell, 'bell')] : []), libfind(s, s.cat, 'cat')];
  let prims: DefTable;
  if (s.macros) {
    const def = libfind(s, s.macros, 'macro');
    try {
      prims = readDefTable(readFileSync(def, 'utf8'), def, basename(def));
    } catch (e) {
      if (e instanceof DefError) throw new Herd7Error(e.message);
      throw e;
    }
  } else prims = readDefTable('', 'no -macros file'); // herd7 then knows no macro but atomic_add_unless
  let m;
  try {
    m = loadLkmmFiles(files, {
      searchPath: searchPath(s),
      includeFromDir: false,
      variants: s.variants,
      skipChecks: new Set(s.skipChecks),
      throughChecks: s.through !== 'none',
    });
  } catch (e) {
    if (e instanceof CatSyntaxError || e instanceof CatRuntimeError) throw new Herd7Error(e.message);
    throw e;
  }
  return { name: files.join(' + '), prims, check: (x) => m.check(x) };
}

/** Checks each test and prints herd7's output; returns the exit status. */
export function runHerd7(s: Herd7Settings, tests: string[], io: Io): number {
  let model: LitmusModel;
  try {
    model = loadHerd7Model(s);
  } catch (e) {
    if (e instanceof Herd7Error) {
      io.err(`mmcheck herd7: ${e.message}`);
      return 2;
    }
    throw e;
  }
  let code = 0;
  for (const t of tests) {
    const path = resolve(s.cwd, t);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      io.err(`${t}:1:1: cannot read file: ${(e as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
      code = Math.max(code, 2);
      continue;
    }
    const dot = s.outDir !== null && s.show !== 'none' ? new DotCollector(s.show, s.nshow) : null;
    try {
      const r = runText(t, text, model, s.timeout ? { deadline: performance.now() + s.timeout * 1000 } : {}, dot?.capture);
      io.out(herdOutput(r) + '\n');
      if (dot) writeDot(s, io, basename(t).replace(/\.litmus$/, ''), dot.dot(r.name));
    } catch (e) {
      if (e instanceof GaveUp && e.timedOut) {
        io.err(`${t}: ${e.msg} (-timeout ${s.timeout}): no result`);
        code = 124;
      } else if (e instanceof Refused) {
        // herd7 appends " (User error)"; judgelitmus.sh takes the name between "Unknown macro "
        // and " (User error)".
        const msg = e.unknownMacro ? `Unknown macro ${e.unknownMacro} (User error): not defined in ${model.prims!.source}` : `${e.msg} (User error)`;
        io.err(`${e.path}:${e.line}:${e.col}: ${msg}`);
        if (code !== 124) code = 2;
      } else if (e instanceof CatRuntimeError) {
        io.err(`mmcheck herd7: error in the model, running ${t}: ${e.message}`);
        if (code !== 124) code = 2;
      } else throw e;
    }
  }
  return code;
}

function writeDot(s: Herd7Settings, io: Io, base: string, text: string): void {
  if (s.outDir === '-') {
    io.out(`\nDOTBEGIN ${base}\n${text}\nDOTEND ${base}\n`);
    return;
  }
  const dir = resolve(s.cwd, s.outDir!);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${base}${s.suffix}.dot`), text);
}
