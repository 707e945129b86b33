// Every catalog variant explored exhaustively: 'safe' must be ok, each unsafe knob must produce
// a violation naming the expected invariant. The expectation is data; the verdict is exploration's.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/engine/index.ts';
import { modelNames } from '../../src/engine/models/index.ts';
import { catalog, missingRows, SPEC_ROWS } from '../../src/kernel/catalog.ts';
import { variantModel } from '../../src/kernel/expect.ts';

const TIMEOUT_MS = 60_000;

describe('kernel catalog', () => {
  test('covers every row of docs/design/variants.md', () => {
    assert.deepEqual(missingRows(), []);
  });

  for (const sc of catalog) {
    describe(sc.name, () => {
      test('has a safe variant and refs', () => {
        assert.ok(sc.variants.some((v) => v.name === 'safe' && v.expected === 'ok'), 'a safe variant');
        for (const v of sc.variants) {
          if (v.name === 'safe' || v.expected === 'ok' || v.barrierDrop || v.finding || v.origin) assert.match(v.ref, /^§\d+$/, `${v.name}: a safe, barrier-drop, finding or origin variant refers to its section`);
          else assert.ok(v.ref in SPEC_ROWS, `${v.name}: '${v.ref}' is a row of docs/design/variants.md`);
        }
      });
      for (const v of sc.variants) {
        const model = variantModel(v);
        const skip = modelNames().includes(model) ? false : `the engine has no '${model}' model yet`;
        test(`${v.name} (${v.ref}) -> ${v.expected} [${model}]`, { skip }, () => {
          // Every execution, with the violating ones counted per invariant.
          const r = check(v.program, { model, timeoutMs: TIMEOUT_MS, allViolations: true });
          assert.equal(r.cutBy, null, 'explored exhaustively');
          if (v.expected === 'ok') {
            assert.equal(r.verdict, 'ok', r.violation ? `${r.violation.message}\n${r.violation.trace}` : `cut by ${r.cutBy}`);
            assert.ok(r.executions > 0, 'at least one complete execution');
          } else {
            assert.equal(r.verdict, 'violation', `expected ${v.expected}, exploration found none in ${r.executions} executions`);
            const found = r.violations!.map((c) => c.key);
            for (const id of [v.expected, ...(v.also ?? [])]) assert.ok(found.includes(id), `${id} not among the invariants found: ${found.join(', ')}`);
          }
        });
        if (v.barrierDrop || (v.expected !== 'ok' && v.model && v.model !== 'sc')) {
          // A violation that needs a weak model: the stronger models must not show it.
          const stronger = model === 'lkmm' ? ['sc', 'tso'] : model === 'tso' ? ['sc'] : [];
          for (const m of stronger) {
            test(`${v.name} shows no violation under ${m} (needs ${model})`, () => {
              const r = check(v.program, { model: m, timeoutMs: TIMEOUT_MS });
              assert.equal(r.verdict, 'ok', r.violation ? `${r.violation.message}\n${r.violation.trace}` : `cut by ${r.cutBy}`);
            });
          }
        }
        if (v.name === 'safe' && model !== 'lkmm') {
          // The kernel's protocol under the LKMM: it holds, or it is a documented finding (a
          // variant of this scenario with \`finding\` set, which then must reach its invariant).
          const finding = sc.variants.find((f) => f.finding && !f.findingOf);
          test(`safe under lkmm: ${finding ? `finding ${finding.finding} (${finding.name})` : 'holds'}`, () => {
            const r = check(v.program, { model: 'lkmm', timeoutMs: TIMEOUT_MS });
            if (finding) {
              assert.equal(r.verdict, 'violation', 'a documented finding that no longer reproduces: update docs/weak-memory-findings.md');
              assert.equal(r.violation!.invariant, finding.expected, r.violation!.message);
            } else {
              assert.equal(r.verdict, 'ok', r.violation ? `${r.violation.message}\n${r.violation.trace}` : `cut by ${r.cutBy}`);
            }
          });
        }
        if (model === 'sc' && modelNames().includes('tso')) {
          // x86-TSO only adds executions: safe must stay safe (the kernel's barriers are modeled),
          // and an SC violation stays reachable.
          test(`${v.name} keeps its verdict under tso`, () => {
            const r = check(v.program, { model: 'tso', timeoutMs: TIMEOUT_MS });
            assert.equal(r.verdict, v.expected === 'ok' ? 'ok' : 'violation', r.violation?.message);
          });
        }
      }
    });
  }
});
