#!/usr/bin/env node
// mmcheck's command line. The sources are TypeScript and there is no build step to run by hand:
//
// - The sources are bundled once by esbuild into node_modules/.cache/mmcheck/ and rebundled
//   whenever a source is newer than the bundle. The bundle is split at every dynamic import, so a
//   command loads only what it uses (`check readers` loads neither the kernel catalog nor the
//   LKMM's cat interpreter, nor esbuild), and its source maps sit in .map files beside it, read
//   only when a stack trace must name a source (MMCHECK_DEBUG, or a location in mmcheck's code).
// - A user's own .ts/.js file imports the engine ('mmcheck', 'mmcheck/kernel'): these are bound
//   to the bundle the command runs from (main.cjs's modules, or the ES-module bundle's entries
//   engine.mjs, kernel.mjs and catalog.mjs), so the file runs against the same engine as the
//   command (src/cli/user-file.ts, which also caches the compiled file).
// - The command runs from main.cjs: the same command line bundled into one CommonJS file,
//   compiled through vm.Script with V8's code cache (main.cjs.<mtime>-<size>.v8cache beside it,
//   written by the first run that finds none). Node 20 has no code cache for ES modules, and
//   loading two dozen chunks costs more than one file does: this takes about a quarter off a
//   short command's CPU time (docs/performance.md). A user's file then imports 'mmcheck' from
//   main.cjs (main.ts's ownModules, src/cli/user-file.ts), so the two share one engine. The
//   ES-module bundle serves worker threads, MMCHECK_DEBUG (its stack traces name the sources) and
//   MMCHECK_NO_CODE_CACHE.
// - With MMCHECK_NO_BUNDLE, or if the bundle cannot be built or written, the CLI runs from the
//   sources through tsx instead; it behaves the same, only slower to start (MMCHECK_DEBUG says
//   why it fell back; MMCHECK_BUNDLE_STRICT makes a fallback an error, for the tests).
// - `--version` answers from package.json without loading anything else.
// - This file is CommonJS (bin/package.json): an ES-module entry starts Node's ES-module loader
//   (and the fs/promises, streams and readline modules it reads files with) before the first
//   line runs, 5-7 ms of CPU that a command on a benchmark program or a scenario never needs (a
//   user's file, an ES module, still starts it when it is imported). Node's built-in modules are
//   required, not imported, for the same reason.
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const nodeModule = require('node:module');

// A closed pipe (mmcheck list | head) ends the output, not the process with a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

