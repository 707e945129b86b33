// mmcheck as a user installs it: `npm pack` of this repository, `npm install` of the tarball into
// an empty project (offline, from the npm cache, when the cache has mmcheck's dependencies), then
// scenario files beside a CommonJS package.json, beside an ES-module one and beside none, .ts and
// .mts, importing 'mmcheck' and 'mmcheck/kernel', run with `npx mmcheck check`. Errors in a
// user's file must name that file:line:col and never mmcheck's own sources.
// MMCHECK_PACKAGE_TRANSCRIPT=FILE writes every command run and its output to FILE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve('.');
const transcript: string[] = [];

/** Runs a command, noting it and its output in the transcript (`quiet`: the command only). */
function run(cmd: string, args: string[], cwd: string, quiet = false): { code: number; out: string; err: string } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, MMCHECK_DEBUG: '', npm_config_update_notifier: 'false' } });
  const res = { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
  transcript.push(`$ (cd ${cwd} && ${cmd} ${args.join(' ')})   # exit ${res.code}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!quiet) transcript.push(res.out.trimEnd(), res.err.trimEnd());
  transcript.push('');
  return res;
}

function write(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

// A program that imports the engine's public names: message passing whose flag is published
// with smp_store_release() — or, with --param once=1, with WRITE_ONCE(), which the LKMM lets
// the reader see before the data.
const PROGRAM = `import { defineProgram, Mode, type Builder, type Ctx } from 'mmcheck';

export default defineProgram({
  name: 'user-mp',
  params: { once: 0 },
  setup(b: Builder, p) {
    const data = b.loc('data'), flag = b.loc('flag');
    b.thread('CPU0', function* (t: Ctx) {
      yield t.store(data, 42);
      yield t.store(flag, 1, p.once ? Mode.Once : Mode.Release);
    });
    b.thread('CPU1', function* (t: Ctx) {
      const f = yield t.load(flag, Mode.Acquire);
      if (f) yield t.assert((yield t.load(data)) === 42, 'I1: flag seen before data');
    });
  },
});
`;

// Throws in a thread body at line 6 (the 'boom' below), then imports a name mmcheck/kernel lacks.
const THROWS = `import { defineProgram } from 'mmcheck';
export default defineProgram({ name: 'throws', setup(b) {
  const x = b.loc('x');
  b.thread('a', function* (t) {
    const v = yield t.load(x);
    if (v === 0) throw new Error('boom');
  });
} });
`;
const MISSING = `import { defineProgram } from 'mmcheck';
import { folio_try_get, no_such_kernel_function } from 'mmcheck/kernel';
export default defineProgram({ name: 'missing', setup(b) { void folio_try_get; void no_such_kernel_function; } });
`;

test('npm pack, npm install the tarball, npx mmcheck check a user\'s .ts and .mts scenarios', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mmcheck-pkg-'));
  try {
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT, true);
    assert.equal(pack.code, 0, pack.err);
    const info = JSON.parse(pack.out)[0] as { filename: string; size: number; files: { path: string }[] };
    const paths = info.files.map((f) => f.path);
    transcript.push(`# ${info.filename}: ${info.size} bytes packed, ${(info as { unpackedSize?: number }).unpackedSize} unpacked, ${paths.length} files`, '');
    for (const p of ['bin/mmcheck.js', 'src/engine/index.ts', 'src/kernel/index.ts', 'src/viewer/index.html', 'examples/peek-page-cache.ts']) {
      assert.ok(paths.includes(p), `the tarball holds ${p}`);
    }
    assert.ok(paths.some((p) => p.endsWith('/linux-kernel.cat')), 'the tarball holds the LKMM model files');
    assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('node_modules/')), 'no tests or dependencies in the tarball');

    const proj = join(tmp, 'proj');
    mkdirSync(proj);
    write(join(proj, 'package.json'), '{ "name": "my-patch-checks", "private": true }\n');
    const tarball = join(tmp, info.filename);
    let inst = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], proj);
    // A cache without mmcheck's dependencies' metadata: fetch what is missing, once.
    if (inst.code !== 0 && /ENOTCACHED/.test(inst.err)) inst = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], proj);
    assert.equal(inst.code, 0, inst.err);

    const mm = (cwd: string, ...args: string[]) => run('npx', ['--no', 'mmcheck', ...args], cwd);

    // Beside a CommonJS package.json: the documented example as a .ts, a program as .mts.
    const cjs = join(proj, 'checks');
    mkdirSync(cjs);
    write(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
    copyFileSync(join(ROOT, 'examples/peek-page-cache.ts'), join(cjs, 'peek.ts'));
    write(join(cjs, 'mp.mts'), PROGRAM);
    const table = mm(cjs, 'check', 'peek.ts', '--all-variants');
    assert.equal(table.code, 0, table.out + table.err);
    assert.match(table.out, /example-peek-page-cache\s+safe\s.*\bok\s.*as expected/);
    assert.match(table.out, /example-peek-page-cache\s+skip-reload\s.*\bI9\s+I9\s.*as expected/);
    const bug = mm(cjs, 'check', 'peek.ts', '--variant', 'skip-reload');
    assert.equal(bug.code, 1, bug.err);
    assert.match(bug.out, /VIOLATION: I9: my_peek\(A, 0\) read 99/);
    assert.match(bug.out, /replay: mmcheck replay peek\.ts --variant skip-reload --schedule \S+/);
    const ok = mm(cjs, 'check', 'mp.mts', '--model', 'lkmm');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /OK: no violation in all \d+ executions/);
    const weak = mm(cjs, 'check', 'mp.mts', '--model', 'lkmm', '--param', 'once=1');
    assert.equal(weak.code, 1, weak.err);
    assert.match(weak.out, /VIOLATION: I1: flag seen before data/);

    // A command that names no file runs from the installed package's code-cached main.cjs: the
    // first run writes V8's cache, the second uses it, both print the same.
    const built = [mm(proj, 'check', 'readers', '--param', 'N=3', '--jobs', '1'), mm(proj, 'check', 'readers', '--param', 'N=3', '--jobs', '1')];
    for (const r of built) assert.match(r.out, /OK: no violation in all 8 executions/, r.out + r.err);
    const bundleDir = join(proj, 'node_modules', 'mmcheck', 'node_modules', '.cache', 'mmcheck');
    assert.ok(readdirSync(bundleDir).some((f) => f.endsWith('.v8cache')), readdirSync(bundleDir).join(' '));

    // Beside an ES-module package.json, and in a directory with no package.json and no
    // node_modules on its path (the file imports the mmcheck that runs it).
    const esm = join(proj, 'esm');
    mkdirSync(esm);
    write(join(esm, 'package.json'), '{ "type": "module" }\n');
    write(join(esm, 'mp.ts'), PROGRAM);
    assert.equal(mm(esm, 'check', 'mp.ts').code, 0);
    const elsewhere = mkdtempSync(join(tmpdir(), 'mmcheck-elsewhere-'));
    try {
      const far = write(join(elsewhere, 'mp.ts'), PROGRAM);
      const r = mm(proj, 'check', far, '--param', 'once=1', '--model', 'lkmm');
      assert.equal(r.code, 1, r.err);
      assert.match(r.out, /VIOLATION: I1/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }

    // Errors: the user's file:line:col, never mmcheck's own sources.
    write(join(cjs, 'throws.ts'), THROWS);
    const thrown = mm(cjs, 'check', 'throws.ts');
    assert.equal(thrown.code, 2, thrown.out + thrown.err);
    assert.match(thrown.err, /^throws\.ts:6:\d+: error in the model: thread a threw: boom$/m);
    write(join(cjs, 'missing.ts'), MISSING);
    const missing = mm(cjs, 'check', 'missing.ts');
    assert.equal(missing.code, 2, missing.out + missing.err);
    assert.match(missing.err, /^missing\.ts:2:25: cannot load missing\.ts: The requested module 'mmcheck\/kernel' does not provide an export named 'no_such_kernel_function'$/m);
    // What the package does not export is private: a deep import is refused at the user's line.
    write(join(cjs, 'deep.ts'), "import { Explorer } from 'mmcheck/src/engine/explore.ts';\nexport default Explorer;\n");
    const deep = mm(cjs, 'check', 'deep.ts');
    assert.equal(deep.code, 2, deep.out + deep.err);
    assert.match(deep.err, /^deep\.ts:1:26: cannot load deep\.ts: mmcheck has no export 'mmcheck\/src\/engine\/explore\.ts' \(it has 'mmcheck', 'mmcheck\/kernel', 'mmcheck\/catalog'; see docs\/api\.md\)$/m);
    for (const e of [thrown.err, missing.err, deep.err]) {
      assert.doesNotMatch(e.replace(/'mmcheck\/[^']*'/g, ''), /node_modules\/mmcheck|src\/(cli|engine|kernel)\//, 'no location inside mmcheck');
      assert.doesNotMatch(e, /\n\s+at /, 'no stack trace');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    if (process.env.MMCHECK_PACKAGE_TRANSCRIPT) writeFileSync(process.env.MMCHECK_PACKAGE_TRANSCRIPT, transcript.join('\n'));
  }
});
