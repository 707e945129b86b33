// Loading a user's scenario or program file, wherever it lives, and pointing at it when it is
// wrong. The file is bundled by esbuild with its own relative imports (TypeScript or not, with or
// without extensions, whatever the nearest package.json says: CommonJS, module or none) into a
// temporary ES module beside it, with an inline source map, so stack traces and error locations
// name the user's file:line:col. `mmcheck` and `mmcheck/…` imports are bound to the mmcheck that
// is running (through its package.json "exports"), so a file anywhere runs against one engine,
// even where no node_modules/mmcheck can be found from it; other packages resolve from the file.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';

/** mmcheck's own directory (the package root): its sources are never "the user's file". */
export const OWN_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const OWN_CODE = [join(OWN_ROOT, 'src') + sep, join(OWN_ROOT, 'bin') + sep];

/** The temporary module's name marks it, so a message naming it can be turned back into the user's file. */
const TMP = /\.([^/\\\s]+?)\.\d+(?:-\d+)?\.mmcheck\.mjs/;

/** The running package's "exports": specifier ('mmcheck', 'mmcheck/kernel', …) → file URL. */
function ownExports(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(OWN_ROOT, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
  return new Map(Object.entries(pkg.exports ?? {}).map(([k, v]) => [`mmcheck${k.slice(1)}`, pathToFileURL(join(OWN_ROOT, v)).href]));
}

/** Files the user named, by absolute path, as the user spelt them (for messages). */
const named = new Map<string, string>();

/** Imports the user's file as an ES module (see the header); its exports, as a namespace. */
export async function importUserFile(file: string): Promise<Record<string, unknown>> {
  const abs = resolve(file);
  named.set(abs, file);
  const exportsMap = ownExports();
  const { build } = await import('esbuild');
  const bundle = async (out: string): Promise<string> => {
    const r = await build({
      entryPoints: [abs], outfile: out, bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
      sourcemap: 'inline', packages: 'external', logLevel: 'silent', absWorkingDir: dirname(abs),
      plugins: [{
        name: 'mmcheck-self',
        setup(b) {
          b.onResolve({ filter: /^mmcheck(\/.*)?$/ }, (args) => {
            const url = exportsMap.get(args.path);
            if (url) return { path: url, external: true };
            const known = [...exportsMap.keys()].filter((k) => !k.endsWith('.json')).map((k) => `'${k}'`).join(', ');
            return { errors: [{ text: `mmcheck has no export '${args.path}' (it has ${known}; see docs/api.md)` }] };
          });
        },
      }],
    });
    return r.outputFiles[0].text;
  };
  // Beside the file, so its own packages resolve from where it is; else in the temporary directory.
  for (const dir of [dirname(abs), tmpdir()]) {
    // The thread's id too: --jobs worker threads of one process load the same file at once.
    const tmp = join(dir, `.${basename(abs)}.${process.pid}${threadId ? `-${threadId}` : ''}.mmcheck.mjs`);
    const code = await bundle(tmp);
    try {
      writeFileSync(tmp, code);
    } catch {
      continue;
    }
    try {
      return (await import(pathToFileURL(tmp).href)) as Record<string, unknown>;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  throw new Error(`cannot write a temporary module beside ${file} or in ${tmpdir()}`);
}

/** A message as the user should read it: the temporary module's name put back as the user's file, mmcheck's modules by their specifiers. */
export function userMessage(message: string): string {
  let m = message.replace(new RegExp(TMP.source, 'g'), '$1');
  for (const [spec, url] of ownExports()) m = m.replaceAll(url, spec);
  return m;
}

function isOwn(path: string): boolean {
  return OWN_CODE.some((p) => path.startsWith(p));
}

/** 1-based line and column of the first import of `name` in the file, for a link error ("does not provide an export named"). */
function importedName(file: string, name: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const re = new RegExp(`import\\s*(type\\s+)?\\{[^}]*\\b(${name.replace(/[$]/g, '\\$')})\\b`, 'g');
  const m = re.exec(text);
  if (!m) return undefined;
  const at = m.index + m[0].length - m[2].length;
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
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
  const frames: { path: string; at: string }[] = [];
  for (const l of (err?.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/.exec(l.trim());
    if (!m || m[1].startsWith('node:')) continue;
    const path = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    frames.push({ path, at: `${m[2]}:${m[3]}` });
  }
  const pick = (pred: (p: string) => boolean): string | undefined => {
    const f = frames.find((x) => pred(x.path));
    return f ? `${show(f.path)}:${f.at}` : undefined;
  };
  return (abs ? pick((p) => p === abs) : undefined)
    ?? pick((p) => !isOwn(p) && !p.split(sep).includes('node_modules') && !TMP.test(p))
    ?? pick((p) => isOwn(p) && !relative(OWN_ROOT, p).startsWith(join('src', 'engine')) && !relative(OWN_ROOT, p).startsWith(join('src', 'cli')));
}
