// Use-after-free is reported where it happens, as KASAN reports it: for every catalog and bug
// variant, every class of violation found that is a use-after-free names an access (the step the
// counterexample ends at) that reaches an object freed at that point of the execution — a read
// whose source is that object's free (or, for a stale pointer, a reallocation the pointer
// predates), or a store right after the free in coherence order. The check reads the violating
// graph itself, not the engine's verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, type ViolationReport } from '../../src/engine/index.ts';
import { EvKind, Life, type Ev } from '../../src/engine/graph.ts';
import { bugs, catalog } from '../../src/kernel/catalog.ts';
import { bugVariant } from '../../src/kernel/bugs/bug.ts';
import { variantModel } from '../../src/kernel/expect.ts';
import type { Variant } from '../../src/kernel/scenario.ts';

function variantsToCheck(): [string, Variant][] {
  const out: [string, Variant][] = [];
  const seen = new Set<Variant>();
  for (const s of catalog) for (const v of s.variants) if (!seen.has(v)) { seen.add(v); out.push([s.name, v]); }
  for (const b of bugs) for (const bv of b.variants) {
    const v = bugVariant(bv);
    if (!seen.has(v)) { seen.add(v); out.push([bv.scenario.name, v]); }
  }
  return out;
}

/** The freed-at-that-point evidence for the access a use-after-free report names. */
function evidence(v: ViolationReport, name: (loc: number) => string): string | null {
  const g = v.graph;
  assert.ok(v.at, 'a use-after-free is reported at an event');
  const e = g.threads[v.at!.tid][v.at!.idx];
  // A read that faulted: the thread stopped right after it (the report's event is the read's Error).
  const access: Ev = e.kind === EvKind.Error ? g.threads[e.tid][e.idx - 1] : e;
  if (access.kind === EvKind.Read) {
    const src = access.rf as Ev;
    if (src.life === Life.Free) return `reads the free of ${name(access.loc)}`;
    // Stale pointer: the memory read is a reallocation the pointer read does not know of.
    const list = g.co[access.loc];
    if (list.slice(1, src.coPos + 1).some((w) => w.life === Life.Alloc)) return `reads reallocated memory at ${name(access.loc)}`;
    return null;
  }
  if (access.kind === EvKind.Write && access.coPos > 0) {
    const prev = g.co[access.loc][access.coPos - 1];
    if (prev.life === Life.Free) return `writes right after the free of ${name(access.loc)}`;
    if (access.depLoc >= 0 && g.co[access.loc].slice(1, access.coPos).some((w) => w.life === Life.Alloc)) return `writes reallocated memory at ${name(access.loc)}`;
  }
  return null;
}

test('every use-after-free the catalog and the bug variants find is reported at an access to freed memory', (t) => {
  let classes = 0;
  const where: string[] = [];
  for (const [scenario, v] of variantsToCheck()) {
    const r = check(v.program, { model: variantModel(v), allViolations: true, timeoutMs: 120_000 });
    for (const c of r.violations ?? []) {
      if (c.first.property !== 'use-after-free') continue;
      classes++;
      const ev = evidence(c.first, (l) => r.instance.locs[l].name);
      assert.ok(ev, `${scenario} --variant ${v.name}: ${c.first.message} is not at an access to freed memory`);
      // The printed counterexample ends at that access.
      assert.match(c.first.trace, /BUG: /, `${scenario} --variant ${v.name}: the trace shows where`);
      where.push(`${scenario}/${v.name} (${c.key}): ${ev}`);
    }
  }
  assert.ok(classes > 0, 'some variant reports a use-after-free');
  t.diagnostic(`${classes} use-after-free violations checked:\n${where.join('\n')}`);
});
