// Every location of every catalog and bug-history variant belongs to a typed object (a folio, a
// page table, a CPU, a buffer_head, the checker's ghost words …), so a trace reader (the viewer,
// a script) finds each value under its object and field and never has to guess from a name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiate } from '../../src/engine/program.ts';
import { bugScenarios, catalog } from '../../src/kernel/catalog.ts';

test('every location of every kernel scenario belongs to an object', () => {
  const orphans: string[] = [];
  let locs = 0;
  for (const sc of [...catalog, ...bugScenarios()]) {
    for (const v of sc.variants) {
      const inst = instantiate(v.program);
      const owned = new Set<number>();
      for (const o of inst.objects) for (const l of Object.values(o.fields)) for (const x of Array.isArray(l) ? l : [l]) owned.add(x);
      inst.locs.forEach((l, id) => { locs++; if (!owned.has(id)) orphans.push(`${sc.name} --variant ${v.name}: ${l.name}`); });
    }
  }
  assert.ok(locs > 1000, `only ${locs} locations seen`);
  assert.deepEqual(orphans, []);
});
