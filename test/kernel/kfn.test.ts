// Every name a kernel-model trace prints is a declared kernel function (kfn.ts: its file and
// version, `mmcheck list --functions`) or a parenthesized model label such as (check); barriers
// are the kernel's primitives (include/asm-generic/barrier.ts), never a raw t.fence().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { check } from '../../src/engine/index.ts';
import { catalog } from '../../src/kernel/catalog.ts';
import { kernelFunctions, kernelSource } from '../../src/kernel/kfn.ts';
import { variantModel } from '../../src/kernel/expect.ts';

const KERNEL = join(import.meta.dirname, '../../src/kernel');
const BARRIERS = 'include/asm-generic/barrier.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A label a trace may print: a declared kernel function, or a model step "(…)". */
const known = (label: string): boolean => /^\(.+\)$/.test(label) || kernelSource(label).length > 0;

test('every t.call label in src/kernel is a declared kernel function or a parenthesized model label', () => {
  const bad: string[] = [];
  for (const f of sources(KERNEL)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\.call\(\s*(['"`])([^'"`]*)\1/g)) {
      if (!known(m[2])) bad.push(`${relative(KERNEL, f)}: t.call('${m[2]}', …)`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no t.fence() in src/kernel outside include/asm-generic/barrier.ts', () => {
  const bad = sources(KERNEL)
    .filter((f) => relative(KERNEL, f) !== BARRIERS && /\bt\.fence\(/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(KERNEL, f));
  assert.deepEqual(bad, []);
});

test('a declared kernel function names a kernel file and a version, and one file per name', () => {
  const files = new Map<string, Set<string>>();
  for (const f of kernelFunctions()) {
    assert.match(f.name, /^[A-Za-z_][A-Za-z0-9_]*$/, `${f.name}: a C identifier`);
    assert.match(f.file, /^(arch|fs|include|kernel|lib|mm)\/[\w./-]+\.[ch]$/, `${f.name}: ${f.file} is a kernel source file`);
    assert.ok(f.version.length > 0, `${f.name}: the version it follows`);
    (files.get(f.name) ?? files.set(f.name, new Set()).get(f.name)!).add(f.file);
  }
  for (const [name, set] of files) assert.equal(set.size, 1, `${name} is declared in ${[...set].join(' and ')}`);
});

test('every step of every catalog variant is labelled with a declared kernel function or a model label', () => {
  const unknown = new Map<string, string>();
  for (const sc of catalog) {
    for (const v of sc.variants) {
      // Up to 300 executions of each variant: enough to reach every path the catalog's traces print.
      check(v.program, {
        model: variantModel(v), maxExecutions: 300,
        onLeaf: (g) => {
          for (const th of g.threads) for (const e of th) {
            if (e.fn !== null && !known(e.fn) && !unknown.has(e.fn)) unknown.set(e.fn, `${sc.name}/${v.name}`);
          }
        },
      });
    }
  }
  assert.deepEqual([...unknown].map(([fn, where]) => `${fn} (in ${where})`), []);
});

test('a step of a kernel function declared more than once names the declaration that ran (its file, version, wait)', () => {
  // Every step of a declared function carries the id of its own declaration (Ev.fnId), so a
  // trace's functions table gives the version that ran, not every version of the name.
  const untold = new Map<string, string>();
  const seen = new Map<string, Set<string>>();
  for (const sc of catalog) {
    for (const v of sc.variants) {
      check(v.program, {
        model: variantModel(v), maxExecutions: 50,
        onLeaf: (g) => {
          for (const th of g.threads) for (const e of th) {
            if (e.fn === null || /^\(/.test(e.fn)) continue;
            const ran = kernelSource(e.fn, [e.fnId]);
            if (ran.length !== 1 && !untold.has(e.fn)) untold.set(e.fn, `${sc.name}/${v.name}`);
            if (ran.length === 1 && kernelSource(e.fn).length > 1) {
              (seen.get(e.fn) ?? seen.set(e.fn, new Set()).get(e.fn)!).add(ran[0].version);
            }
          }
        },
      });
    }
  }
  assert.deepEqual([...untold].map(([fn, where]) => `${fn} (in ${where})`), []);
  // The count-based 2019 proposal and mainline's IPI share the name serialize_against_pte_lookup.
  const proposal = kernelSource('serialize_against_pte_lookup').find((s) => s.waits === 'wait');
  assert.ok(proposal && seen.get('serialize_against_pte_lookup')?.has(proposal.version), 'the proposal\'s steps name the proposal');
  assert.ok([...seen.values()].some((versions) => versions.size > 1) || seen.size > 1, 'the catalog runs same-named declarations');
});
