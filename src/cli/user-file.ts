// Loading a user's scenario or program file, wherever it lives, and pointing at it when it is
// wrong. The file is bundled by esbuild with its own relative imports (TypeScript or not, with or
// without extensions, whatever the nearest package.json says: CommonJS, module or none) into a
// temporary ES module beside it, with an inline source map, so stack traces and error locations
// name the user's file:line:col. `mmcheck` and `mmcheck/…` imports are bound to the mmcheck that
// is running (through its package.json "exports": the bundle's entries when the CLI runs from its
// bundle, the sources otherwise), so a file anywhere runs against one engine, even where no
// node_modules/mmcheck can be found from it; other packages resolve from the file.
// The compiled module is cached (node_modules/.cache/mmcheck-user/), keyed by the file's path
// and checked against the content of every file it was compiled from and of the package.json /
// tsconfig.json files that could change how they compile: a second run loads no esbuild at all.
// A run that finds its file in the cache loads neither node:crypto nor node:worker_threads (the
// entry holds the contents themselves, not their hashes; docs/performance.md). From main.cjs, a
// file that imports nothing but mmcheck runs as CommonJS instead, with no temporary file and
// without Node's ES-module loader (runCommonJs), and its frames are mapped from its inline map
// only when an error is reported.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { compileFunction } from 'node:vm';
import type { BuildOptions, BuildResult, PluginBuild } from 'esbuild';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** mmcheck's own directory (the package root): its sources are never "the user's file". */
export const OWN_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const OWN_CODE = [join(OWN_ROOT, 'src') + sep, join(OWN_ROOT, 'bin') + sep];

/**
 * The directory of the bundle this module is part of (bin/mmcheck.js defines it when it bundles
 * the sources), or undefined when it runs from the sources.
 */
const BUNDLE = (import.meta as ImportMeta & { mmcheckBundle?: string }).mmcheckBundle;
const BUNDLE_DIR = BUNDLE ? fileURLToPath(BUNDLE) : undefined;
/** The bundle's entry for each of the package's exports (bin/mmcheck.js names them so). */
const BUNDLE_ENTRY: Record<string, string> = { '.': 'engine.mjs', './kernel': 'kernel.mjs', './catalog': 'catalog.mjs' };

/** The temporary module's name marks it, so a message naming it can be turned back into the user's file. */
const TMP = /\.([^/\\\s]+?)\.\d+(?:-\d+)?\.mmcheck\.mjs/;

/**
 * When the command runs from main.cjs (bin/mmcheck.js's code-cached path), the package's exports
 * are modules of that one CommonJS bundle, handed over in this global (main.ts's ownModules): a
 * compiled file names them by a placeholder, replaced as the file is imported by a small module
 * (a data: URL) that re-exports the bundle's namespace, so the file shares the command's engine.
 */
type OwnModules = Record<string, () => Promise<Record<string, unknown>>>;
const OWN_MODULES = Symbol.for('mmcheck.ownModules');
const OWN_NAMESPACES = Symbol.for('mmcheck.ownNamespaces');
const ownModules = (): OwnModules | undefined => (globalThis as Record<symbol, unknown>)[OWN_MODULES] as OwnModules | undefined;
const placeholder = (k: string): string => `mmcheck-own:${k}`;
/** Re-exporting module's URL → the specifier it stands for (for messages). */
const shims = new Map<string, string>();

