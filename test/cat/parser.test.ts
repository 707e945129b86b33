// The cat parser (syntax errors with file:line:col) and the interpreter on small models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAT_LIBDIR, CatRuntimeError, CatSyntaxError, loadCatModel, parseCat } from '../../src/axiomatic/cat/index.ts';
import type { Execution, XEvent } from '../../src/axiomatic/execution.ts';
import { LKMM_MODEL_DIR } from '../../src/axiomatic/lkmm/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function syntaxError(src: string, file = 'm.cat'): CatSyntaxError {
  try {
    parseCat(src, file);
  } catch (e) {
    if (e instanceof CatSyntaxError) return e;
    throw e;
  }
  assert.fail('expected a syntax error');
}

test('syntax errors carry file:line:col', () => {
  const e1 = syntaxError('let x = po\nlet y = ');
  assert.match(e1.message, /^m\.cat:2:9: expected an expression \(found end of file\)/);
  assert.deepEqual([e1.pos.line, e1.pos.col], [2, 9]);
  const e2 = syntaxError('(* unterminated\n let x = 0', 'a.cat');
  assert.match(e2.message, /^a\.cat:1:1: unterminated comment/);
  const e3 = syntaxError('let x = po $ rf');
  assert.match(e3.message, /^m\.cat:1:12: unexpected character '\$'/);
  const e4 = syntaxError('acyclic po | as foo');
  assert.match(e4.message, /^m\.cat:1:14: expected an expression/);
  const e5 = syntaxError('let f(x = x');
  assert.match(e5.message, /^m\.cat:1:9: expected '\)'/);
  const e6 = syntaxError('enum E = a || b');
  assert.match(e6.message, /^m\.cat:1:10: expected a tag in enum/);
});

test('the kernel model files and the library files parse', () => {
  for (const f of ['linux-kernel.bell', 'linux-kernel.cat', 'lock.cat', 'cross.cat', 'cos-opt.cat']) {
    const dir = f.startsWith('c') ? CAT_LIBDIR : LKMM_MODEL_DIR;
    const file = parseCat(readFileSync(join(dir, f), 'utf8'), f);
    assert.ok(file.instrs.length > 0, f);
  }
});

test('operator precedence follows herd: | < ++ < ; < \\ < & < * ~ postfix', () => {
  const f = parseCat('let a = x | y ; z & w\nlet b = (r ; s)* ; t\nlet c = A * B\nlet d = ~A | B\nlet e = r^-1 ; s?', 'p.cat');
  const show = (e: unknown): string => {
    const x = e as { k: string; op?: string; l?: unknown; r?: unknown; e?: unknown; name?: string };
    if (x.k === 'var') return x.name!;
    if (x.k === 'bin') return `(${show(x.l)} ${x.op} ${show(x.r)})`;
    if (x.k === 'un') return `${x.op}(${show(x.e)})`;
    return x.k;
  };
  const binds = f.instrs.map((i) => show((i as { binds: { e: unknown }[] }).binds[0]!.e));
  assert.deepEqual(binds, [
    '(x union (y seq (z inter w)))',
    '(star((r seq s)) seq t)',
    '(A cart B)',
    '(comp(A) union B)',
    '(inv(r) seq opt(s))',
  ]);
});

// A small execution: P0: W x=1 ; W y=1   P1: R y ; R x   (+ init writes)
function mp(ry: number, rx: number): Execution {
  const ev = (id: number, tid: number, poIndex: number, kind: 'R' | 'W', loc: string, value: number): XEvent => ({
    id, tid, poIndex, kind, loc, value, annot: 'ONCE', atomic: false,
  });
  const events = [
    { ...ev(0, -1, 0, 'W', 'x', 0), annot: '' },
    { ...ev(1, -1, 0, 'W', 'y', 0), annot: '' },
    ev(2, 0, 0, 'W', 'x', 1),
    ev(3, 0, 1, 'W', 'y', 1),
    ev(4, 1, 0, 'R', 'y', ry),
    ev(5, 1, 1, 'R', 'x', rx),
  ];
  return { events, rf: [[ry ? 3 : 1, 4], [rx ? 2 : 0, 5]], rmw: [], addr: [], data: [], ctrl: [] };
}

