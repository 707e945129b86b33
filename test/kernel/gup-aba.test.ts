// Rechecks compare raw entry values (issue 10, point 3): an ABA on a PTE is explored, and the
// kernel's protocol still holds. In gup-fast-vs-zap --variant refault the page GUP-fast read is
// unmapped, freed, reallocated and faulted in again at the same address, so the PTE holds again
// the very value GUP read; GUP's recheck (pte_val(pte) != pte_val(*ptep)) passes, as in the
// kernel, and the page it returns is mapped there (I8 holds in every execution). This test finds
// such an execution among all of them and checks that it replays to the schedule the docs print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, replay } from '../../src/engine/index.ts';
import { EvKind, type Graph } from '../../src/engine/graph.ts';
import { instantiate } from '../../src/engine/program.ts';
import { getModel } from '../../src/engine/models/index.ts';
import { scheduleFor } from '../../src/engine/trace.ts';
import { findVariant } from '../../src/kernel/catalog.ts';

/** CPU0's loads of T0[0] by the kernel code (not ghost reads), in program order. */
function pteLoads(g: Graph, loc: number) {
  return g.threads[0].filter((e) => e.kind === EvKind.Read && e.loc === loc && e.fn !== '(check)');
}

test('gup-fast-vs-zap --variant refault: an ABA on the PTE passes the recheck, and I8 holds', () => {
  const v = findVariant('gup-fast-vs-zap', 'refault');
  assert.ok(v);
  const inst = instantiate(v.program);
  const pte = inst.locs.findIndex((l) => l.name === 'T0[0]');
  assert.ok(pte >= 0);
  let witness: string | null = null;
  let abas = 0;
  const r = check(v.program, {
    onLeaf: (g) => {
      const [first, ...rest] = pteLoads(g, pte);
      const last = rest[rest.length - 1];
      // The walk read the original entry; the recheck read the same value, stored by the refault
      // on CPU2 after the zap on CPU1 had cleared it.
      if (!first || !last || first.rf?.tid !== -1 || last.rf?.tid !== 2 || last.val !== first.val) return;
      abas++;
      witness ??= scheduleFor(inst, getModel('sc'), g).schedule;
    },
  });
  assert.equal(r.verdict, 'ok', r.violation?.message);
  assert.equal(r.cutBy, null);
  assert.ok(abas > 0, 'no execution has the ABA');
  const rep = replay(v.program, witness!);
  assert.equal(rep.divergence, null);
  assert.equal(rep.outcome, 'complete');
  assert.equal(rep.violation, undefined);
  // The replayed trace shows the zap's clear and the refault's store of the value GUP read.
  assert.match(rep.trace, /xchg\(T0\[0\]\): pte\(pfn 1 PW, F\) → none/);
  assert.match(rep.trace, /T0\[0\] := pte\(pfn 1 PW, F\)/);
});
