// What keeps a short command short (docs/performance.md, "Start-up"): a command loads only the
// bundle chunks it uses, a benchmark program resolves without the kernel catalog, and a user's
// file compiled once is taken from the cache until a file it was compiled from changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { catalog } from '../../src/kernel/catalog.ts';
import { programs } from '../../src/programs/index.ts';

const bin = resolve('bin/mmcheck.js');
const bundle = resolve('node_modules/.cache/mmcheck');

function mm(...args: string[]): { code: number; out: string; err: string } {
  return mmEnv({}, ...args);
}

function mmEnv(env: Record<string, string>, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('no scenario of the catalog has a benchmark program\'s name (check resolves programs before loading the catalog)', () => {
  const scenarios = new Set(catalog.map((s) => s.name));
  assert.deepEqual(programs.map((p) => p.name).filter((n) => scenarios.has(n)), []);
});

/** The sources (esbuild's `// src/…` markers) of every bundle file `entry` loads before any dynamic import. */
function staticSources(entry: string): Set<string> {
  const seen = new Set<string>();
  const sources = new Set<string>();
  const walk = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^\/\/ (src\/\S+)$/gm)) sources.add(m[1]);
    for (const m of text.matchAll(/^import\s[^;]*?from\s*"(\.[^"]+)"|^import\s*"(\.[^"]+)"/gms)) walk(resolve(dirname(f), m[1] ?? m[2]));
  };
  walk(entry);
  return sources;
}

test('the bundle is split by command: check loads neither the kernel catalog, nor the litmus front end, nor the viewer, nor esbuild', () => {
  assert.equal(mm('check', 'readers', '--param', 'N=2').code, 0); // (re)builds the bundle if a source changed
  const main = staticSources(join(bundle, 'main.mjs'));
  assert.deepEqual([...main].filter((s) => !s.startsWith('src/cli/')), [], 'main.mjs loads only the command line itself');
  // The chunk main.mjs imports: chunks/ also keeps superseded ones for a while (runs started before a rebuild).
  const chunk = /chunks\/(check-[A-Za-z0-9_-]+\.mjs)/.exec(readFileSync(join(bundle, 'main.mjs'), 'utf8'))?.[1];
  assert.ok(chunk && readdirSync(join(bundle, 'chunks')).includes(chunk), 'the check command is a chunk of its own');
  const check = [...staticSources(join(bundle, 'chunks', chunk))];
  assert.ok(check.includes('src/engine/explore.ts') && check.includes('src/programs/index.ts'), check.join(' '));
  for (const s of check) assert.doesNotMatch(s, /^src\/(kernel\/(catalog|scenarios|bugs)|litmus|viewer)\//, `check loads ${s} before it needs it`);
  for (const f of [join(bundle, 'main.mjs'), join(bundle, 'chunks', chunk)]) assert.doesNotMatch(readFileSync(f, 'utf8'), /from "esbuild"/);
});

test('the bundle builds, and a command runs from its code-cached CommonJS file (a broken build would only make runs slower: MMCHECK_BUNDLE_STRICT makes the fallback an error)', () => {
  const r = mmEnv({ MMCHECK_BUNDLE_STRICT: '1' }, 'check', 'readers', '--param', 'N=2');
  assert.equal(r.code, 0, r.err);
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-strict-'));
  const file = join(dir, 'one.ts');
  writeFileSync(file, `import { defineProgram, Mode } from 'mmcheck';
export default defineProgram({ name: 'one', setup(b) { const x = b.loc('x', 0); b.thread('t', function* (t) { yield t.store(x, 1, Mode.Relaxed); }); } });
`);
  const u = mmEnv({ MMCHECK_BUNDLE_STRICT: '1' }, 'check', file);
  assert.equal(u.code, 0, u.err);
});

/** The newest modification time of the files under dir. */
function newest(dir: string): number {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

test('the bundle is dated by the sources it was built from, so a source changed during a build leaves it stale', () => {
  assert.equal(mm('check', 'readers', '--param', 'N=2').code, 0); // (re)builds the bundle if a source changed
  const inputs = Math.max(newest(resolve('src')), statSync(resolve('package.json')).mtimeMs, statSync(bin).mtimeMs);
  const built = statSync(join(bundle, 'main.mjs')).mtimeMs;
  // Dated just after the newest input (bin/mmcheck.js's rebundle), not when it was written: an
  // edit made while esbuild read the sources is newer than the bundle, and the next run rebuilds.
  assert.ok(built >= inputs && built <= inputs + 5, `main.mjs ${built}, newest input ${inputs}`);
});

test('a user\'s compiled file is reused only while the files it was compiled from are unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-startup-'));
  const helper = join(dir, 'value.ts');
  writeFileSync(helper, 'export const VALUE = 1;\n');
  const prog = join(dir, 'prog.ts');
  writeFileSync(prog, `import { defineProgram } from 'mmcheck';
import { VALUE } from './value.ts';
export default defineProgram({ name: 'cached', setup(b) {
  const x = b.loc('x');
  b.thread('a', function* (t) { yield t.store(x, VALUE); });
  b.thread('b', function* (t) { const v = yield t.load(x); yield t.assert(v !== 2, 'saw 2'); });
} });
`);
  const first = mm('check', prog);
  assert.equal(first.code, 0, first.out + first.err);
  // The file imports 'mmcheck' from main.cjs here, from the ES-module bundle's engine.mjs there.
  const esm = mmEnv({ MMCHECK_NO_CODE_CACHE: '1' }, 'check', prog);
  assert.equal(esm.out.replace(/; [\d.]+ s\./g, ''), first.out.replace(/; [\d.]+ s\./g, ''));
  assert.equal(mm('check', prog).code, 0, 'the cached compilation gives the same verdict');
  writeFileSync(helper, 'export const VALUE = 2;\n'); // an imported file changes, the named file does not
  const changed = mm('check', prog);
  assert.equal(changed.code, 1, changed.out + changed.err);
  assert.match(changed.out, /VIOLATION: saw 2/);
});

