// Every explored graph can be turned into a schedule, and replaying that schedule rebuilds
// exactly the same graph (per read its source, per location its co order), under SC and TSO.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Explorer } from '../../src/engine/explore.ts';
import { instantiate } from '../../src/engine/program.ts';
import { getModel } from '../../src/engine/models/index.ts';
import { replay } from '../../src/engine/index.ts';
import { scheduleFor } from '../../src/engine/trace.ts';
import { randProg, toProgram, type RandProg } from './randprog.ts';
import { signature } from './signature.ts';

function roundTrip(p: RandProg, model: string): void {
  const prog = toProgram(p);
  const inst = instantiate(prog);
  const m = getModel(model);
  const leaves: { sig: string; schedule: string }[] = [];
  const ex = new Explorer(inst, {
    model: m,
    keepGoing: true,
    onLeaf: (g) => {
      if (leaves.length >= 12) return;
      const copy = g.clone();
      leaves.push({ sig: signature(copy), schedule: scheduleFor(inst, m, copy).schedule });
    },
  });
  ex.run();
  for (const l of leaves) {
    const r = replay(prog, l.schedule, { model });
    assert.equal(r.divergence, null, `replay diverged for ${l.schedule} in ${JSON.stringify(p)}`);
    assert.equal(signature(r.graph), l.sig, `replay of ${l.schedule} built another graph: ${JSON.stringify(p)}`);
  }
}

test('schedules replay to the same graph (SC)', () => {
  fc.assert(fc.property(randProg({ blocking: true, maxTotal: 8 }), (p) => roundTrip(p, 'sc')), { numRuns: 300, seed: 7 });
});

test('schedules replay to the same graph (TSO)', () => {
  fc.assert(fc.property(randProg({ blocking: true, maxTotal: 8 }), (p) => roundTrip(p, 'tso')), { numRuns: 200, seed: 8 });
});

test('schedules replay to the same graph (LKMM)', () => {
  fc.assert(fc.property(randProg({ blocking: true, maxTotal: 6 }), (p) => roundTrip(p, 'lkmm')), { numRuns: 80, seed: 9 });
});

/**
 * Every leaf of a spawn-heavy program replays: its schedule rebuilds the same graph (tids
 * included), and a violating leaf's replay reports the same violation the search found there.
 * Returns the number of replays and of violating ones.
 */
function roundTripAll(p: RandProg, model: string): [number, number] {
  const prog = toProgram(p);
  const inst = instantiate(prog);
  const m = getModel(model);
  const leaves: { sig: string; schedule: string; violation: string | null }[] = [];
  const ex = new Explorer(inst, {
    model: m,
    keepGoing: true,
    onLeaf: (g) => {
      const copy = g.clone();
      leaves.push({ sig: signature(copy), schedule: scheduleFor(inst, m, copy).schedule, violation: null });
    },
    onViolation: (property, invariant, message) => {
      leaves[leaves.length - 1].violation = `${property} ${invariant}: ${message}`;
    },
  });
  ex.run();
  let bad = 0;
  for (const l of leaves) {
    const r = replay(prog, l.schedule, { model });
    const label = `${model} ${l.schedule} in ${JSON.stringify(p)}`;
    assert.equal(r.divergence, null, `replay diverged: ${label}`);
    assert.equal(signature(r.graph), l.sig, `replay built another graph: ${label}`);
    assert.equal(r.violation ? `${r.violation.property} ${r.violation.invariant}: ${r.violation.message}` : null, l.violation, `replay reports another verdict: ${label}`);
    if (l.violation) bad++;
  }
  return [leaves.length, bad];
}

for (const [model, runs, seed] of [['sc', 600, 12], ['tso', 400, 13], ['lkmm', 200, 14]] as const) {
  test(`spawn/join: every schedule of every execution replays to the same graph and verdict (${model.toUpperCase()})`, (t) => {
    let replays = 0, violating = 0, programs = 0;
    fc.assert(fc.property(randProg({ spawns: true, blocking: true, maxTotal: 10 }), (p) => {
      const [n, bad] = roundTripAll(p, model);
      replays += n; violating += bad; programs++;
    }), { numRuns: runs, seed });
    assert.ok(violating > 0, 'some executions violate');
    t.diagnostic(`${programs} spawn/join programs, ${replays} schedules replayed, ${violating} of them violating`);
  });
}

test('object lifetimes: schedules of executions that stop at a use-after-free replay to the same graph (SC, TSO, LKMM)', () => {
  for (const [model, n, seed, max] of [['sc', 200, 11, 8], ['tso', 150, 12, 8], ['lkmm', 60, 13, 6]] as const) {
    fc.assert(fc.property(randProg({ lifetime: true, blocking: true, maxTotal: max }), (p) => roundTrip(p, model)), { numRuns: n, seed });
  }
});
