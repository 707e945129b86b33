// The layers know only the ones below them. axiomatic (herd-style candidate checking) knows
// nothing else; engine (the explorer) may use axiomatic for the LKMM; kernel and programs build
// on the engine; litmus uses axiomatic only, never the explorer; cli and viewer are on top.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

const forbidden: Record<string, RegExp> = {
  'src/axiomatic': /(^|\/)(engine|kernel|litmus|cli|viewer|programs)\//,
  'src/engine': /(^|\/)(kernel|litmus|cli|viewer|programs)\//,
  'src/kernel': /(^|\/)(litmus|cli|viewer)\//,
  'src/programs': /(^|\/)(kernel|litmus|cli|viewer)\//,
  'src/litmus': /(^|\/)(engine|kernel|cli|viewer|programs)\//,
};

for (const [dir, bad] of Object.entries(forbidden)) {
  test(`${dir} imports nothing from the layers above it`, () => {
    const offenders = files(dir).flatMap((f) => importsOf(f).filter((i) => i.startsWith('.') && bad.test(i)).map((i) => `${f}: ${i}`));
    assert.deepEqual(offenders, []);
  });
}
