// Public entry points of the cat interpreter.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { CatFile } from './ast.ts';
import { CompiledModel } from './interp.ts';
import { parseCat } from './parser.ts';

export { CatSyntaxError, parseCat, tokenize } from './parser.ts';
export { CatRuntimeError, type Val } from './values.ts';
export { CompiledModel, type CatOutcomeRaw } from './interp.ts';
export type { CatFile } from './ast.ts';

export interface LoadOptions {
  /** Directories searched, in order, for included files (after the including file's own). */
  searchPath?: string[];
  /** herd variants that are on (for `if "name" then ... else ...`). */
  variants?: string[];
  /** Source overrides by file name (for tests): used before the file system. */
  sources?: Record<string, string>;
}

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
      const f = parseCat(opts.sources[name]!, name);
      cache.set('src:' + name, f);
      return f;
    }
    const dirs = [...(from ? [dirname(from)] : []), ...(opts.searchPath ?? [])];
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
      else throw new Error(`cat: cannot find included file "${name}" (searched ${dirs.join(', ')})`);
    }
    const hit = cache.get(path);
    if (hit) return hit;
    const f = parseCat(readFileSync(path, 'utf8'), path);
    cache.set(path, f);
    return f;
  };
  const top = files.map((f) => read(f, null));
  return new CompiledModel(top, (name, from) => read(name, from), new Set(opts.variants ?? []));
}