const root = join(__dirname, '..');
const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`mmcheck ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
  process.exit(0);
}

// Node >= 22.1 keeps V8's compiled code of every module loaded from here on between runs (older
// Nodes have no such switch for ES modules; there it costs nothing).
try { nodeModule.enableCompileCache?.(join(root, 'node_modules', '.cache', 'mmcheck-v8')); } catch { /* best effort */ }
if (process.env.MMCHECK_DEBUG) process.setSourceMapsEnabled(true);

/**
 * The newest modification time of the files a bundle is made of (a directory's time moves when a
 * file in it is deleted or renamed). Every run pays for this walk before anything else, so it
 * stats each name once and joins paths by hand: Dirent objects and path.join, run cold, cost
 * about twice as much (src/'s 290 entries: 3-4 ms CPU instead of 7-8).
 */
function newestSource(path) {
  const st = statSync(path);
  let newest = st.mtimeMs;
  if (!st.isDirectory()) return newest;
  for (const name of readdirSync(path)) {
    const t = newestSource(`${path}/${name}`);
    if (t > newest) newest = t;
  }
  return newest;
}

const outDir = join(root, 'node_modules', '.cache', 'mmcheck');

/**
 * Rebuilds the bundle from the sources as they were at `inputs` (their newest modification time,
 * read before the build): the new main.mjs is dated just after it, not now, so a source changed
 * while the build ran (a `git merge` in a developer's tree) leaves the bundle stale for the next
 * run, and of two concurrent builds the older one, should it write last, does too.
 */
async function rebundle(inputs) {
  const src = join(root, 'src');
  const { build } = await import('esbuild');
  // Each module keeps its own import.meta.url, so files found relative to a module (the LKMM
  // model files, the viewer's sources, test/fixtures/litmus) are found where they are.
  const keepUrl = {
    name: 'keep-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(args.path, 'utf8');
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
  // Entries: the CLI; the module --jobs worker threads start from (it loads several times faster
  // than the CLI's, which a short parallel run feels); what a user's file imports as 'mmcheck',
  // 'mmcheck/kernel' and 'mmcheck/catalog'. Modules they share sit in chunks/ (named by content).
  const r = await build({
    entryPoints: {
      main: join(src, 'cli', 'main.ts'), worker: join(src, 'cli', 'worker.ts'),
      engine: join(src, 'engine', 'index.ts'), kernel: join(src, 'kernel', 'index.ts'), catalog: join(src, 'kernel', 'catalog.ts'),
    },
    outdir: outDir, chunkNames: 'chunks/[name]-[hash]', splitting: true,
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outExtension: { '.js': '.mjs' },
    packages: 'external', sourcemap: 'linked', sourceRoot: `${root}/`, write: false, logLevel: 'silent', plugins: [keepUrl],
    define: { 'import.meta.mmcheckBundle': JSON.stringify(pathToFileURL(outDir).href) },
  });
  // The same command line as one CommonJS file, for the code-cached fast path (see the header).
  // Dynamic imports of our own modules become lazy initialisers inside it: what a command does
  // not use is parsed, never run.
  // A script compiled from V8's code cache has no dynamic import() of its own (Node 20): the
  // imports of what is not bundled (esbuild, the user's compiled file, node: modules) go through
  // a function bin/mmcheck.js defines (a file Node loaded itself can import()).
  const importHere = {
    name: 'import-through-bin',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const text = (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        return { contents: text.replace(/(?<![\w$.])import\((?!\s*['"`]\.|\$\{)/g, "globalThis[Symbol.for('mmcheck.import')]("), loader: 'ts' };
      });
    },
  };
  const cjs = await build({
    entryPoints: { main: join(src, 'cli', 'main.ts') }, outdir: outDir, outExtension: { '.js': '.cjs' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    packages: 'external', sourcemap: 'linked', sourceRoot: `${root}/`, write: false, logLevel: 'silent', plugins: [importHere],
    define: { 'import.meta.mmcheckBundle': JSON.stringify(pathToFileURL(outDir).href) },
  });
  mkdirSync(join(outDir, 'chunks'), { recursive: true });
  // Chunks and maps first, then the entries, main.mjs last: a fresh main.mjs (what the check
  // below looks at) means everything it imports is there. Every file is written atomically, so
  // concurrent runs never see half of one; a chunk's name is its content's hash, so rewriting
  // one a concurrent run is reading changes nothing.
  const rank = (p) => (p.endsWith('.map') ? 0 : p.includes(`${join(outDir, 'chunks')}`) ? 1 : p.endsWith(`${join(outDir, 'main.mjs')}`) ? 3 : 2);
  // main.cjs is read as latin1 (loadCached): it must be pure ASCII. esbuild escapes non-ASCII
  // characters in strings, templates and regular expressions, not in the comments it keeps;
  // escaping those too changes no code, only columns after such a comment on its line.
  const ascii = (f) => (f.path.endsWith('.cjs') ? { path: f.path, contents: Buffer.from(f.text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), 'latin1') } : f);
  const files = [...cjs.outputFiles.map(ascii), ...r.outputFiles].sort((a, b) => rank(a.path) - rank(b.path));
  // V8's code cache of an older main.cjs: V8 checks only the source's length, so it goes first.
  for (const name of readdirSync(outDir)) if (name.endsWith('.v8cache')) rmSync(join(outDir, name), { force: true });
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  const stamp = (Math.ceil(inputs) + 1) / 1000;
  try { utimesSync(join(outDir, 'main.mjs'), stamp, stamp); } catch { /* dated now: only a late edit goes unseen */ }
  // Chunks of older bundles: removed once no run started from them can still be loading them. A
  // run imports chunks lazily, long after it started, so what counts is when a chunk stopped
  // being part of the newest bundle, not how old its file is: each build notes, per chunk no
  // longer used, when it saw it unused (superseded.json), and removes those unused for an hour.
  const keep = new Set(files.map((f) => f.path));
  const notes = join(outDir, 'chunks', 'superseded.json');
  let since = {};
  try { since = JSON.parse(readFileSync(notes, 'utf8')); } catch { /* none yet */ }
  const now = Date.now();
  const next = {};
  for (const name of readdirSync(join(outDir, 'chunks'))) {
    const p = join(outDir, 'chunks', name);
    if (keep.has(p) || p === notes || name.endsWith('.tmp')) continue;
    const t = typeof since[name] === 'number' ? since[name] : now;
    if (t < now - 3600_000) {
      try { rmSync(p, { force: true }); } catch { /* a concurrent run removed it */ }
    } else next[name] = t;
  }
  try {
    const tmp = `${notes}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next));
    renameSync(tmp, notes);
  } catch { /* best effort: a chunk is then kept longer */ }
}

/** Runs main.cjs with V8's code cache (see the header); returns its exports and a function that saves the cache. */
async function loadCached(file) {
  const { Script } = require('node:vm');
  const st = statSync(file);
  const cacheFile = `${file}.${Math.floor(st.mtimeMs)}-${st.size}.v8cache`;
  let cached;
  try { cached = readFileSync(cacheFile); } catch { /* first run: none yet */ }
  // latin1, not utf8: main.cjs is ASCII (rebundle), and decoding its megabyte as UTF-8 took
  // 3-10 ms of a short run where latin1 takes about 1.5 (docs/performance.md).
  const script = new Script(nodeModule.wrap(readFileSync(file, 'latin1')), {
    filename: file, cachedData: cached,
  });
  globalThis[Symbol.for('mmcheck.import')] = (specifier) => import(specifier);
  const m = { exports: {} };
  script.runInThisContext().call(m.exports, m.exports, nodeModule.createRequire(file), m, file, dirname(file));
  // A user's file imports 'mmcheck' from this bundle, not from the ES-module one (src/cli/user-file.ts).
  globalThis[Symbol.for('mmcheck.ownModules')] = m.exports.ownModules;
  // Written after the command ran, so that it holds the functions the command compiled too.
  const save = () => {
    if (cached && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch { /* best effort: the next run compiles again */ }
  };
  return { mod: m.exports, save };
}

async function bundled() {
  if (process.env.MMCHECK_NO_BUNDLE) return null;
  try {
    const out = join(outDir, 'main.mjs');
    const inputs = Math.max(newestSource(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs, statSync(__filename).mtimeMs);
    const stale = !existsSync(out) || statSync(out).mtimeMs < inputs;
    if (stale) await rebundle(inputs);
    // Worker threads (--jobs) start from the worker bundle: src/cli/parallel.ts reads where it is here.
    globalThis[Symbol.for('mmcheck.workerBundle')] = pathToFileURL(join(outDir, 'worker.mjs')).href;
    startWorkersNow();
    const cjs = join(outDir, 'main.cjs');
    // MMCHECK_DEBUG's stack traces name the sources through the ES modules' source maps.
    if (!process.env.MMCHECK_NO_CODE_CACHE && !process.env.MMCHECK_DEBUG && existsSync(cjs)) {
      try {
        return await loadCached(cjs);
      } catch (e) { fellBack('the code-cached main.cjs', 'the ES-module bundle', e); }
    }
    return { mod: await import(pathToFileURL(out).href) };
  } catch (e) {
    fellBack('the bundle', 'the sources through tsx', e);
    return null;
  }
}

/**
 * `check … --jobs N` (N > 1; not with --random or --shard, as src/cli/parallel.ts's
 * startWorkersEarly decides): starts the N-1 worker threads now, so that they load their bundle
 * beside this thread's loading of the command, about 0.05 s sooner than the command could start
 * them. The command's pool adopts them (src/cli/parallel.ts workerPool). They are started, and
 * the free core looked for, by src/engine/parallel/threads.cjs, as the pool and the search do:
 * not when no core is free, for loading a worker would then take CPU from this thread.
 */
function startWorkersNow() {
  if (argv[0] !== 'check') return;
  let jobs = 0;
  for (let i = 1; i < argv.length; i++) {
    const [name, value] = argv[i].split('=', 2);
    if (name === '--jobs') jobs = Number(value ?? argv[++i]);
    else if (name === '--random' || name === '--shard' || name === '--') return;
  }
  if (!(jobs >= 2) || jobs > 256) return; // more: refused by the command (src/cli/options.ts MAX_JOBS)
  const dir = join(root, 'src', 'engine', 'parallel');
  const { spareCore, startWorker } = require(join(dir, 'threads.cjs'));
  if (!spareCore(require('node:fs'), require('node:os'))) return;
  const threads = require('node:worker_threads');
  const slots = [];
  for (let k = 1; k < jobs; k++) {
    slots.push(startWorker(threads, join(dir, 'worker-entry.mjs'), { entry: globalThis[Symbol.for('mmcheck.workerBundle')], tsx: false, loader: 'loadWorkerProgram' }));
  }
  globalThis[Symbol.for('mmcheck.earlyWorkers')] = slots;
}

/**
 * A fallback keeps mmcheck running (a read-only install cannot write its bundle), but it also
 * hides a build that broke: runs only get slower. MMCHECK_DEBUG says why it fell back, and
 * MMCHECK_BUNDLE_STRICT (set by test/cli/startup.test.ts) makes it an internal error instead.
 */
function fellBack(what, instead, e) {
  const why = `${what} failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  if (process.env.MMCHECK_BUNDLE_STRICT) {
    process.stderr.write(`[mmcheck internal error] ${why}\n`);
    process.exit(3);
  }
  if (process.env.MMCHECK_DEBUG) process.stderr.write(`mmcheck: ${why}; running from ${instead}\n`);
}

(async () => {
  let loaded = await bundled();
  if (!loaded) {
    process.setSourceMapsEnabled(true);
    const { register } = await import('tsx/esm/api');
    register();
    loaded = { mod: await import('../src/cli/main.ts') };
  }
  const code = await loaded.mod.main(argv);
  loaded.save?.();
  // Exit as soon as the output is out. Left to itself, Node would first wait, with nothing left to
  // run, for V8's background threads to finish the optimizing compiles they have queued, whose code
  // nothing will run (strace of refcount(2): the main thread blocked on them for 50-90 ms of wall
  // time after its last write; docs/performance.md). Every command has finished its work when main()
  // returns (`view` returns when its server has closed). Output still queued (an asynchronous pipe,
  // as on macOS) is flushed first.
  process.exitCode = code;
  const queued = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (queued.length === 0) process.exit(code);
  else Promise.all(queued.map((s) => new Promise((done) => s.write('', done)))).then(() => process.exit(code));
})();
