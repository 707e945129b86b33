// Shared-out searches (src/engine/parallel) give exactly what one run gives: on random programs,
// shards 1..N of a search, forced to split even when small, merge into the same counts, the same
// classes of violation with the same first counterexample, and — when the search stops at the
// first violation — the same violation found after the same number of executions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check } from '../../src/engine/index.ts';
import { checkSplit } from '../../src/engine/parallel/run.ts';
import { Explorer } from '../../src/engine/explore.ts';
import { instantiate } from '../../src/engine/program.ts';
import { getModel } from '../../src/engine/models/index.ts';
import { SplitRun, type Segment, type Shared } from '../../src/engine/parallel/split.ts';
import { LEAF_GO, LEAF_OVER } from '../../src/engine/parallel/leaf-claim.ts';
import { findScenario } from '../../src/kernel/catalog.ts';
import { randProg, toProgram, type RandProg } from './randprog.ts';
import { essence, lastParts, sharded } from './split-helpers.ts';

/** Sharded searches compared, and how many of them were split (a small search is done whole). */
let checked = 0, split = 0;

async function agree(p: RandProg, model: string, all: boolean): Promise<void> {
  const program = toProgram(p);
  const want = essence(check(program, { model, allViolations: all }));
  const label = `${model}${all ? ' --all-violations' : ''}: ${JSON.stringify(p)}`;
  for (const target of [1, 3]) {
    const whole = await checkSplit(program, { model, allViolations: all, jobs: 1, target });
    assert.deepEqual(essence(whole.result), want, `split (target ${target}) differs: ${label}`);
    for (const n of [2, 3]) {
      assert.deepEqual(essence(await sharded(program, { n, target, model, allViolations: all })), want, `${n} shards (target ${target}) differ: ${label}`);
      checked++;
      if (lastParts > 0) split++;
    }
  }
}

const runs = (n: number): fc.Parameters<[RandProg]> => ({ numRuns: n, seed: 20261205, endOnFailure: true });
const gen = randProg({ blocking: true, locks: true, maxTotal: 10 });

for (const model of ['sc', 'tso', 'lkmm']) {
  for (const all of [false, true]) {
    test(`split runs equal one run on random programs under ${model}${all ? ', all violations' : ', first violation'}`, async () => {
      checked = split = 0;
      await fc.assert(fc.asyncProperty(gen, (p) => agree(p, model, all)), runs(Number(process.env.SPLIT_RUNS ?? 150)));
      assert.ok(split > checked / 4, `only ${split} of ${checked} sharded searches were split`);
    });
  }
}

test('--max-executions shared by several explorers: a segment gives back the leaf it counted past the bound', () => {
  const v = findScenario('migrate-file-vs-lookup')!.variants.find((x) => x.name === 'check-without-freeze')!;
  const inst = instantiate(v.program, {});
  for (const keepGoing of [false, true]) {
    for (let k = 1; k <= 40; k++) {
      // The bound's last leaf is claimed by another explorer while this one counts its (k+1)th.
      let claims = 0;
      const shared: Shared = {
        claim: () => true, stopSeq: () => Infinity, lowerStopSeq: () => {}, halted: () => false, bounded: () => true,
        leaf: () => (++claims <= k ? LEAF_GO : LEAF_OVER),
      };
      const segs: Segment[] = [];
      const run = new SplitRun({ inst, model: getModel('sc'), depth: 0, tasks: 1, countPrefix: true, keepGoing, shared, emit: (s) => segs.push(s) });
      const ex = new Explorer(inst, { model: getModel('sc'), keepGoing, split: run });
      run.finish(ex, ex.run().cutBy);
      const got = { complete: 0, blocked: 0, classes: {} as Record<string, number> };
      for (const sg of segs) {
        got.complete += sg.complete;
        got.blocked += sg.blocked;
        for (const [c, n] of Object.entries(sg.classes ?? {})) got.classes[c] = (got.classes[c] ?? 0) + n;
      }
      const one = check(v.program, { allViolations: keepGoing, maxExecutions: got.complete + got.blocked });
      const what = `k=${k}${keepGoing ? ' --all-violations' : ''}`;
      assert.equal(got.complete, one.executions, what);
      assert.equal(got.blocked, one.blocked, what);
      if (keepGoing) assert.deepEqual(got.classes, Object.fromEntries((one.violations ?? []).map((c) => [c.key, c.count])), what);
      if (claims > k) assert.equal(got.complete + got.blocked, k, what);
    }
  }
});
