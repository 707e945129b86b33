// Explanations of rejected candidates for any cat model (src/axiomatic/cat/explain.ts): the
// failing check, a shortest cycle of its relation, each edge derived from the model's named
// relations (through functions the model defines), named as a reader wants them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRejection, loadCatModel, type RejectedBranch } from '../../src/axiomatic/cat/index.ts';
import { baseEdges } from '../../src/axiomatic/cat/explain-format.ts';
import type { Execution, XEvent } from '../../src/axiomatic/execution.ts';

// Store buffering: P0: W x=1 ; R y   P1: W y=1 ; R x, both reads from the initial writes.
function sb(): Execution {
  const ev = (id: number, tid: number, poIndex: number, kind: 'R' | 'W', loc: string, value: number): XEvent => ({
    id, tid, poIndex, kind, loc, value, annot: 'ONCE', atomic: false,
  });
  const events = [
    { ...ev(0, -1, 0, 'W', 'x', 0), annot: '' },
    { ...ev(1, -1, 0, 'W', 'y', 0), annot: '' },
    ev(2, 0, 0, 'W', 'x', 1),
    ev(3, 0, 1, 'R', 'y', 0),
    ev(4, 1, 0, 'W', 'y', 1),
    ev(5, 1, 1, 'R', 'x', 0),
  ];
  return { events, rf: [[1, 3], [0, 5]], rmw: [], addr: [], data: [], ctrl: [] };
}

const MODEL = `"a small SC-like model"
with co from generate_orders(W, co0)
let fr = (rf^-1 ; co) \\ id
let com = rf | co | fr
let to-read(r) = [W] ; r ; [R]
let wr = to-read(po)
acyclic po-loc | com as coherence
acyclic wr | com as sc
`;

test('the failing check, its shortest cycle, and each edge derived through the model\'s own names and functions', () => {
  const m = loadCatModel(['m.cat'], { sources: { 'm.cat': MODEL } });
  const rej: RejectedBranch[] = [];
  assert.equal(m.run(sb(), { onReject: (r) => rej.push(r) }).length, 0);
  assert.equal(rej.length, 1, 'one co (the initial writes first), rejected once');
  const r = m.explain(rej[0]!);
  assert.equal(r.check, 'sc');
  assert.equal(r.test, 'acyclic');
  assert.equal(r.expr, 'wr | com');
  assert.equal(r.at, 'm.cat:8:1');
  const x = sb();
  const tid = (id: number) => x.events[id]!.tid;
  // wr is po between a write and a read, through the model's function to-read: named wr
  assert.deepEqual(r.witness.flatMap((w) => baseEdges(w, tid)).map((e) => `${e.from}-${e.rel}->${e.to}`),
    ['2-wr->3', '3-fre->4', '4-wr->5', '5-fre->2']);
  assert.deepEqual(r.witness.map((w) => w.rel), ['wr', 'com', 'wr', 'com']);
  const lines = formatRejection(r, (id) => `e${id}`, tid);
  assert.equal(lines[0], 'sc: acyclic wr | com fails (m.cat:8:1); the cycle:');
  assert.equal(lines[1], '  e2 →wr e3 →fre e4 →wr e5 →fre e2');
});

test('irreflexive and empty checks: the reflexive edge as a cycle, the pair that is there', () => {
  const src = `with co from generate_orders(W, co0)
let fr = (rf^-1 ; co) \\ id
let hb = [W] ; po ; [R]
irreflexive (hb ; fr)+ as no-loop
`;
  const m = loadCatModel(['m.cat'], { sources: { 'm.cat': src } });
  const rej: RejectedBranch[] = [];
  m.run(sb(), { onReject: (r) => rej.push(r) });
  assert.equal(rej.length, 1);
  const x = sb();
  const tid = (id: number) => x.events[id]!.tid;
  const r = m.explain(rej[0]!);
  assert.equal(r.test, 'irreflexive');
  assert.equal(r.witness.length, 1);
  assert.equal(r.witness[0]!.from, r.witness[0]!.to, 'the reflexive pair');
  assert.deepEqual(baseEdges(r.witness[0]!, tid).map((e) => e.rel), ['hb', 'fre', 'hb', 'fre']);

  const m2 = loadCatModel(['m.cat'], { sources: { 'm.cat': 'let bad = [W] ; po ; [R]\nempty bad as no-write-then-read\n' } });
  const rej2: RejectedBranch[] = [];
  m2.run(sb(), { onReject: (r2) => rej2.push(r2) });
  const r2 = m2.explain(rej2[0]!);
  assert.equal(r2.test, 'empty');
  assert.deepEqual(r2.witness.map((w) => [w.from, w.rel, w.to]), [[2, 'bad', 3]]);
  assert.match(formatRejection(r2, (id) => `e${id}`, tid)[0]!, /; the pair:$/);
});

test('a `with` that has no choice: the cyclic constraint of generate_orders', () => {
  // both writes to x in one thread, and a constraint that orders them both ways
  const x = sb();
  x.events[4] = { ...x.events[4]!, loc: 'x', tid: 0, poIndex: 2 };
  x.rf = [[1, 3], [0, 5]];
  const src = `let twice = (po & loc & (W * W)) | (po & loc & (W * W))^-1
with co from generate_orders(W, co0 | twice)
`;
  const m = loadCatModel(['m.cat'], { sources: { 'm.cat': src } });
  const rej: RejectedBranch[] = [];
  m.run(x, { onReject: (r) => rej.push(r) });
  assert.equal(rej.length, 1);
  const r = m.explain(rej[0]!);
  assert.equal(r.test, 'with');
  assert.equal(r.check, 'with co');
  const cyc = r.witness;
  assert.ok(cyc.length >= 2);
  cyc.forEach((e, i) => assert.equal(e.to, cyc[(i + 1) % cyc.length]!.from));
});