/** The running package's "exports": specifier ('mmcheck', 'mmcheck/kernel', …) → file URL (or placeholder, see above). */
function ownExports(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(OWN_ROOT, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
  const own = ownModules();
  return new Map(Object.entries(pkg.exports ?? {}).map(([k, v]) => {
    if (own?.[k]) return [`mmcheck${k.slice(1)}`, placeholder(k)];
    const entry = BUNDLE_DIR && BUNDLE_ENTRY[k];
    return [`mmcheck${k.slice(1)}`, entry ? pathToFileURL(join(BUNDLE_DIR, entry)).href : pathToFileURL(join(OWN_ROOT, v)).href];
  }));
}

/** The compiled file with each placeholder it imports replaced by a module re-exporting the bundle's namespace. */
async function linkOwn(code: string): Promise<string> {
  const own = ownModules();
  if (!own) return code;
  const store = ((globalThis as Record<symbol, unknown>)[OWN_NAMESPACES] ??= {}) as Record<string, Record<string, unknown>>;
  for (const k of Object.keys(own)) {
    const quoted = JSON.stringify(placeholder(k));
    if (!code.includes(quoted)) continue;
    const ns = (store[k] ??= await own[k]());
    const names = Object.keys(ns).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
    const text = `const ns = globalThis[Symbol.for('mmcheck.ownNamespaces')][${JSON.stringify(k)}];\n`
      + `export const { ${names.join(', ')} } = ns;\n${'default' in ns ? 'export default ns.default;\n' : ''}`;
    const url = `data:text/javascript;base64,${Buffer.from(text).toString('base64')}`;
    shims.set(url, `mmcheck${k.slice(1)}`);
    code = code.replaceAll(quoted, JSON.stringify(url));
  }
  return code;
}

/**
 * Names this thread's temporary files apart from other runs' and other threads' (--jobs worker
 * threads of one process load the same file at once): the process id and a random number, which
 * differs per thread without loading node:worker_threads for its threadId.
 */
const RUN_TAG = `${process.pid}-${Math.floor(Math.random() * 1e9)}`;

/** Files the user named, by absolute path, as the user spelt them (for messages). */
const named = new Map<string, string>();

/** Imports the user's file as an ES module (see the header); its exports, as a namespace. */
export async function importUserFile(file: string): Promise<Record<string, unknown>> {
  const abs = resolve(file);
  named.set(abs, file);
  const exportsMap = ownExports();
  // The user's module maps its frames to the user's file:line:col. From main.cjs (the code-cached
  // fast path), userLocation maps them from the module's inline map when an error is reported:
  // Node's source maps, on, would scan the module and its map as it loads (2-4 ms of a short
  // run). Elsewhere (worker threads, whose stacks reach the main thread as text; MMCHECK_DEBUG's
  // stack traces) Node's are turned on, only now: mmcheck's own bundle, loaded before, keeps its
  // maps on disk until a location inside it is asked for.
  const mapLater = ownModules() !== undefined;
  if (!mapLater) process.setSourceMapsEnabled(true);
  if (mapLater) {
    const ns = await runCommonJs(abs, exportsMap);
    if (ns) return ns;
  }
  // Beside the file, so its own packages resolve from where it is; else in the temporary directory.
  for (const dir of [dirname(abs), tmpdir()]) {
    const tmp = join(dir, `.${basename(abs)}.${RUN_TAG}.mmcheck.mjs`);
    const code = await linkOwn((await compiled(abs, dir, exportsMap)).code);
    try {
      writeFileSync(tmp, code);
    } catch {
      continue;
    }
    if (mapLater) imported.set(tmp, code);
    try {
      return (await import(pathToFileURL(tmp).href)) as Record<string, unknown>;
    } finally {
      // unlinkSync, not rmSync: rmSync loads and runs Node's rimraf for one file.
      try { unlinkSync(tmp); } catch { /* already gone */ }
    }
  }
  throw new Error(`cannot write a temporary module beside ${file} or in ${tmpdir()}`);
}

/**
 * From main.cjs, a file whose only imports are mmcheck's (the usual scenario or program file) runs
 * as CommonJS: esbuild's CommonJS compilation of it, compiled with vm.compileFunction, its
 * `require` handing it main.cjs's own modules. Importing an ES module starts Node's ES-module
 * loader (with the fs/promises, streams and readline modules it reads files with) and needs the
 * temporary file: about 4-5 ms of a short run's CPU. The ES module's imports are checked first, as
 * Node would link them: a name mmcheck does not export, or any other import, and the file is
 * imported as an ES module after all, where Node reports it. Undefined when it cannot run so.
 */
async function runCommonJs(abs: string, exportsMap: Map<string, string>): Promise<Record<string, unknown> | undefined> {
  const dir = dirname(abs);
  const { code, cjs } = await compiled(abs, dir, exportsMap);
  if (!cjs) return undefined;
  const own = ownModules()!;
  const store = ((globalThis as Record<symbol, unknown>)[OWN_NAMESPACES] ??= {}) as Record<string, Record<string, unknown>>;
  for (const m of code.matchAll(/^(?:import|export)\b[^;]*?(?:\bfrom\s*)?"([^"]*)";?$/gm)) {
    const k = m[1].startsWith('mmcheck-own:') ? m[1].slice('mmcheck-own:'.length) : undefined;
    if (k === undefined || !own[k]) return undefined;
    const ns = (store[k] ??= await own[k]());
    // Named imports only: esbuild's CommonJS form of `import * as` (or of a default import)
    // wraps the namespace with a `default` of its own, which the ES module's has not.
    const names = /^import\s*\{([^}]*)\}\s*from\s*"[^"]*";?$/.exec(m[0]);
    if (!names) return undefined;
    const exported = new Set(Object.keys(ns).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n)));
    if ('default' in ns) exported.add('default');
    for (const spec of names[1].split(',')) {
      const name = spec.trim().split(/\s+as\s+/)[0];
      if (name && !exported.has(name)) return undefined;
    }
  }
  // Named as the temporary module would be: messages and stack frames name the user's file (userMessage, userLocation).
  const pseudo = join(dir, `.${basename(abs)}.${RUN_TAG}.mmcheck.mjs`);
  imported.set(pseudo, cjs);
  const require = (spec: string): unknown => {
    const k = spec.startsWith('mmcheck-own:') ? spec.slice('mmcheck-own:'.length) : undefined;
    if (k !== undefined && store[k]) return store[k];
    throw new Error(`Cannot find module '${spec}'`);
  };
  const module = { exports: {} as Record<string, unknown> };
  // Strict, as an ES module is (esbuild does not add the directive); on line 1, so no line moves.
  const fn = compileFunction(`"use strict";${cjs}`, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: pseudo });
  fn.call(undefined, module.exports, require, module, pseudo, dir);
  return module.exports;
}

