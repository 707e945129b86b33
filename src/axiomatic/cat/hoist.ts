// What is computed once instead of once per branch, and where its value is kept. The cat
// semantics do not depend on this file: it rewrites expressions (marking subexpressions as
// `hoist` or `invariant` nodes, ast.ts) and supplies the memoizing code those nodes compile to.
//
// * Sharing levels of a top-level binding: 2 = depends only on the execution's static part
//   (events, po, dependencies; not rf, not values, not `with` choices), reused across runs with
//   the same static part; 1 = independent of every `with` choice, shared by the branches of one
//   run; 0 = per branch.
// * In a level-0/1 binding, the maximal operator subexpressions of a higher level are hoisted:
//   computed once per run (level 1) or once per static part (level 2).
// * In a `let rec`, the subexpressions that do not mention the recursive names are invariant:
//   computed once per fixpoint computation instead of once per iteration.
import type { Expr, Pat } from './ast.ts';
import type { Code, Rt } from './runtime.ts';
import type { CatVal } from './values.ts';

export type Level = 0 | 1 | 2;

/** Per top-level slot: whether it depends on a `with` choice (dyn1), or on rf, values or a
 * `with` choice (dyn2); and the slot each name resolves to at this point of the model. */
export interface SlotDeps {
  slotOf: ReadonlyMap<string, number>;
  dyn1: readonly boolean[];
  dyn2: readonly boolean[];
}

export interface Deps {
  d1: boolean;
  d2: boolean;
}

export function levelOf(d: Deps): Level {
  return d.d2 ? (d.d1 ? 0 : 1) : 2;
}

/** Dependency flags of expressions, from the top-level slots their free names resolve to now. */
export function depsOf(t: SlotDeps, es: Expr[], bound: string[] = []): Deps {
  const names = new Set<string>();
  for (const e of es) freeNames(e, new Set(bound), names);
  let d1 = false;
  let d2 = false;
  for (const n of names) {
    const sl = t.slotOf.get(n);
    if (sl === undefined) continue;
    d1 ||= t.dyn1[sl]!;
    d2 ||= t.dyn2[sl]!;
  }
  return { d1, d2 };
}

/** The level at which e can be hoisted (1 or 2), or 0 when it cannot (it mentions a local
 * name or a per-branch binding; a bare name is not worth hoisting). */
function hoistLevel(t: SlotDeps, e: Expr, inner: ReadonlySet<string>): Level {
  if (e.k === 'hoist') return e.level;
  if (e.k !== 'bin' && e.k !== 'un' && e.k !== 'app') return 0;
  const names = new Set<string>();
  freeNames(e, new Set(), names);
  for (const n of names) if (inner.has(n) || !t.slotOf.has(n)) return 0;
  return levelOf(depsOf(t, [e]));
}

/**
 * In a binding that depends on rf or on a `with` choice, marks the maximal operator
 * subexpressions that do not (they mention only top-level names of a lower level, and no
 * names bound inside the binding), so that they are evaluated once per run or once per
 * static part instead of once per branch.
 */
export function markHoists(t: SlotDeps, e: Expr, inner: ReadonlySet<string>): Expr {
  if (e.k === 'bin' || e.k === 'un' || e.k === 'app') {
    const level = hoistLevel(t, e, inner);
    if (level > 0) return { k: 'hoist', e, level: level as 1 | 2, pos: e.pos };
  }
  if (e.k === 'bin' && e.op === 'seq') {
    // A sequence is associative: regroup a;b;c;d so that each maximal run of operands that
    // can be hoisted becomes one hoisted product, e.g. x ; [LKR] ; po = x ; ([LKR] ; po).
    const ops: Expr[] = [];
    const flat = (x: Expr): void => {
      if (x.k === 'bin' && x.op === 'seq') {
        flat(x.l);
        flat(x.r);
      } else ops.push(x);
    };
    flat(e);
    const groups: Expr[] = [];
    for (let i = 0; i < ops.length; ) {
      let j = i;
      if (hoistLevel(t, ops[i]!, inner) > 0) while (j + 1 < ops.length && hoistLevel(t, ops[j + 1]!, inner) > 0) j++;
      let g = ops[i]!;
      for (let k = i + 1; k <= j; k++) g = { k: 'bin', op: 'seq', l: g, r: ops[k]!, pos: e.pos };
      groups.push(markHoists(t, g, inner));
      i = j + 1;
    }
    let out = groups[0]!;
    for (let k = 1; k < groups.length; k++) out = { k: 'bin', op: 'seq', l: out, r: groups[k]!, pos: e.pos };
    return out;
  }
  return mapChildrenScoped(e, inner, (x, i) => markHoists(t, x, i), false);
}

/**
 * Marks the maximal operator subexpressions of a let rec binding that mention neither the
 * recursive names nor names bound inside the binding (fun parameters, inner lets): their value
 * is the same in every iteration of the fixpoint.
 */
export function markInvariants(e: Expr, group: ReadonlySet<string>, inner: ReadonlySet<string> = new Set()): Expr {
  const isOp = e.k === 'bin' || e.k === 'un' || e.k === 'app';
  if (isOp) {
    const names = new Set<string>();
    freeNames(e, new Set(), names);
    let dep = false;
    for (const n of names) if (group.has(n) || inner.has(n)) dep = true;
    if (!dep) return { k: 'invariant', e, pos: e.pos };
  }
  return mapChildrenScoped(e, inner, (x, i) => markInvariants(x, group, i), true);
}

// ---- the code hoisted and invariant nodes compile to ----

let nextMemoId = 0;
/** Memo tables of the fixpoint computations in progress (innermost last). */
const invariantMemo: Map<number, CatVal>[] = [];