test('interpreter: with-branching, let rec, functions, map/cross, try, if variant', () => {
  const src = `"test"
enum T = 'ONCE || 'MB
let fr0 = rf^-1 ; (loc & (W * W) & ~id)
let rec tc = po | (tc ; tc)
let twice f = fun x -> f (f x)
let inv r = r^-1
let same = twice inv po
let pick = map (fun e -> {e}) (W \\ IW)
let opts = cross({ {0, po}, {0, rf} })
with choice from opts
let missing = try undefined-name with po
flag ~empty (if "v1" then po else 0) as variant-on
flag ~empty (if "nope" then po else 0) as variant-off
empty (same \\ po) as twice-inverse
empty (tc \\ po) as closure
acyclic missing as try-default
flag ~empty ONCE as has-once
`;
  const m = loadCatModel(['main.cat'], { sources: { 'main.cat': src }, variants: ['v1'] });
  const out = m.run(mp(1, 0));
  assert.equal(out.length, 4); // cross of two 2-element sets
  for (const o of out) assert.deepEqual(o.flags.sort(), ['has-once', 'variant-on']);
  const picks = out[0]!.get('pick');
  assert.equal(picks.k, 'vset');
  assert.equal((picks as { elems: unknown[] }).elems.length, 2);
});

test('interpreter: a failing check prunes a branch; flags only for survivors', () => {
  const src = `
with r from { po, po^-1, 0 }
acyclic r | po as no-cycle
flag ~empty r as nonempty
`;
  const m = loadCatModel(['main.cat'], { sources: { 'main.cat': src } });
  const out = m.run(mp(0, 0));
  assert.equal(out.length, 2);
  assert.deepEqual(out.map((o) => o.flags).sort(), [[], ['nonempty']]);
});

test('interpreter: includes, and runtime errors with positions', () => {
  const m = loadCatModel(['main.cat'], {
    sources: { 'main.cat': 'include "lib.cat"\nacyclic helper(po) as ok', 'lib.cat': 'let helper(r) = r ; r' },
  });
  assert.equal(m.run(mp(0, 0)).length, 1);
  const bad = loadCatModel(['main.cat'], { sources: { 'main.cat': 'let x = po\nacyclic x ; W as oops' } });
  assert.throws(() => bad.run(mp(0, 0)), (e: unknown) => e instanceof CatRuntimeError && /main\.cat:2:11: sequence: expected a relation, got a event set/.test(e.message));
  const unbound = loadCatModel(['main.cat'], { sources: { 'main.cat': 'acyclic nowhere' } });
  assert.throws(() => unbound.run(mp(0, 0)), /main\.cat:1:9: unbound name 'nowhere'/);
});

test('interpreter: rcu-style nested matching fixpoint', () => {
  // the bell file's rcu-rscs, on two consecutive critical sections of one thread
  const F = (id: number, poIndex: number, annot: string): XEvent => ({ id, tid: 0, poIndex, kind: 'F', loc: null, value: 0, annot, atomic: false });
  const x: Execution = {
    events: [F(0, 0, 'rcu-lock'), F(1, 1, 'rcu-unlock'), F(2, 2, 'rcu-lock'), F(3, 3, 'rcu-lock'), F(4, 4, 'rcu-unlock'), F(5, 5, 'rcu-unlock')],
    rf: [], rmw: [], addr: [], data: [], ctrl: [],
  };
  const src = `enum B = 'rcu-lock || 'rcu-unlock
let rcu-rscs = let rec
	    unmatched-locks = Rcu-lock \\ domain(matched)
	and unmatched-unlocks = Rcu-unlock \\ range(matched)
	and unmatched = unmatched-locks | unmatched-unlocks
	and unmatched-po = [unmatched] ; po ; [unmatched]
	and unmatched-locks-to-unlocks =
		[unmatched-locks] ; po ; [unmatched-unlocks]
	and matched = matched | (unmatched-locks-to-unlocks \\
		(unmatched-po ; unmatched-po))
	in matched
`;
  const m = loadCatModel(['b.cat'], { sources: { 'b.cat': src } });
  const v = m.run(x)[0]!.get('rcu-rscs');
  assert.equal(v.k, 'rel');
  const pairs: [number, number][] = [];
  for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) if (((v as { b: Uint32Array }).b[a]! >>> b) & 1) pairs.push([a, b]);
  assert.deepEqual(pairs, [[0, 1], [2, 5], [3, 4]]);
});
