#!/usr/bin/env node
// mmcheck's command line. The sources are TypeScript and there is no build step to run by hand:
//
// - For the catalog, the benchmark programs and litmus files, the sources are bundled once by
//   esbuild into node_modules/.cache/mmcheck/ and rebundled whenever a source is newer than the
//   bundle. Loading one bundle takes about 0.25 s; loading every module through tsx about 0.9 s.
// - When a command names a user's own .ts/.js file, that file imports the engine ('mmcheck',
//   'mmcheck/kernel', bound to these sources by src/cli/user-file.ts), so the whole CLI runs from
//   the sources through tsx instead: one copy of the engine, not two.
// - If the bundle cannot be built or written, the tsx path is taken; it behaves the same.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A closed pipe (mmcheck list | head) ends the output, not the process with a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.setSourceMapsEnabled(true);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const namesUserFile = argv.some((a) => !a.startsWith('--') && /\.(c|m)?(t|j)s$/.test(a));

/** The newest modification time of the files a bundle is made of. */
function newestSource(dir) {
  let newest = statSync(dir).mtimeMs; // a directory's time moves when a file in it is deleted or renamed
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestSource(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

async function bundled() {
  if (namesUserFile || process.env.MMCHECK_NO_BUNDLE) return null;
  try {
    const out = join(root, 'node_modules', '.cache', 'mmcheck', 'main.mjs');
    const src = join(root, 'src');
    const stale = !existsSync(out) || statSync(out).mtimeMs < Math.max(newestSource(src), statSync(join(root, 'package.json')).mtimeMs);
    if (stale) {
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
      // Two bundles: the CLI, and the smaller module --jobs worker threads start from (it loads
      // several times faster than the CLI's, which a short parallel run feels).
      const r = await build({
        entryPoints: { main: join(src, 'cli', 'main.ts'), worker: join(src, 'cli', 'worker.ts') }, outdir: dirname(out),
        bundle: true, platform: 'node', format: 'esm', target: 'node20', outExtension: { '.js': '.mjs' },
        packages: 'external', sourcemap: 'inline', sourceRoot: `${root}/`, write: false, logLevel: 'silent', plugins: [keepUrl],
      });
      mkdirSync(dirname(out), { recursive: true });
      // The worker's first: a fresh main.mjs (what the check above looks at) means a fresh worker.mjs.
      const files = [...r.outputFiles].sort((a, b) => (a.path.endsWith('worker.mjs') ? -1 : b.path.endsWith('worker.mjs') ? 1 : 0));
      for (const f of files) {
        const tmp = `${f.path}.${process.pid}.tmp`;
        writeFileSync(tmp, f.contents);
        renameSync(tmp, f.path); // atomic: concurrent runs never see half a bundle
      }
    }
    const mod = await import(pathToFileURL(out).href);
    // Worker threads (--jobs) start from the worker bundle: src/cli/parallel.ts reads where it is here.
    globalThis[Symbol.for('mmcheck.workerBundle')] = pathToFileURL(join(dirname(out), 'worker.mjs')).href;
    return mod;
  } catch {
    return null;
  }
}

let mod = await bundled();
if (!mod) {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
}
process.exitCode = await mod.main(argv);
