// Builds the static viewer page in memory (Node side): index.html, style.css and app.js, the
// last bundled from app.ts by esbuild at serve time (no build step, nothing written to disk).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const VIEWER_DIR = dirname(fileURLToPath(import.meta.url));

export interface ViewerFiles {
  'index.html': string;
  'style.css': string;
  'app.js': string;
}

export async function buildViewer(): Promise<ViewerFiles> {
  const r = await build({
    entryPoints: [join(VIEWER_DIR, 'app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return {
    'index.html': readFileSync(join(VIEWER_DIR, 'index.html'), 'utf8'),
    'style.css': readFileSync(join(VIEWER_DIR, 'style.css'), 'utf8'),
    'app.js': r.outputFiles[0].text,
  };
}
