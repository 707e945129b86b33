// What herd's cat operators mean on values: union `|`, intersection `&`, difference `\`,
// sequence `;`, cartesian product `*`, set addition `++`, the postfix closures, `[S]`, and the
// three tests (acyclic, irreflexive, empty). Pure functions of their operands; the compiler
// (compile.ts) turns each operator of a model into a call of one of these.
import type { Pos, TestKind } from './ast.ts';
import { Universe, alloc, copy } from './bits.ts';
import { CatRuntimeError, EMPTY, keyOf, mkVset, typeName, type CatVal } from './values.ts';

export function err(pos: Pos | null, msg: string): never {
  throw new CatRuntimeError(pos, msg);
}

function isZero(b: Uint32Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export function isEmptyVal(v: CatVal): boolean {
  return v.k === 'empty' || ((v.k === 'set' || v.k === 'rel') && isZero(v.b));
}

/** Normalizes an all-zero set or relation to EMPTY (so later operators can short-circuit). */
export function nz(v: CatVal): CatVal {
  return (v.k === 'set' || v.k === 'rel') && isZero(v.b) ? EMPTY : v;
}

export function valEq(a: CatVal, b: CatVal): boolean {
  if (isEmptyVal(a) && isEmptyVal(b)) return true;
  if ((a.k === 'set' && b.k === 'set') || (a.k === 'rel' && b.k === 'rel')) return Universe.equal(a.b, b.b);
  if (a.k === 'fn' || b.k === 'fn') return a === b;
  return keyOf(a) === keyOf(b);
}

export function union(a: CatVal, b: CatVal, pos: Pos): CatVal {
  if (a.k === 'empty') return b;
  if (b.k === 'empty') return a;
  if (a.k === b.k && (a.k === 'set' || a.k === 'rel')) return { k: a.k, b: Universe.or(a.b, (b as typeof a).b) };
  if (a.k === 'vset' && b.k === 'vset') return mkVset([...a.elems, ...b.elems]);
  return err(pos, `cannot take the union of a ${typeName(a)} and a ${typeName(b)}`);
}

/**
 * v[0] | (v[1] | (… | v[k-1])), the nested unions at poses[0], poses[1], …: one result for a
 * chain of relations (or of event sets) and empty values; otherwise the pairwise fold, innermost
 * first, as the nested operators compute it.
 */
export function unionAll(vs: CatVal[], poses: Pos[]): CatVal {
  let kind: 'set' | 'rel' | null = null;
  let count = 0;
  let one: CatVal = EMPTY;
  let uniform = true;
  for (const v of vs) {
    if (v.k === 'empty') continue;
    if ((v.k !== 'set' && v.k !== 'rel') || (kind !== null && v.k !== kind)) {
      uniform = false;
      break;
    }
    kind = v.k;
    count++;
    one = v;
  }
  if (uniform && count <= 1) return one;
  if (uniform) {
    const len = (one as { b: Uint32Array }).b.length;
    const c = alloc(len);
    for (const v of vs) {
      if (v.k === 'empty') continue;
      const b = (v as { b: Uint32Array }).b;
      for (let i = 0; i < len; i++) c[i]! |= b[i]!;
    }
    return { k: kind!, b: c };
  }
  let acc = vs[vs.length - 1]!;
  for (let i = vs.length - 2; i >= 0; i--) acc = union(vs[i]!, acc, poses[i]!);
  return acc;
}

export function inter(a: CatVal, b: CatVal, pos: Pos): CatVal {
  if (a.k === 'empty' || b.k === 'empty') return EMPTY;
  if (a.k === b.k && (a.k === 'set' || a.k === 'rel')) return { k: a.k, b: Universe.and(a.b, (b as typeof a).b) };
  if (a.k === 'vset' && b.k === 'vset') return mkVset(a.elems.filter((e) => b.keys.has(keyOf(e))));
  return err(pos, `cannot intersect a ${typeName(a)} and a ${typeName(b)}`);
}

export function diff(a: CatVal, b: CatVal, pos: Pos): CatVal {
  if (a.k === 'empty') return EMPTY;
  if (b.k === 'empty') return a;
  if (a.k === b.k && (a.k === 'set' || a.k === 'rel')) return { k: a.k, b: Universe.andNot(a.b, (b as typeof a).b) };
  if (a.k === 'vset' && b.k === 'vset') return mkVset(a.elems.filter((e) => !b.keys.has(keyOf(e))));
  return err(pos, `cannot subtract a ${typeName(b)} from a ${typeName(a)}`);
}

/** The bits of a relation value, or null for EMPTY. */
export function asRel(v: CatVal, pos: Pos, what: string): Uint32Array | null {
  if (v.k === 'rel') return v.b;
  if (v.k === 'empty') return null;
  return err(pos, `${what}: expected a relation, got a ${typeName(v)}`);
}

/** The bits of an event-set value (one event counts as a singleton), or null for EMPTY. */
export function asSet(u: Universe, v: CatVal, pos: Pos, what: string): Uint32Array | null {
  if (v.k === 'set') return v.b;
  if (v.k === 'empty') return null;
  if (v.k === 'ev') return u.setOf([v.id]);
  return err(pos, `${what}: expected an event set, got a ${typeName(v)}`);
}

/**
 * Relations known to be [d] ∪ x, with what they are made of: [S] (d = S, x null), r? and r*
 * (d = every event, x = r or r+). Kept off the values themselves so that every relation value
 * has the same shape. A sequence with such an operand is computed from its parts: r ; [S]
 * keeps the columns in S and [S] ; r the rows in S, O(n*w) instead of a product; r ; s? is
 * r ∪ r;s, and the product r;s then looks up only the rows of s that are not empty (where the
 * product with s? would look up a row for every pair of r: prop's `... ; rfe?`, cumul-fence's
 * `... ; rmw-sequence`).
 */
interface IdPart {
  d: Uint32Array | null; // null: every event
  x: Uint32Array | null;
}
const idPartOf = new WeakMap<Uint32Array, IdPart>();

/** [S]: the identity relation on the events of S. */
export function toid(u: Universe, v: CatVal, pos: Pos): CatVal {
  const s = asSet(u, v, pos, '[...]');
  if (!s) return EMPTY;
  const b = u.identity(s);
  if (u.w > 1) idPartOf.set(b, { d: s, x: null });
  return { k: 'rel', b };
}

export function seq(u: Universe, a: CatVal, b: CatVal, pos: Pos): CatVal {
  const ra = asRel(a, pos, 'sequence');
  const rb = asRel(b, pos, 'sequence');
  if (!ra || !rb) return EMPTY;
  // (with one word per row the product is as cheap as the lookup)
  if (u.w > 1) {
    const pb = idPartOf.get(rb);
    if (pb) {
      const cols = pb.d ? u.maskCols(ra, pb.d) : ra;
      return { k: 'rel', b: pb.x ? Universe.or(cols, u.seq(ra, pb.x)) : cols };
    }
    const pa = idPartOf.get(ra);
    if (pa) {
      const rows = pa.d ? u.restrictRows(pa.d, rb) : rb;
      return { k: 'rel', b: pa.x ? Universe.or(rows, u.seq(pa.x, rb)) : rows };
    }
  }
  return { k: 'rel', b: u.seq(ra, rb) };
}

export function cart(u: Universe, a: CatVal, b: CatVal, pos: Pos): CatVal {
  const sa = asSet(u, a, pos, 'cartesian product');
  const sb = asSet(u, b, pos, 'cartesian product');
  if (!sa || !sb) return EMPTY;
  return { k: 'rel', b: u.cartesian(sa, sb) };
}

/** x ++ s: s with the element x added. */
export function add(u: Universe, x: CatVal, s: CatVal, pos: Pos): CatVal {
  if (s.k === 'empty') {
    if (x.k === 'ev') return { k: 'set', b: u.setOf([x.id]) };
    if (x.k === 'pair') return { k: 'rel', b: u.relOf([[x.a, x.b]]) };
    return mkVset([x]);
  }
  if (s.k === 'set' && x.k === 'ev') {
    const b = copy(s.b);
    b[x.id >>> 5]! |= 1 << (x.id & 31);
    return { k: 'set', b };
  }
  if (s.k === 'rel' && x.k === 'pair') {
    const b = copy(s.b);
    u.addPair(b, x.a, x.b);
    return { k: 'rel', b };
  }
  if (s.k === 'vset') return mkVset([x, ...s.elems]);
  return err(pos, `cannot add a ${typeName(x)} to a ${typeName(s)}`);
}

/** r*: reflexive-transitive closure (0* is the identity). */
export function star(u: Universe, v: CatVal, pos: Pos): CatVal {
  const r = asRel(v, pos, 'closure *');
  if (!r) return { k: 'rel', b: u.identity() };
  if (u.w === 1) return { k: 'rel', b: u.star(r) };
  const p = u.plus(r);
  const b = u.opt(p);
  idPartOf.set(b, { d: null, x: p });
  return { k: 'rel', b };
}

/** r+: transitive closure. */
export function plus(u: Universe, v: CatVal, pos: Pos): CatVal {
  const r = asRel(v, pos, 'closure +');
  return r ? { k: 'rel', b: u.plus(r) } : EMPTY;
}

/** r?: reflexive closure. */
export function opt(u: Universe, v: CatVal, pos: Pos): CatVal {
  const r = asRel(v, pos, 'option ?');
  if (!r) return { k: 'rel', b: u.identity() };
  const b = u.opt(r);
  if (u.w > 1) idPartOf.set(b, { d: null, x: r });
  return { k: 'rel', b };
}

/** r^-1: the inverse relation. */
export function inverse(u: Universe, v: CatVal, pos: Pos): CatVal {
  const r = asRel(v, pos, 'inverse ^-1');
  return r ? { k: 'rel', b: u.inverse(r) } : EMPTY;
}

/** ~x: the complement of a set or relation (~0 is every event). */
export function complement(u: Universe, v: CatVal, pos: Pos): CatVal {
  if (v.k === 'set') return { k: 'set', b: u.complementSet(v.b) };
  if (v.k === 'rel') return { k: 'rel', b: u.complementRel(v.b) };
  if (v.k === 'empty') return { k: 'set', b: u.fullSet() };
  return err(pos, `complement: expected a set or relation, got a ${typeName(v)}`);
}

/** The elements of a set-like value, for map and match. */
export function elementsOf(u: Universe, v: CatVal, pos: Pos): CatVal[] {
  switch (v.k) {
    case 'empty':
      return [];
    case 'set':
      return u.members(v.b).map((id) => ({ k: 'ev', id }) as CatVal);
    case 'rel':
      return u.pairs(v.b).map(([a, b]) => ({ k: 'pair', a, b }) as CatVal);
    case 'vset':
      return v.elems;
    default:
      return err(pos, `expected a set, got a ${typeName(v)}`);
  }
}

/** Rebuilds a set-like value from elements (events -> event set, pairs -> relation). */
export function fromElements(u: Universe, elems: CatVal[]): CatVal {
  if (elems.length === 0) return EMPTY;
  if (elems.every((e) => e.k === 'ev')) return { k: 'set', b: u.setOf(elems.map((e) => (e as { id: number }).id)) };
  if (elems.every((e) => e.k === 'pair'))
    return { k: 'rel', b: u.relOf(elems.map((e) => [(e as { a: number }).a, (e as { b: number }).b] as [number, number])) };
  return mkVset(elems);
}

export function testHolds(u: Universe, test: TestKind, v: CatVal, pos: Pos): boolean {
  if (v.k === 'empty') return true;
  switch (test) {
    case 'empty':
      if (v.k === 'set' || v.k === 'rel') return isZero(v.b);
      if (v.k === 'vset') return false;
      return err(pos, `empty: expected a set or relation, got a ${typeName(v)}`);
    case 'irreflexive':
      if (v.k === 'rel') return u.irreflexive(v.b);
      return err(pos, `irreflexive: expected a relation, got a ${typeName(v)}`);
    case 'acyclic':
      if (v.k === 'rel') return u.acyclic(v.b);
      return err(pos, `acyclic: expected a relation, got a ${typeName(v)}`);
  }
}
