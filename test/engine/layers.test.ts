// The import rules between the layers of src/, stated whole: for each layer, the only parts of
// mmcheck its files may import (node: and package imports are not ours and not checked).
//
//   trace-format  the trace file formats: imports nothing of ours (it runs in the browser too)
//   axiomatic     herd-style candidate checking: only trace-format
//   engine        the explorer: trace-format; axiomatic only in its LKMM model adapter
//                 (models/lkmm-*.ts), nowhere else
//   kernel        the kernel model: the engine's public surface (index.ts, ops.ts, program.ts)
//                 and trace-format (the types of the objects and values it puts in traces)
//   programs      the GenMC benchmark programs: the engine's public surface
//   litmus        the herd7-compatible front end: axiomatic and trace-format, never the engine
//   viewer        the trace viewer page: trace-format only
//   cli           the command line: anything
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The relative imports of a file (static, type-only, re-exports and dynamic), as src/-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)]
    .map((m) => m[1])
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(SRC, resolve(dirname(file), s)).split('\\').join('/'));
}

/** What a file may import, by the src/-relative path of the import (its own layer is always allowed). */
type Rule = (target: string, file: string) => boolean;

const ENGINE_PUBLIC = new Set(['engine/index.ts', 'engine/ops.ts', 'engine/program.ts']);
const under = (target: string, ...layers: string[]): boolean => layers.some((l) => target.startsWith(`${l}/`));

export const RULES: Record<string, Rule> = {
  'trace-format': () => false,
  axiomatic: (t) => under(t, 'trace-format'),
  engine: (t, f) => under(t, 'trace-format') || (under(t, 'axiomatic') && /^engine\/models\/lkmm-[\w-]+\.ts$/.test(f)),
  kernel: (t) => ENGINE_PUBLIC.has(t) || under(t, 'trace-format'),
  programs: (t) => ENGINE_PUBLIC.has(t),
  litmus: (t) => under(t, 'axiomatic', 'trace-format'),
  viewer: (t) => under(t, 'trace-format'),
  cli: () => true,
};

/** The imports of `layer` that break its rule, as `file: import`. */
export function offenders(layer: string): string[] {
  const rule = RULES[layer];
  return files(join(SRC, layer)).flatMap((abs) => {
    const f = relative(SRC, abs).split('\\').join('/');
    return importsOf(abs).filter((t) => !under(t, layer) && !rule(t, f)).map((t) => `${f}: ${t}`);
  });
}

test('every folder of src/ is a layer with a rule', () => {
  const layers = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  assert.deepEqual(layers.filter((l) => !(l in RULES)), [], 'a new folder needs its line in RULES');
});

for (const layer of Object.keys(RULES)) {
  test(`src/${layer} imports only what its layer allows`, () => {
    assert.deepEqual(offenders(layer), []);
  });
}