/** The code of a hoisted subexpression (its value kept per run or per static part), and a
 * peek at that value when it is already known. */
export function hoistedCode(level: 1 | 2, c: Code): { code: Code; peek: (rt: Rt) => CatVal | undefined } {
  const id = nextMemoId++;
  if (level === 2)
    return {
      peek: (rt) => rt.st.hoisted.get(id),
      code: (rt, fr) => {
        const h = rt.st.hoisted;
        let v = h.get(id);
        if (v === undefined) h.set(id, (v = c(rt, fr)));
        return v;
      },
    };
  return {
    peek: (rt) => rt.hoisted.get(id),
    code: (rt, fr) => {
      let v = rt.hoisted.get(id);
      if (v === undefined) rt.hoisted.set(id, (v = c(rt, fr)));
      return v;
    },
  };
}

/** The code of a let rec invariant: computed once per fixpoint computation. */
export function invariantCode(c: Code): Code {
  const id = nextMemoId++;
  return (rt, fr) => {
    const memo = invariantMemo[invariantMemo.length - 1];
    if (!memo) return c(rt, fr);
    let v = memo.get(id);
    if (v === undefined) memo.set(id, (v = c(rt, fr)));
    return v;
  };
}

/** Runs one fixpoint computation, with a fresh memo for its invariants. */
export function inFixpoint<T>(f: () => T): T {
  invariantMemo.push(new Map());
  try {
    return f();
  } finally {
    invariantMemo.pop();
  }
}

// ---- expression traversal ----

/** Free variable names of an expression (names not bound by an enclosing fun/let/match). */
export function freeNames(e: Expr, bound: Set<string>, out: Set<string>): void {
  const sub = (x: Expr, extra: (string | null)[] = []) => {
    if (extra.length === 0) return freeNames(x, bound, out);
    const b2 = new Set(bound);
    for (const n of extra) if (n) b2.add(n);
    freeNames(x, b2, out);
  };
  const patNs = (p: Pat) => (p.k === 'var' ? [p.name] : p.elems);
  switch (e.k) {
    case 'var':
      if (!bound.has(e.name)) out.add(e.name);
      return;
    case 'empty':
    case 'universe':
    case 'tag':
      return;
    case 'explicit':
    case 'tuple':
      for (const x of e.elems) sub(x);
      return;
    case 'bin':
      sub(e.l);
      sub(e.r);
      return;
    case 'un':
      sub(e.e);
      return;
    case 'app':
      sub(e.f);
      sub(e.arg);
      return;
    case 'fun':
      sub(e.body, patNs(e.pat));
      return;
    case 'let': {
      for (const b of e.binds) sub(b.e);
      sub(e.body, e.binds.flatMap((b) => patNs(b.pat)));
      return;
    }
    case 'letrec': {
      const ns = e.binds.flatMap((b) => patNs(b.pat));
      for (const b of e.binds) sub(b.e, ns);
      sub(e.body, ns);
      return;
    }
    case 'try':
      sub(e.e);
      sub(e.dflt);
      return;
    case 'if':
      if (e.cond.k !== 'variant') {
        sub(e.cond.l);
        sub(e.cond.r);
      }
      sub(e.then);
      sub(e.else);
      return;
    case 'matchset':
      sub(e.e);
      sub(e.emptyCase);
      sub(e.eltCase, [e.elt, e.rest]);
      return;
    case 'matchtag':
      sub(e.e);
      for (const [, x] of e.cases) sub(x);
      if (e.dflt) sub(e.dflt);
      return;
    case 'invariant':
    case 'hoist':
      sub(e.e);
      return;
  }
}

/**
 * Rebuilds e with f applied to each child expression, passing the names bound inside e that the
 * child sees (fun parameters, let bindings) added to `inner`. Let rec bodies are entered only
 * when `intoLetrec`.
 */
function mapChildrenScoped(e: Expr, inner: ReadonlySet<string>, f: (x: Expr, inner: ReadonlySet<string>) => Expr, intoLetrec: boolean): Expr {
  const rec = (x: Expr, extra: (string | null)[] = []): Expr => {
    if (extra.length === 0) return f(x, inner);
    const i2 = new Set(inner);
    for (const n of extra) if (n) i2.add(n);
    return f(x, i2);
  };
  const patNs = (p: Pat) => (p.k === 'var' ? [p.name] : p.elems);
  switch (e.k) {
    case 'bin':
      return { ...e, l: rec(e.l), r: rec(e.r) };
    case 'un':
      return { ...e, e: rec(e.e) };
    case 'app':
      return { ...e, f: rec(e.f), arg: rec(e.arg) };
    case 'explicit':
    case 'tuple':
      return { ...e, elems: e.elems.map((x) => rec(x)) };
    case 'fun':
      return { ...e, body: rec(e.body, patNs(e.pat)) };
    case 'let': {
      const ns = e.binds.flatMap((b) => patNs(b.pat));
      return { ...e, binds: e.binds.map((b) => ({ ...b, e: rec(b.e) })), body: rec(e.body, ns) };
    }
    case 'letrec': {
      if (!intoLetrec) return e;
      const ns = e.binds.flatMap((b) => patNs(b.pat));
      return { ...e, binds: e.binds.map((b) => ({ ...b, e: rec(b.e, ns) })), body: rec(e.body, ns) };
    }
    case 'try':
      return { ...e, e: rec(e.e), dflt: rec(e.dflt) };
    case 'if':
      return { ...e, then: rec(e.then), else: rec(e.else) };
    default:
      return e; // leaves, and matches
  }
}