test('a run on one thread of a cached user file loads neither node:crypto nor node:worker_threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-startup-'));
  const prog = join(dir, 'prog.ts');
  writeFileSync(prog, `import { defineProgram } from 'mmcheck';
export default defineProgram({ name: 'builtins', setup(b) {
  const x = b.loc('x');
  b.thread('a', function* (t) { yield t.store(x, 1); });
  b.thread('b', function* (t) { yield t.load(x); });
} });
`);
  // A preload that lists, at exit, the Node modules loaded after it (process.moduleLoadList).
  const list = join(dir, 'loaded.txt');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(preload, `const base = new Set(process.moduleLoadList);
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.filter((m) => !base.has(m)).join('\\n')));
`);
  const run = (...args: string[]): string[] => {
    const r = spawnSync(process.execPath, ['--require', preload, bin, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return readFileSync(list, 'utf8').split('\n');
  };
  run('check', prog, '--jobs', '1'); // compiles the file (esbuild loads both) and caches it
  for (const args of [[prog, '--jobs', '1'], ['readers', '--param', 'N=3', '--jobs', '1']]) {
    const loaded = run('check', ...args);
    assert.ok(loaded.includes('NativeModule v8'), 'the preload saw the run (memory.ts reads the heap limit)');
    assert.deepEqual(loaded.filter((m) => /^NativeModule (crypto|worker_threads)$/.test(m)), [], `check ${args.join(' ')}`);
  }
});

test('a command runs from main.cjs with V8\'s code cache, and prints what the ES-module bundle prints', () => {
  const cache = (): string[] => readdirSync(bundle).filter((f) => /^main\.cjs\..*\.v8cache$/.test(f));
  const viaCache = mm('check', 'readers', '--param', 'N=3', '--jobs', '1');
  assert.equal(viaCache.code, 0, viaCache.err);
  assert.equal(cache().length, 1, 'the first run that found no cache wrote one');
  const esm = mmEnv({ MMCHECK_NO_CODE_CACHE: '1' }, 'check', 'readers', '--param', 'N=3', '--jobs', '1');
  assert.equal(esm.code, 0, esm.err);
  const cached = mm('check', 'readers', '--param', 'N=3', '--jobs', '1');
  const strip = (s: string): string => s.replace(/; [\d.]+ s\./g, '');
  assert.equal(strip(cached.out), strip(esm.out));
  // Bad input keeps its exit code and message on the fast path.
  const bad = mm('check', 'readers', '--param', 'N=0');
  assert.equal(bad.code, 2, bad.out + bad.err);
  assert.deepEqual(bad.err, mmEnv({ MMCHECK_NO_CODE_CACHE: '1' }, 'check', 'readers', '--param', 'N=0').err);
});

test('a cached user file that imports only mmcheck runs without Node\'s ES-module loader; one that cannot run so is imported as an ES module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-startup-'));
  const body = `export default defineProgram({ name: 'loader', setup(b) {
  const x = b.loc('x');
  b.thread('a', function* (t) { yield t.store(x, 1); });
  b.thread('b', function* (t) { yield t.load(x); });
} });
`;
  const plain = join(dir, 'plain.ts');
  writeFileSync(plain, `import { defineProgram } from 'mmcheck';\n${body}`);
  // Top-level await has no CommonJS form: src/cli/user-file.ts's runCommonJs leaves this one to the ES-module loader.
  const awaits = join(dir, 'awaits.ts');
  writeFileSync(awaits, `import { defineProgram } from 'mmcheck';\nawait Promise.resolve();\n${body}`);
  const list = join(dir, 'loaded.txt');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
  const run = (file: string): { out: string; loaded: string[] } => {
    const r = spawnSync(process.execPath, ['--require', preload, bin, 'check', file, '--jobs', '1'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return { out: r.stdout.replace(/; [\d.]+ s\./g, ''), loaded: readFileSync(list, 'utf8').split('\n') };
  };
  const moduleJob = (loaded: string[]): boolean => loaded.includes('NativeModule internal/modules/esm/module_job');
  for (const file of [plain, awaits]) run(file); // compile and cache both
  const a = run(plain);
  const b = run(awaits);
  assert.equal(moduleJob(a.loaded), false, 'plain.ts ran as CommonJS');
  assert.equal(moduleJob(b.loaded), true, 'awaits.ts was imported as an ES module');
  assert.equal(a.out, b.out, 'both ways explore the same');
});