const CACHE_DIR = join(OWN_ROOT, 'node_modules', '.cache', 'mmcheck-user');
const CACHE_KEEP = 200;
/** Files beside a source that change how esbuild compiles it (module kind, TypeScript settings). */
const CONFIGS = ['package.json', 'tsconfig.json', 'jsconfig.json'];

interface CacheEntry {
  /** What the entry was compiled for, and by which esbuild (its file name is a hash of the first). */
  key: string;
  /** Absolute path → the file's content, bytes as latin1 (null: the file did not exist). */
  files: Record<string, string | null>;
  code: string;
  /** The same as CommonJS, when it can run so (runCommonJs), else null. */
  cjs: string | null;
}

function content(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/** Two 32-bit FNV-1a-style hashes of s, in hex: names a cache entry (a collision only costs a recompilation). */
function hash64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The files whose content a compilation depends on: its inputs, and the configs of every directory above them. */
function dependencies(inputs: string[]): string[] {
  const dirs = new Set<string>();
  for (const f of inputs) {
    for (let d = dirname(f); !dirs.has(d); d = dirname(d)) {
      dirs.add(d);
      if (dirname(d) === d) break;
    }
  }
  return [...inputs, ...[...dirs].flatMap((d) => CONFIGS.map((c) => join(d, c)))];
}

/** The user's file compiled to an ES module meant to sit in `dir`: from the cache when nothing it came from changed. */
async function compiled(abs: string, dir: string, exportsMap: Map<string, string>): Promise<{ code: string; cjs: string | null }> {
  const esbuildVersion = (() => {
    // Where npm puts it beside mmcheck first: resolving it through require (a hoisted install)
    // costs about 1.5 ms of a short run.
    for (const at of [() => join(OWN_ROOT, 'node_modules', 'esbuild', 'package.json'), () => createRequire(join(OWN_ROOT, 'package.json')).resolve('esbuild/package.json')]) {
      try {
        return (JSON.parse(readFileSync(at(), 'utf8')) as { version?: string }).version ?? '';
      } catch { /* not there: the next way, or none */ }
    }
    return '';
  })();
  const what = JSON.stringify([abs, dir, [...exportsMap]]);
  const key = JSON.stringify([what, esbuildVersion, 'cjs']);
  const at = join(CACHE_DIR, `${hash64(what)}.json`);
  try {
    const hit = JSON.parse(readFileSync(at, 'utf8')) as CacheEntry;
    if (hit.key === key && Object.entries(hit.files).every(([f, c]) => content(f) === c)) {
      const now = new Date();
      utimesSync(at, now, now); // recently used: the last to go when the cache is trimmed
      return { code: hit.code, cjs: hit.cjs ?? null };
    }
  } catch { /* no entry, or a damaged one: compile */ }
  const { code, cjs, inputs } = await compile(abs, dir, exportsMap);
  try {
    const files: CacheEntry['files'] = {};
    for (const f of dependencies(inputs)) files[f] = content(f);
    mkdirSync(CACHE_DIR, { recursive: true });
    trimCache();
    const tmp = `${at}.${RUN_TAG}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, files, code, cjs } satisfies CacheEntry));
    renameSync(tmp, at); // atomic: a concurrent run reads the old entry or the new one
  } catch { /* a read-only installation: no cache */ }
  return { code, cjs };
}

/** Keeps the cache to its CACHE_KEEP most recently used entries (temporary files, e.g. tests', leave entries behind). */
function trimCache(): void {
  const names = readdirSync(CACHE_DIR).filter((n) => n.endsWith('.json'));
  if (names.length <= CACHE_KEEP) return;
  const byAge = names.map((n) => {
    try {
      return { n, t: statSync(join(CACHE_DIR, n)).mtimeMs };
    } catch {
      return { n, t: 0 };
    }
  }).sort((a, b) => a.t - b.t);
  for (const { n } of byAge.slice(0, names.length - CACHE_KEEP / 2)) rmSync(join(CACHE_DIR, n), { force: true });
}

/** esbuild's compilation of the user's file (and the files it imports, but no package) into one module for `dir`. */
async function compile(abs: string, dir: string, exportsMap: Map<string, string>): Promise<{ code: string; cjs: string | null; inputs: string[] }> {
  const { build } = await import('esbuild');
  const options = (format: 'esm' | 'cjs'): BuildOptions & { write: false; metafile: true } => ({
    entryPoints: [abs], outfile: join(dir, `.mmcheck.${format === 'esm' ? 'mjs' : 'cjs'}`), bundle: true, write: false, format, platform: 'node', target: 'node20',
    sourcemap: 'inline', packages: 'external', logLevel: 'silent', absWorkingDir: dirname(abs), metafile: true,
    plugins: [{
      name: 'mmcheck-self',
      setup(b: PluginBuild) {
        b.onResolve({ filter: /^mmcheck(\/.*)?$/ }, (args) => {
          const url = exportsMap.get(args.path);
          if (url) return { path: url, external: true };
          const known = [...exportsMap.keys()].filter((k) => !k.endsWith('.json')).map((k) => `'${k}'`).join(', ');
          return { errors: [{ text: `mmcheck has no export '${args.path}' (it has ${known}; see docs/api.md)` }] };
        });
      },
    }],
  });
  const r = await build(options('esm'));
  const inputs = Object.keys(r.metafile!.inputs).map((p) => resolve(dirname(abs), p));
  const code = r.outputFiles![0].text;
  return { code, cjs: await compileCommonJs(code, () => build(options('cjs'))), inputs };
}

/**
 * The CommonJS compilation runCommonJs runs, for a file that can run so: from main.cjs (its
 * imports of mmcheck are placeholders), with no other import, no dynamic import(), no
 * import.meta and no require of its own; what esbuild compiles without a warning. Else null.
 */
async function compileCommonJs(esm: string, build: () => Promise<BuildResult<{ write: false }>>): Promise<string | null> {
  if (ownModules() === undefined || /\bimport\s*\(|\bimport\.meta\b|\b__require\b/.test(esm)) return null;
  try {
    const r = await build();
    if (r.warnings.length || r.errors.length) return null;
    const cjs = r.outputFiles![0].text;
    for (const m of cjs.matchAll(/\brequire\s*\(\s*(?:"([^"]*)")?/g)) if (!m[1]?.startsWith('mmcheck-own:')) return null;
    return cjs;
  } catch {
    return null;
  }
}

/** A message as the user should read it: the temporary module's name put back as the user's file, mmcheck's modules by their specifiers. */
export function userMessage(message: string): string {
  let m = message.replace(new RegExp(TMP.source, 'g'), '$1');
  for (const [spec, url] of ownExports()) m = m.replaceAll(url, spec);
  for (const [url, spec] of shims) m = m.replaceAll(url, spec);
  return m;
}

function isOwn(path: string): boolean {
  return OWN_CODE.some((p) => path.startsWith(p));
}

/** 1-based line and column of the offset `at(text)` finds in the file, or undefined. */
function positionIn(file: string, at: (text: string) => number | undefined): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const i = at(text);
  if (i === undefined) return undefined;
  const before = text.slice(0, i).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** 1-based line and column of the first import of `name` in the file, for a link error ("does not provide an export named"). */
function importedName(file: string, name: string): string | undefined {
  const re = new RegExp(`import\\s*(type\\s+)?\\{[^}]*\\b(${name.replace(/[$]/g, '\\$')})\\b`, 'g');
  return positionIn(file, (text) => {
    const m = re.exec(text);
    return m ? m.index + m[0].length - m[2].length : undefined;
  });
}

/** 1-based line and column of the module specifier `spec` in the file's first import of it ("Cannot find package"). */
function importedFrom(file: string, spec: string): string | undefined {
  return positionIn(file, (text) => [`'${spec}'`, `"${spec}"`].map((q) => text.indexOf(q)).filter((i) => i >= 0).sort((a, b) => a - b)[0]);
}

const bundleMaps = new Map<string, SourceMap | null>();

/** Temporary module → its code, for the modules imported without Node's source maps (importUserFile). */
const imported = new Map<string, string>();
const importedMaps = new Map<string, SourceMap | null>();

/** A stack frame inside a user's module imported without Node's source maps, as the place in the user's file it came from. */
function fromImported(path: string, line: number, col: number): { path: string; at: string } | undefined {
  const code = imported.get(path);
  if (code === undefined) return undefined;
  return mappedFrame(importedMaps, path, line, col, () => {
    const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
    return inline ? new SourceMap(JSON.parse(Buffer.from(inline[1], 'base64').toString('utf8'))) : null;
  });
}

/** A stack frame inside mmcheck's bundle, as the place in the sources it came from (the bundle's source maps are read only here). */
function fromBundle(path: string, line: number, col: number): { path: string; at: string } | undefined {
  if (!BUNDLE_DIR || !path.startsWith(BUNDLE_DIR + sep)) return undefined;
  return mappedFrame(bundleMaps, path, line, col, () => new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))));
}

/** The source place of line:col of the generated file `path`, through its map (read once by `read`, kept in `maps`; null if it cannot be read). */
function mappedFrame(maps: Map<string, SourceMap | null>, path: string, line: number, col: number, read: () => SourceMap | null): { path: string; at: string } | undefined {
  let map = maps.get(path);
  if (map === undefined) {
    try {
      map = read();
    } catch {
      map = null;
    }
    maps.set(path, map);
  }
  const e = map?.findEntry(line - 1, col - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (!e?.originalSource) return undefined;
  const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(dirname(path), e.originalSource);
  return { path: src, at: `${(e.originalLine ?? 0) + 1}:${(e.originalColumn ?? 0) + 1}` };
}

/**
 * The location `file:line:col` of an error thrown while loading or running the user's file:
 * esbuild's location for a file that does not parse; else the first stack frame in the named
 * file, then in any file that is not mmcheck's own (nor a package's, nor node's); mmcheck's own
 * kernel code last (a catalog scenario). `file` is printed as the user spelt it.
 */
export function userLocation(e: unknown, file?: string): string | undefined {
  const err = e as { message?: string; stack?: string; errors?: { location?: { file: string; line: number; column: number } | null }[] };
  const abs = file ? resolve(file) : undefined;
  const show = (p: string): string => named.get(p) ?? p;
  const loc = err?.errors?.[0]?.location;
  if (loc) return `${show(resolve(abs ? dirname(abs) : '.', loc.file))}:${loc.line}:${loc.column + 1}`;
  const missing = /does not provide an export named '([^']+)'/.exec(err?.message ?? '');
  if (missing && abs) {
    const at = importedName(abs, missing[1]);
    if (at) return `${file}:${at}`;
  }
  const unfound = /Cannot find (?:package|module) '([^']+)'/.exec(err?.message ?? '');
  if (unfound && abs) {
    const at = importedFrom(abs, unfound[1]);
    if (at) return `${file}:${at}`;
  }
  const frames: { path: string; at: string }[] = [];
  for (const l of (err?.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/.exec(l.trim());
    if (!m || m[1].startsWith('node:')) continue;
    const path = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    frames.push(fromImported(path, Number(m[2]), Number(m[3])) ?? fromBundle(path, Number(m[2]), Number(m[3])) ?? { path, at: `${m[2]}:${m[3]}` });
  }
  const pick = (pred: (p: string) => boolean): string | undefined => {
    const f = frames.find((x) => pred(x.path));
    return f ? `${show(f.path)}:${f.at}` : undefined;
  };
  return (abs ? pick((p) => p === abs) : undefined)
    ?? pick((p) => !isOwn(p) && !p.split(sep).includes('node_modules') && !TMP.test(p))
    ?? pick((p) => isOwn(p) && !relative(OWN_ROOT, p).startsWith(join('src', 'engine')) && !relative(OWN_ROOT, p).startsWith(join('src', 'cli')));
}
