// The bitset relation algebra against a naive implementation, for one-word and multi-word
// universes (n <= 32 and n > 32 take different code paths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Universe } from '../../src/axiomatic/cat/bits.ts';
import * as op from '../../src/axiomatic/cat/ops.ts';

type Pairs = [number, number][];

const key = (ps: Pairs) => ps.map(([a, b]) => `${a},${b}`).sort().join(' ');

function naiveSeq(a: Pairs, b: Pairs): Pairs {
  const out = new Set<string>();
  const res: Pairs = [];
  for (const [x, y] of a) for (const [y2, z] of b) if (y === y2 && !out.has(`${x},${z}`)) {
    out.add(`${x},${z}`);
    res.push([x, z]);
  }
  return res;
}

function naivePlus(n: number, a: Pairs): Pairs {
  const m = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (const [x, y] of a) m[x]![y] = true;
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) if (m[i]![k]) for (let j = 0; j < n; j++) if (m[k]![j]) m[i]![j] = true;
  const res: Pairs = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (m[i]![j]) res.push([i, j]);
  return res;
}

const relArb = (n: number) => fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n });

for (const n of [5, 32, 33, 70]) {
  test(`relation algebra agrees with a naive model (n = ${n})`, () => {
    const u = new Universe(n);
    fc.assert(
      fc.property(relArb(n), relArb(n), (a0, b0) => {
        const dedup = (ps: Pairs): Pairs => [...new Map(ps.map((p) => [`${p[0]},${p[1]}`, p] as const)).values()];
        const a = dedup(a0);
        const b = dedup(b0);
        const A = u.relOf(a);
        const B = u.relOf(b);
        assert.equal(key(u.pairs(u.seq(A, B))), key(naiveSeq(a, b)));
        const plus = naivePlus(n, a);
        assert.equal(key(u.pairs(u.plus(A))), key(plus));
        const star = new Set(plus.map(([x, y]) => `${x},${y}`));
        for (let i = 0; i < n; i++) star.add(`${i},${i}`);
        assert.equal(key(u.pairs(u.star(A))), [...star].sort().join(' '));
        assert.equal(key(u.pairs(u.inverse(A))), key(a.map(([x, y]) => [y, x])));
        assert.equal(u.acyclic(A), plus.every(([x, y]) => x !== y));
        assert.equal(u.irreflexive(A), a.every(([x, y]) => x !== y));
        assert.deepEqual(u.members(u.domain(A)), [...new Set(a.map(([x]) => x))].sort((p, q) => p - q));
        assert.deepEqual(u.members(u.range(A)), [...new Set(a.map(([, y]) => y))].sort((p, q) => p - q));
        const both = key(a.filter(([x, y]) => b.some(([p, q]) => p === x && q === y)));
        assert.equal(key(u.pairs(Universe.and(A, B))), both);
        assert.equal(u.pairs(u.complementRel(A)).length + new Set(a.map(([x, y]) => `${x},${y}`)).size, n * n);
        const S = u.setOf(a.map(([x]) => x));
        const T = u.setOf(b.map(([, y]) => y));
        assert.equal(u.pairs(u.cartesian(S, T)).length, u.members(S).length * u.members(T).length);
        assert.equal(u.members(u.complementSet(S)).length, n - u.members(S).length);
        assert.equal(key(u.pairs(u.restrict(A, S))), key(a.filter(([x, y]) => Universe.has(S, x) && Universe.has(S, y))));
      }),
      { numRuns: 150 },
    );
  });
}

// ops.seq computes a sequence whose operand is [S], r? or r* from that operand's parts
// (r ; s? = r ∪ r;s): the same pairs as the plain product of the built relations.
for (const n of [33, 70]) {
  test(`sequences through [S], r? and r* give the plain product (n = ${n})`, () => {
    const u = new Universe(n);
    const pos = { file: 't', line: 1, col: 1 };
    fc.assert(
      fc.property(relArb(n), relArb(n), fc.array(fc.nat(n - 1), { maxLength: n }), (a0, b0, s0) => {
        const A = { k: 'rel', b: u.relOf(a0) } as const;
        const B = { k: 'rel', b: u.relOf(b0) } as const;
        const S = { k: 'set', b: u.setOf(s0) } as const;
        const built = [op.opt(u, B, pos), op.star(u, B, pos), op.toid(u, S, pos)];
        const plain = [u.opt(B.b), u.star(B.b), u.identity(S.b)];
        for (let i = 0; i < built.length; i++) {
          const rb = (built[i] as { b: Uint32Array }).b;
          assert.equal(key(u.pairs(rb)), key(u.pairs(plain[i]!)));
          assert.equal(key(u.pairs((op.seq(u, A, built[i]!, pos) as { b: Uint32Array }).b)), key(u.pairs(u.seq(A.b, plain[i]!))));
          assert.equal(key(u.pairs((op.seq(u, built[i]!, A, pos) as { b: Uint32Array }).b)), key(u.pairs(u.seq(plain[i]!, A.b))));
        }
      }),
    );
  });
}
