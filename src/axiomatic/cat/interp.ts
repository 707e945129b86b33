// A compiler from cat ASTs to closures, and the runtime that evaluates a compiled model on one
// candidate execution, branching on `with x from S`.
//
// Scoping: the top level is a straight-line sequence (includes are flattened), so each top-level
// `let` gets its own slot and every reference resolves statically to the latest earlier slot of
// that name (herd's lexical scoping). Top-level bindings are lazy, memoized cells: a binding that
// no executed check or flag needs is never computed, and a binding made before a `with` is
// computed at most once for all branches. Locals (function parameters, `let ... in`) live in
// small frames resolved at compile time. Flags are evaluated only for branches that pass every
// check (herd reports flags of consistent executions only).
import type { Binding, CatFile, Cond, Expr, Instr, Pat, Pos } from './ast.ts';
import { fmtPos } from './ast.ts';
import { Universe, copy } from './bits.ts';
import { CatRuntimeError, EMPTY, keyOf, mkVset, typeName, type Val } from './values.ts';
import { normalizeAnnot, type Execution } from '../execution.ts';

// ---------------------------------------------------------------------------------------------
// Runtime structures

interface Frame {
  vals: Val[];
  up: Frame | null;
}

interface Cell {
  v: Val | undefined;
  f: ((rt: Rt, fr: null) => Val) | null;
  rt: Rt | null;
  busy: boolean;
}

/** Per-execution context. */
export interface Ctx {
  u: Universe;
  x: Execution;
  /** Event values, for different-values. */
  values: Float64Array;
  /** Location ids (-1 for none). */
  locId: Int32Array;
  variants: ReadonlySet<string>;
  /** Memo of derived base relations (po, loc, ...), shared by all branches. */
  memo: Map<string, Val>;
  /** The context of the remembered static part (its memo holds the static builtins), if any. */
  st?: Ctx;
}

interface Rt {
  cells: (Cell | undefined)[];
  c: Ctx;
  /** Values of level-1 hoisted subexpressions, shared by all branches of a run. */
  hoisted: Map<number, Val>;
  /** Cells of steps that do not depend on any `with` choice, shared by all branches of a run. */
  shared: (Cell[] | undefined)[];
  /** The level-2 values of this run's static part (shared with other runs of the same part). */
  st: StaticEntry;
}

/** What level-2 (static) bindings computed for one static part of an execution. */
interface StaticEntry {
  cells: (Cell[] | undefined)[];
  builtins: Cell[] | null;
  hoisted: Map<number, Val>;
  /** The context level-2 thunks run in: only level-2 cells, a memo of its own, so that a
   * remembered entry does not keep the values of the run that created it alive. */
  rt: Rt | null;
}

/** Static parts remembered (most recently used last): explorers alternate between a few shapes. */
const STATIC_CACHE_SIZE = 16;

type Code = (rt: Rt, fr: Frame | null) => Val;

interface Scope {
  names: string[];
  up: Scope | null;
}

// ---------------------------------------------------------------------------------------------
// Value operations

function err(pos: Pos | null, msg: string): never {
  throw new CatRuntimeError(pos, msg);
}

function isZero(b: Uint32Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function isEmptyVal(v: Val): boolean {
  return v.k === 'empty' || ((v.k === 'set' || v.k === 'rel') && isZero(v.b));
}

/** Normalizes an all-zero set or relation to EMPTY (so later operators can short-circuit). */
function nz(v: Val): Val {
  return (v.k === 'set' || v.k === 'rel') && isZero(v.b) ? EMPTY : v;
}

function valEq(a: Val, b: Val): boolean {
  if (isEmptyVal(a) && isEmptyVal(b)) return true;
  if ((a.k === 'set' && b.k === 'set') || (a.k === 'rel' && b.k === 'rel')) return Universe.equal(a.b, b.b);
  if (a.k === 'fn' || b.k === 'fn') return a === b;
  return keyOf(a) === keyOf(b);
}

function union(a: Val, b: Val, pos: Pos): Val {
  if (a.k === 'empty') return b;
  if (b.k === 'empty') return a;
  if (a.k === b.k && (a.k === 'set' || a.k === 'rel')) return { k: a.k, b: Universe.or(a.b, (b as typeof a).b) };
  if (a.k === 'vset' && b.k === 'vset') return mkVset([...a.elems, ...b.elems]);
  return err(pos, `cannot take the union of a ${typeName(a)} and a ${typeName(b)}`);
}

function inter(a: Val, b: Val, pos: Pos): Val {
  if (a.k === 'empty' || b.k === 'empty') return EMPTY;
  if (a.k === b.k && (a.k === 'set' || a.k === 'rel')) return { k: a.k, b: Universe.and(a.b, (b as typeof a).b) };
  if (a.k === 'vset' && b.k === 'vset') return mkVset(a.elems.filter((e) => b.keys.has(keyOf(e))));
  return err(pos, `cannot intersect a ${typeName(a)} and a ${typeName(b)}`);
}

function diff(a: Val, b: Val, pos: Pos): Val {
  if (a.k === 'empty') return EMPTY;
  if (b.k === 'empty') return a;
  if (a.k === b.k && (a.k === 'set' || a.k === 'rel')) return { k: a.k, b: Universe.andNot(a.b, (b as typeof a).b) };
  if (a.k === 'vset' && b.k === 'vset') return mkVset(a.elems.filter((e) => !b.keys.has(keyOf(e))));
  return err(pos, `cannot subtract a ${typeName(b)} from a ${typeName(a)}`);
}

function asRel(c: Ctx, v: Val, pos: Pos, what: string): Uint32Array | null {
  if (v.k === 'rel') return v.b;
  if (v.k === 'empty') return null;
  return err(pos, `${what}: expected a relation, got a ${typeName(v)}`);
}

function asSet(c: Ctx, v: Val, pos: Pos, what: string): Uint32Array | null {
  if (v.k === 'set') return v.b;
  if (v.k === 'empty') return null;
  if (v.k === 'ev') return c.u.setOf([v.id]);
  return err(pos, `${what}: expected an event set, got a ${typeName(v)}`);
}

/** Relations built by [S] (the identity on S), with their S: kept off the values themselves so
 * that every relation value has the same shape. */
const diagOf = new WeakMap<Uint32Array, Uint32Array>();

function seq(c: Ctx, a: Val, b: Val, pos: Pos): Val {
  const ra = asRel(c, a, pos, 'sequence');
  const rb = asRel(c, b, pos, 'sequence');
  if (!ra || !rb) return EMPTY;
  // r ; [S] keeps the columns in S, [S] ; r the rows in S: O(n*w) instead of a product
  if (c.u.w > 1) {
    // (with one word per row the product is as cheap as the lookup)
    const db = diagOf.get(rb);
    if (db) return { k: 'rel', b: c.u.maskCols(ra, db) };
    const da = diagOf.get(ra);
    if (da) return { k: 'rel', b: c.u.restrictRows(da, rb) };
  }
  return { k: 'rel', b: c.u.seq(ra, rb) };
}

function cart(c: Ctx, a: Val, b: Val, pos: Pos): Val {
  const sa = asSet(c, a, pos, 'cartesian product');
  const sb = asSet(c, b, pos, 'cartesian product');
  if (!sa || !sb) return EMPTY;
  return { k: 'rel', b: c.u.cartesian(sa, sb) };
}

function add(c: Ctx, x: Val, s: Val, pos: Pos): Val {
  if (s.k === 'empty') {
    if (x.k === 'ev') return { k: 'set', b: c.u.setOf([x.id]) };
    if (x.k === 'pair') return { k: 'rel', b: c.u.relOf([[x.a, x.b]]) };
    return mkVset([x]);
  }
  if (s.k === 'set' && x.k === 'ev') {
    const b = copy(s.b);
    b[x.id >>> 5]! |= 1 << (x.id & 31);
    return { k: 'set', b };
  }
  if (s.k === 'rel' && x.k === 'pair') {
    const b = copy(s.b);
    c.u.addPair(b, x.a, x.b);
    return { k: 'rel', b };
  }
  if (s.k === 'vset') return mkVset([x, ...s.elems]);
  return err(pos, `cannot add a ${typeName(x)} to a ${typeName(s)}`);
}

/** The elements of a set-like value, for map and match. */
function elementsOf(c: Ctx, v: Val, pos: Pos): Val[] {
  switch (v.k) {
    case 'empty':
      return [];
    case 'set':
      return c.u.members(v.b).map((id) => ({ k: 'ev', id }) as Val);
    case 'rel':
      return c.u.pairs(v.b).map(([a, b]) => ({ k: 'pair', a, b }) as Val);
    case 'vset':
      return v.elems;
    default:
      return err(pos, `expected a set, got a ${typeName(v)}`);
  }
}

/** Rebuilds a set-like value from elements (events -> event set, pairs -> relation). */
function fromElements(c: Ctx, elems: Val[]): Val {
  if (elems.length === 0) return EMPTY;
  if (elems.every((e) => e.k === 'ev')) return { k: 'set', b: c.u.setOf(elems.map((e) => (e as { id: number }).id)) };
  if (elems.every((e) => e.k === 'pair'))
    return { k: 'rel', b: c.u.relOf(elems.map((e) => [(e as { a: number }).a, (e as { b: number }).b] as [number, number])) };
  return mkVset(elems);
}

function testHolds(c: Ctx, test: 'acyclic' | 'irreflexive' | 'empty', v: Val, pos: Pos): boolean {
  if (v.k === 'empty') return true;
  switch (test) {
    case 'empty':
      if (v.k === 'set' || v.k === 'rel') return isZero(v.b);
      if (v.k === 'vset') return false;
      return err(pos, `empty: expected a set or relation, got a ${typeName(v)}`);
    case 'irreflexive':
      if (v.k === 'rel') return c.u.irreflexive(v.b);
      return err(pos, `irreflexive: expected a relation, got a ${typeName(v)}`);
    case 'acyclic':
      if (v.k === 'rel') return c.u.acyclic(v.b);
      return err(pos, `acyclic: expected a relation, got a ${typeName(v)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Built-in names (herd's pre-defined sets and relations, and its standard library)

type Builtin = (c: Ctx) => Val;

function fn(name: string, call: (arg: Val, pos: Pos) => Val): Val {
  return { k: 'fn', name, call };
}

function kindSet(c: Ctx, pred: (i: number) => boolean): Val {
  const ids: number[] = [];
  for (let i = 0; i < c.x.events.length; i++) if (pred(i)) ids.push(i);
  return { k: 'set', b: c.u.setOf(ids) };
}

function relFrom(c: Ctx, pairs: readonly (readonly [number, number])[]): Val {
  return { k: 'rel', b: c.u.relOf(pairs) };
}

function linearisations(c: Ctx, s: Uint32Array | null, r: Uint32Array | null): Val {
  if (!s) return mkVset([EMPTY]);
  const u = c.u;
  const nodes = u.members(s);
  const m = nodes.length;
  // predecessor masks over the local indices
  const pred = new Array<number[]>(m);
  for (let a = 0; a < m; a++) {
    pred[a] = [];
    for (let b = 0; b < m; b++) if (a !== b && r && u.hasPair(r, nodes[b]!, nodes[a]!)) pred[a]!.push(b);
  }
  const out: Val[] = [];
  const order: number[] = [];
  const used = new Uint8Array(m);
  const rec = () => {
    if (order.length === m) {
      const rel = u.emptyRel();
      for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) u.addPair(rel, nodes[order[i]!]!, nodes[order[j]!]!);
      out.push({ k: 'rel', b: rel });
      return;
    }
    for (let a = 0; a < m; a++) {
      if (used[a]) continue;
      if (!pred[a]!.every((b) => used[b])) continue;
      used[a] = 1;
      order.push(a);
      rec();
      order.pop();
      used[a] = 0;
    }
  };
  rec();
  if (out.length === 0) return EMPTY;
  if (m <= 1) return mkVset([EMPTY]);
  return mkVset(out);
}

function partition(c: Ctx, s: Uint32Array | null): Val {
  if (!s) return EMPTY;
  const byLoc = new Map<number, number[]>();
  for (const i of c.u.members(s)) {
    const l = c.locId[i]!;
    if (l < 0) continue;
    let g = byLoc.get(l);
    if (!g) byLoc.set(l, (g = []));
    g.push(i);
  }
  return mkVset([...byLoc.values()].map((ids) => ({ k: 'set', b: c.u.setOf(ids) }) as Val));
}

function cross(c: Ctx, v: Val, pos: Pos): Val {
  let acc: Val[] = [EMPTY];
  for (const os of elementsOf(c, v, pos)) {
    const opts = os.k === 'vset' ? os.elems : os.k === 'empty' ? [] : [os];
    const next: Val[] = [];
    for (const a of acc) for (const o of opts) next.push(union(a, o, pos));
    acc = next;
    if (acc.length === 0) return EMPTY;
  }
  return mkVset(acc);
}

/**
 * generate_orders(s, pco): every relation that is, at each location, a strict total order of
 * the events of s there that contains pco's pairs among them; i.e. exactly
 * `cross(map (fun ws -> linearisations(ws, pco)) (partition(s)))`, which is how its value set is
 * enumerated (same elements, same order). Membership is also answered without enumerating, so
 * that `with co from generate_orders(...)` with a fixed co (RunOptions.fix) costs O(n^2/32).
 */
function popcount(m: Uint32Array): number {
  let k = 0;
  for (let q = 0; q < m.length; q++) {
    let x = m[q]!;
    while (x !== 0) {
      k++;
      x &= x - 1;
    }
  }
  return k;
}

function generateOrders(c: Ctx, a: Val, pos: Pos): Val {
  if (a.k !== 'tuple' || a.elems.length !== 2) return err(pos, 'generate_orders expects (set, relation)');
  const s = asSet(c, a.elems[0]!, pos, 'generate_orders');
  const pco = asRel(c, a.elems[1]!, pos, 'generate_orders');
  const enumerate = (): Val => {
    const parts = partition(c, s);
    const opts = fromElements(c, elementsOf(c, parts, pos).map((ws) => linearisations(c, asSet(c, ws, pos, 'linearisations'), pco)));
    return cross(c, opts, pos);
  };
  // Only a `with` that has a fixed value asks for membership; otherwise enumerate at once.
  if (!membershipWanted) return enumerate();
  const u = c.u;
  const n = u.n;
  const w = u.w;
  // cls[i]: the events of s at i's location (one set per location, shared), for i in s
  const cls: (Uint32Array | null)[] = new Array(n).fill(null);
  if (s) {
    const byLoc = new Map<number, Uint32Array>();
    for (let i = 0; i < n; i++) {
      if (!Universe.has(s, i) || c.locId[i]! < 0) continue;
      let m = byLoc.get(c.locId[i]!);
      if (!m) byLoc.set(c.locId[i]!, (m = u.emptySet()));
      m[i >>> 5]! |= 1 << (i & 31);
      cls[i] = m;
    }
  }
  // The enumeration is EMPTY exactly when pco is cyclic among the events of one location.
  if (s && pco) {
    const rr = u.emptyRel();
    for (let i = 0; i < n; i++) {
      const m = cls[i];
      if (!m) continue;
      for (let k = 0; k < w; k++) rr[i * w + k] = pco[i * w + k]! & m[k]!;
      rr[i * w + (i >>> 5)]! &= ~(1 << (i & 31));
    }
    if (!u.acyclic(rr)) return EMPTY;
  }
  const member = (v: Val): boolean => {
    const r = v.k === 'empty' ? null : v.k === 'rel' ? v.b : undefined;
    if (r === undefined) return false;
    if (!r) {
      // {0}: no location of s has two events
      for (let i = 0; i < n; i++) if (cls[i] && popcount(cls[i]!) > 1) return false;
      return true;
    }
    // each row: within i's location, irreflexive, containing pco's pairs there, transitive
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      const io = i * w;
      const m = cls[i];
      if (!m) {
        for (let k = 0; k < w; k++) if (r[io + k] !== 0) return false;
        continue;
      }
      if ((r[io + (i >>> 5)]! & (1 << (i & 31))) !== 0) return false;
      for (let k = 0; k < w; k++) {
        const row = r[io + k]!;
        if ((row & ~m[k]!) !== 0) return false;
        if (pco && ((pco[io + k]! & m[k]! & ~row) & (k === i >>> 5 ? ~(1 << (i & 31)) : -1)) !== 0) return false;
        let x = row;
        while (x !== 0) {
          const jo = ((k << 5) | (31 - Math.clz32(x & -x))) * w;
          x &= x - 1;
          pairs++;
          for (let q = 0; q < w; q++) if ((r[jo + q]! & ~r[io + q]!) !== 0) return false;
        }
      }
    }
    // irreflexive and transitive, hence antisymmetric: total iff m(m-1)/2 pairs per location
    let want = 0;
    const seen = new Set<Uint32Array>();
    for (let i = 0; i < n; i++) {
      const m = cls[i];
      if (!m || seen.has(m)) continue;
      seen.add(m);
      const k = popcount(m);
      want += (k * (k - 1)) / 2;
    }
    return pairs === want;
  };
  let forced: Val | null = null;
  const force = (): Val => (forced ??= enumerate());
  const lazy = {
    k: 'vset' as const,
    member: (v: Val) => {
      if (forced) return forced.k === 'vset' && forced.keys.has(keyOf(v));
      return member(v);
    },
    get elems(): Val[] {
      const f = force();
      return f.k === 'vset' ? f.elems : [];
    },
    get keys(): Set<string> {
      const f = force();
      return f.k === 'vset' ? f.keys : new Set();
    },
  };
  return lazy;
}

/** Builtins that depend on rf or on event values. */
const DYN_BUILTIN_NAMES: ReadonlySet<string> = new Set(['rf', 'rfe', 'rfi', 'different-values', 'same-values']);

function makeBuiltins(): Map<string, Builtin> {
  const B0 = new Map<string, Builtin>();
  // every builtin is memoized per execution; those that depend only on the static part (not on
  // rf or values) in the remembered static context, so that e.g. rfe = rf & ext reuses ext
  const B = {
    set(name: string, f: Builtin) {
      const dyn = DYN_BUILTIN_NAMES.has(name);
      B0.set(name, (c0) => {
        const c = dyn ? c0 : (c0.st ?? c0);
        let v = c.memo.get(name);
        if (v === undefined) c.memo.set(name, (v = f(c)));
        return v;
      });
    },
    get(name: string) {
      return B0.get(name);
    },
  };
  const ev = (c: Ctx, i: number) => c.x.events[i]!;
  B.set('emptyset', () => EMPTY);
  B.set('R', (c) => kindSet(c, (i) => ev(c, i).kind === 'R'));
  B.set('W', (c) => kindSet(c, (i) => ev(c, i).kind === 'W'));
  B.set('M', (c) => kindSet(c, (i) => ev(c, i).kind === 'R' || ev(c, i).kind === 'W'));
  B.set('F', (c) => kindSet(c, (i) => ev(c, i).kind === 'F'));
  B.set('IW', (c) => kindSet(c, (i) => ev(c, i).kind === 'W' && ev(c, i).tid < 0));
  B.set('FW', () => EMPTY);
  B.set('RMW', (c) => kindSet(c, (i) => ev(c, i).atomic));
  for (const k of ['LKR', 'LKW', 'UL', 'LF', 'RL', 'RU'] as const) B.set(k, (c) => kindSet(c, (i) => ev(c, i).kind === k));
  B.set('LK', (c) => kindSet(c, (i) => ev(c, i).kind === 'LKR' || ev(c, i).kind === 'LKW'));
  B.set('LS', () => EMPTY);
  B.set('id', (c) => ({ k: 'rel', b: c.u.identity() }));
  B.set('po', (c) => {
    const es = c.x.events;
    const r = c.u.emptyRel();
    for (const a of es) if (a.tid >= 0) for (const b of es) if (b.tid === a.tid && a.poIndex < b.poIndex) c.u.addPair(r, a.id, b.id);
    return { k: 'rel', b: r };
  });
  B.set('loc', (c) => {
    const r = c.u.emptyRel();
    const n = c.x.events.length;
    for (let a = 0; a < n; a++) if (c.locId[a]! >= 0) for (let b = 0; b < n; b++) if (c.locId[a] === c.locId[b]) c.u.addPair(r, a, b);
    return { k: 'rel', b: r };
  });
  B.set('int', (c) => {
    const es = c.x.events;
    const r = c.u.emptyRel();
    for (const a of es) for (const b of es) if (a.tid === b.tid) c.u.addPair(r, a.id, b.id);
    return { k: 'rel', b: r };
  });
  B.set('ext', (c) => {
    const es = c.x.events;
    const r = c.u.emptyRel();
    for (const a of es) for (const b of es) if (a.tid !== b.tid) c.u.addPair(r, a.id, b.id);
    return { k: 'rel', b: r };
  });
  B.set('rf', (c) => relFrom(c, c.x.rf));
  B.set('rmw', (c) => relFrom(c, c.x.rmw));
  B.set('addr', (c) => relFrom(c, c.x.addr));
  B.set('data', (c) => relFrom(c, c.x.data));
  B.set('ctrl', (c) => relFrom(c, c.x.ctrl));
  // herd's stdlib.cat equivalents, over the pre-defined relations
  B.set('po-loc', (c) => inter(B.get('po')!(c), B.get('loc')!(c), NOPOS));
  B.set('rfe', (c) => inter(B.get('rf')!(c), B.get('ext')!(c), NOPOS));
  B.set('rfi', (c) => inter(B.get('rf')!(c), B.get('int')!(c), NOPOS));
  B.set('co0', (c) => {
    // loc & (IW * (W \ IW)) ; FW is empty (see execution.ts)
    const iw = (B.get('IW')!(c) as { b: Uint32Array }).b;
    const w = (B.get('W')!(c) as { b: Uint32Array }).b;
    return inter(B.get('loc')!(c), { k: 'rel', b: c.u.cartesian(iw, Universe.andNot(w, iw)) }, NOPOS);
  });
  B.set('domain', (c) => fn('domain', (a, pos) => {
    const r = asRel(c, a, pos, 'domain');
    return r ? { k: 'set', b: c.u.domain(r) } : EMPTY;
  }));
  B.set('range', (c) => fn('range', (a, pos) => {
    const r = asRel(c, a, pos, 'range');
    return r ? { k: 'set', b: c.u.range(r) } : EMPTY;
  }));
  const valueRel = (name: string, same: boolean) => (c: Ctx) =>
    fn(name, (a, pos) => {
      const r = asRel(c, a, pos, name);
      if (!r) return EMPTY;
      const out = c.u.emptyRel();
      for (const [x, y] of c.u.pairs(r)) if ((c.values[x] === c.values[y]) === same) c.u.addPair(out, x, y);
      return { k: 'rel', b: out };
    });
  B.set('different-values', valueRel('different-values', false));
  B.set('same-values', valueRel('same-values', true));
  B.set('fencerel', (c) => fn('fencerel', (a, pos) => {
    const s = asSet(c, a, pos, 'fencerel');
    if (!s) return EMPTY;
    const po = (B.get('po')!(c) as { b: Uint32Array }).b;
    return { k: 'rel', b: c.u.seq(Universe.and(po, c.u.cartesian(c.u.fullSet(), s)), po) };
  }));
  B.set('singlestep', (c) => fn('singlestep', (a, pos) => {
    const r = asRel(c, a, pos, 'singlestep');
    return r ? { k: 'rel', b: Universe.andNot(r, c.u.seq(r, r)) } : EMPTY;
  }));
  B.set('toid', (c) => fn('toid', (a, pos) => {
    const s = asSet(c, a, pos, 'toid');
    return s ? { k: 'rel', b: c.u.identity(s) } : EMPTY;
  }));
  const part = (c: Ctx) => fn('partition', (a, pos) => partition(c, asSet(c, a, pos, 'partition')));
  B.set('partition', part);
  B.set('classes-loc', part);
  B.set('linearisations', (c) => fn('linearisations', (a, pos) => {
    if (a.k !== 'tuple' || a.elems.length !== 2) return err(pos, 'linearisations expects (set, relation)');
    return linearisations(c, asSet(c, a.elems[0]!, pos, 'linearisations'), asRel(c, a.elems[1]!, pos, 'linearisations'));
  }));
  B.set('cross', (c) => fn('cross', (a, pos) => cross(c, a, pos)));
  B.set('generate_orders', (c) => fn('generate_orders', (a, pos) => generateOrders(c, a, pos)));
  B.set('map', (c) => fn('map', (f, pos) => {
    if (f.k !== 'fn') return err(pos, `map: expected a function, got a ${typeName(f)}`);
    return fn('map-' + f.name, (s, pos2) => fromElements(c, elementsOf(c, s, pos2).map((e) => f.call(e, pos2))));
  }));
  return B0;
}

const NOPOS: Pos = { file: '<builtin>', line: 0, col: 0 };
const BUILTINS = makeBuiltins();

function capitalize(s: string): string {
  return s.length ? s[0]!.toUpperCase() + s.slice(1) : s;
}

// ---------------------------------------------------------------------------------------------
// Compilation

/** Sharing level of a step's cells: 2 = depends only on the execution's static part (events,
 * po, dependencies; not rf, not values, not `with` choices), reused across runs with the same
 * static part; 1 = independent of every `with` choice, shared by the branches of one run;
 * 0 = per branch. */
type Level = 0 | 1 | 2;

type Step =
  | { k: 'cells'; slots: number[]; mk: (rt: Rt) => Cell[]; level: Level }
  | { k: 'test'; mode: 'check' | 'flag' | 'requires'; test: 'acyclic' | 'irreflexive' | 'empty'; negated: boolean; code: Code; name: string | null; pos: Pos }
  | { k: 'with'; slot: number; code: Code; pos: Pos };

export interface CatOutcomeRaw {
  /** Values of the named top-level bindings at the end of the model (lazy). */
  get(name: string): Val;
  flags: string[];
}

export interface RunOptions {
  /** Stop after the first consistent completion. */
  stopAtFirst?: boolean;
  /** Counts, per check name, the branches that the check rejected. */
  failures?: Map<string, number>;
  /** For `with name from S`: explore only the choices equal to the given value (computed from
   * the run's universe). Used to check one given completion, e.g. a co chosen elsewhere. */
  fix?: Map<string, (u: Universe) => Val>;
}

export type FileLoader = (name: string, from: string) => { file: string; src: string };

export class CompiledModel {
  private slotOf = new Map<string, number>();
  private nslots = 0;
  /** Per slot: depends on a `with` choice (dyn1); on rf, values or a `with` choice (dyn2). */
  private dyn1: boolean[] = [];
  private dyn2: boolean[] = [];
  private staticCache = new Map<string, StaticEntry>();
  /** For each compiled hoisted subexpression: its value if already computed in this context. */
  private hoistPeek = new Map<Expr, (rt: Rt) => Val | undefined>();
  /** Variable name of each `with` step, by step index. */
  private withNames: string[] = [];
  /** Builtins that depend on rf or on event values. */
  private static readonly DYN_BUILTINS = DYN_BUILTIN_NAMES;
  private steps: Step[] = [];
  private builtinSlots: [number, (rt: Rt) => Val][] = [];
  /** Names of tests that reject candidates, in order (for diagnostics). */
  readonly checkNames: string[] = [];

  constructor(
    files: CatFile[],
    private readonly parse: (name: string, from: string) => CatFile,
    readonly variants: ReadonlySet<string>,
  ) {
    for (const [name, b] of BUILTINS) {
      const s = this.newSlot(name, false, CompiledModel.DYN_BUILTINS.has(name));
      this.builtinSlots.push([s, (r: Rt) => b(r.c)]);
    }
    const stack: string[] = [];
    for (const f of files) this.compileFile(f, stack);
  }

  private newSlot(name: string, d1 = false, d2 = false): number {
    const s = this.nslots++;
    this.slotOf.set(name, s);
    this.dyn1[s] = d1;
    this.dyn2[s] = d2 || d1;
    return s;
  }

  /** Dependency flags of expressions, from the top-level slots their free names resolve to now. */
  private depsOf(es: Expr[], bound: string[] = []): { d1: boolean; d2: boolean } {
    const names = new Set<string>();
    for (const e of es) freeNames(e, new Set(bound), names);
    let d1 = false;
    let d2 = false;
    for (const n of names) {
      const sl = this.slotOf.get(n);
      if (sl === undefined) continue;
      d1 ||= this.dyn1[sl]!;
      d2 ||= this.dyn2[sl]!;
    }
    return { d1, d2 };
  }

  /**
   * In a binding that depends on rf or on a `with` choice, marks the maximal operator
   * subexpressions that do not (they mention only top-level names of a lower level, and no
   * names bound inside the binding), so that they are evaluated once per run or once per
   * static part instead of once per branch.
   */
  private markHoists(e: Expr, inner: ReadonlySet<string>): Expr {
    if (e.k === 'bin' || e.k === 'un' || e.k === 'app') {
      if (this.hoistLevel(e, inner) > 0) return { k: 'hoist', e, level: this.hoistLevel(e, inner) as 1 | 2, pos: e.pos };
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
        if (this.hoistLevel(ops[i]!, inner) > 0) while (j + 1 < ops.length && this.hoistLevel(ops[j + 1]!, inner) > 0) j++;
        let g = ops[i]!;
        for (let k = i + 1; k <= j; k++) g = { k: 'bin', op: 'seq', l: g, r: ops[k]!, pos: e.pos };
        groups.push(this.markHoists(g, inner));
        i = j + 1;
      }
      let out = groups[0]!;
      for (let k = 1; k < groups.length; k++) out = { k: 'bin', op: 'seq', l: out, r: groups[k]!, pos: e.pos };
      return out;
    }
    return mapChildrenScoped(e, inner, (x, i) => this.markHoists(x, i), false);
  }

  /** The level at which e can be hoisted (1 or 2), or 0 when it cannot (it mentions a local
   * name or a per-branch binding; a bare name is not worth hoisting). */
  private hoistLevel(e: Expr, inner: ReadonlySet<string>): Level {
    if (e.k === 'hoist') return e.level;
    if (e.k !== 'bin' && e.k !== 'un' && e.k !== 'app') return 0;
    const names = new Set<string>();
    freeNames(e, new Set(), names);
    for (const n of names) if (inner.has(n) || !this.slotOf.has(n)) return 0;
    return CompiledModel.level(this.depsOf([e]));
  }

  private static level(d: { d1: boolean; d2: boolean }): Level {
    return d.d2 ? (d.d1 ? 0 : 1) : 2;
  }

  private compileFile(f: CatFile, stack: string[]): void {
    if (stack.includes(f.file)) throw new CatRuntimeError(null, `include cycle: ${[...stack, f.file].join(' -> ')}`);
    stack.push(f.file);
    for (const ins of f.instrs) this.compileInstr(ins, stack);
    stack.pop();
  }

  private compileInstr(ins: Instr, stack: string[]): void {
    switch (ins.k) {
      case 'include': {
        const f = this.parse(ins.file, ins.pos.file);
        this.compileFile(f, stack);
        return;
      }
      case 'show':
      case 'instructions':
        return;
      case 'enum': {
        const tags = ins.tags;
        const setSlot = this.newSlot(ins.name);
        const tagVals = mkVset(tags.map((name) => ({ k: 'tag', name }) as Val));
        const tagSlots: [number, string][] = tags.map((t) => [this.newSlot(capitalize(t)), t]);
        this.steps.push({
          k: 'cells',
          level: 2,
          slots: [setSlot, ...tagSlots.map(([s]) => s)],
          mk: (rt) => [
            valueCell(tagVals),
            ...tagSlots.map(([, t]) => thunkCell(rt, (r) => kindSet(r.c, (i) => normalizeAnnot(r.c.x.events[i]!.annot) === t))),
          ],
        });
        return;
      }
      case 'let': {
        const d = this.depsOf(ins.binds.map((b) => b.e));
        const codes = ins.binds.map((b) =>
          profiled(b.pat.k === 'var' ? (b.pat.name ?? '_') : 'tuple', this.compileExpr(CompiledModel.level(d) === 2 ? b.e : this.markHoists(b.e, new Set()), null)),
        );
        const pats = ins.binds.map((b) => b.pat);
        const slots = this.bindSlots(pats, d);
        const counts = slots.map((s) => s.length);
        this.steps.push({ k: 'cells', level: CompiledModel.level(d), slots: slots.flat(), mk: (rt) => letCells(rt, pats, codes, counts) });
        return;
      }
      case 'letrec': {
        const pats = ins.binds.map((b) => b.pat);
        const names = pats.map((p) => {
          if (p.k !== 'var' || p.name === null) throw new CatRuntimeError(ins.pos, 'let rec needs simple names');
          return p.name;
        });
        const d = this.depsOf(ins.binds.map((b) => b.e), names);
        const slots = names.map((n) => this.newSlot(n, d.d1, d.d2));
        const allFun = ins.binds.every((b) => b.e.k === 'fun');
        const group = new Set(names);
        const codes = ins.binds.map((b) => this.compileExpr(allFun ? b.e : markInvariants(b.e, group), null));
        this.steps.push({
          k: 'cells',
          level: CompiledModel.level(d),
          slots,
          mk: (rt) => {
            if (allFun) return codes.map((code) => thunkCell(rt, code));
            // least fixpoint of the group, computed on first use of any member
            const cells = slots.map(() => ({ v: undefined, f: null, rt, busy: false }) as Cell);
            const solve = (r: Rt): void => {
              invariantMemo.push(new Map());
              try {
                solveIn(r);
              } finally {
                invariantMemo.pop();
              }
            };
            const solveIn = (r: Rt): void => {
              for (const cl of cells) cl.v = EMPTY;
              // Gauss-Seidel: each binding sees the values just computed for the earlier ones
              // (what herd does; a simultaneous update gives a wrong rcu-rscs for sequences of
              // critical sections)
              for (let iter = 0; ; iter++) {
                if (iter > 10000) err(ins.pos, 'let rec does not converge');
                let same = true;
                for (let i = 0; i < cells.length; i++) {
                  const nv = codes[i]!(r, null);
                  if (!valEq(nv, cells[i]!.v!)) same = false;
                  cells[i]!.v = nv;
                }
                if (same) break;
              }
            };
            for (const cl of cells)
              cl.f = (r) => {
                solve(r);
                return cl.v!;
              };
            return cells;
          },
        });
        return;
      }
      case 'test': {
        const code = this.compileExpr(ins.e, null);
        if (ins.mode !== 'flag' && ins.name) this.checkNames.push(ins.name);
        this.steps.push({ k: 'test', mode: ins.mode, test: ins.test, negated: ins.negated, code, name: ins.name, pos: ins.pos });
        return;
      }
      case 'with': {
        const code = this.compileExpr(ins.e, null);
        const slot = this.newSlot(ins.name, true, true);
        this.withNames[this.steps.length] = ins.name;
        this.steps.push({ k: 'with', slot, code, pos: ins.pos });
        return;
      }
    }
  }

  private bindSlots(pats: Pat[], d: { d1: boolean; d2: boolean }): number[][] {
    return pats.map((p) =>
      p.k === 'var' ? [this.newSlot(p.name ?? '_', d.d1, d.d2)] : p.elems.map((n) => this.newSlot(n ?? '_', d.d1, d.d2)),
    );
  }

  // ---- expressions ----

  private lookup(name: string, scope: Scope | null, pos: Pos): Code {
    let depth = 0;
    for (let s = scope; s; s = s.up, depth++) {
      const idx = s.names.lastIndexOf(name);
      if (idx >= 0) {
        const d = depth;
        if (d === 0) return (_rt, fr) => fr!.vals[idx]!;
        if (d === 1) return (_rt, fr) => fr!.up!.vals[idx]!;
        return (_rt, fr) => {
          let f = fr!;
          for (let k = 0; k < d; k++) f = f.up!;
          return f.vals[idx]!;
        };
      }
    }
    const slot = this.slotOf.get(name);
    if (slot === undefined) return () => err(pos, `unbound name '${name}'`);
    return (rt) => force(rt.cells[slot], pos, name);
  }

  compileExpr(e: Expr, scope: Scope | null): Code {
    const pos = e.pos;
    switch (e.k) {
      case 'var':
        return this.lookup(e.name, scope, pos);
      case 'empty':
        return () => EMPTY;
      case 'universe':
        return (rt) => ({ k: 'set', b: rt.c.u.fullSet() });
      case 'tag': {
        const v: Val = { k: 'tag', name: e.name };
        return () => v;
      }
      case 'explicit': {
        const cs = e.elems.map((x) => this.compileExpr(x, scope));
        return (rt, fr) => fromElements(rt.c, cs.map((c) => c(rt, fr)));
      }
      case 'tuple': {
        const cs = e.elems.map((x) => this.compileExpr(x, scope));
        return (rt, fr) => ({ k: 'tuple', elems: cs.map((c) => c(rt, fr)) });
      }
      case 'bin': {
        const l = this.compileExpr(e.l, scope);
        const r = this.compileExpr(e.r, scope);
        switch (e.op) {
          case 'union':
            return (rt, fr) => union(l(rt, fr), r(rt, fr), pos);
          case 'inter':
            return (rt, fr) => {
              const a = l(rt, fr);
              return isEmptyVal(a) ? EMPTY : nz(inter(a, r(rt, fr), pos));
            };
          case 'diff':
            return (rt, fr) => {
              const a = l(rt, fr);
              return isEmptyVal(a) ? EMPTY : nz(diff(a, r(rt, fr), pos));
            };
          case 'seq': {
            const peek = this.hoistPeek.get(e.r);
            if (peek)
              // a hoisted right operand that is already known to be empty makes the left one
              // unnecessary (it is not computed early for that: evaluation stays left first)
              return (rt, fr) => {
                const b0 = peek(rt);
                if (b0 !== undefined && isEmptyVal(b0)) return EMPTY;
                const a = l(rt, fr);
                return isEmptyVal(a) ? EMPTY : nz(seq(rt.c, a, b0 ?? r(rt, fr), pos));
              };
            return (rt, fr) => {
              const a = l(rt, fr);
              return isEmptyVal(a) ? EMPTY : nz(seq(rt.c, a, r(rt, fr), pos));
            };
          }
          case 'cart':
            return (rt, fr) => {
              const a = l(rt, fr);
              return isEmptyVal(a) ? EMPTY : nz(cart(rt.c, a, r(rt, fr), pos));
            };
          case 'add':
            return (rt, fr) => add(rt.c, l(rt, fr), r(rt, fr), pos);
        }
        break;
      }
      case 'un': {
        const a = this.compileExpr(e.e, scope);
        switch (e.op) {
          case 'star':
            return (rt, fr) => {
              const r = asRel(rt.c, a(rt, fr), pos, 'closure *');
              return { k: 'rel', b: r ? rt.c.u.star(r) : rt.c.u.identity() };
            };
          case 'plus':
            return (rt, fr) => {
              const r = asRel(rt.c, a(rt, fr), pos, 'closure +');
              return r ? { k: 'rel', b: rt.c.u.plus(r) } : EMPTY;
            };
          case 'opt':
            return (rt, fr) => {
              const r = asRel(rt.c, a(rt, fr), pos, 'option ?');
              return { k: 'rel', b: r ? rt.c.u.opt(r) : rt.c.u.identity() };
            };
          case 'inv':
            return (rt, fr) => {
              const r = asRel(rt.c, a(rt, fr), pos, 'inverse ^-1');
              return r ? { k: 'rel', b: rt.c.u.inverse(r) } : EMPTY;
            };
          case 'comp':
            return (rt, fr) => {
              const v = a(rt, fr);
              if (v.k === 'set') return { k: 'set', b: rt.c.u.complementSet(v.b) };
              if (v.k === 'rel') return { k: 'rel', b: rt.c.u.complementRel(v.b) };
              if (v.k === 'empty') return { k: 'set', b: rt.c.u.fullSet() };
              return err(pos, `complement: expected a set or relation, got a ${typeName(v)}`);
            };
          case 'toid':
            return (rt, fr) => {
              const s = asSet(rt.c, a(rt, fr), pos, '[...]');
              if (!s) return EMPTY;
              const b = rt.c.u.identity(s);
              if (rt.c.u.w > 1) diagOf.set(b, s);
              return { k: 'rel', b };
            };
        }
        break;
      }
      case 'app': {
        const f = this.compileExpr(e.f, scope);
        const a = this.compileExpr(e.arg, scope);
        return (rt, fr) => {
          const fv = f(rt, fr);
          if (fv.k !== 'fn') return err(pos, `cannot apply a ${typeName(fv)}`);
          return fv.call(a(rt, fr), pos);
        };
      }
      case 'fun':
        return this.compileFun(e.pat, e.body, e.name, scope);
      case 'let': {
        const codes = e.binds.map((b) => this.compileExpr(b.e, scope));
        const inner: Scope = { names: patNames(e.binds.map((b) => b.pat)), up: scope };
        const body = this.compileExpr(e.body, inner);
        const pats = e.binds.map((b) => b.pat);
        return (rt, fr) => {
          const vals: Val[] = [];
          for (let i = 0; i < codes.length; i++) bindPat(pats[i]!, codes[i]!(rt, fr), vals, pos);
          return body(rt, { vals, up: fr });
        };
      }
      case 'letrec':
        return this.compileLetRec(e.binds, e.body, scope, pos);
      case 'try': {
        const a = this.compileExpr(e.e, scope);
        const d = this.compileExpr(e.dflt, scope);
        return (rt, fr) => {
          try {
            return a(rt, fr);
          } catch (x) {
            if (x instanceof CatRuntimeError) return d(rt, fr);
            throw x;
          }
        };
      }
      case 'if': {
        const c = this.compileCond(e.cond, scope);
        const t = this.compileExpr(e.then, scope);
        const f = this.compileExpr(e.else, scope);
        return (rt, fr) => (c(rt, fr) ? t(rt, fr) : f(rt, fr));
      }
      case 'matchset': {
        const s = this.compileExpr(e.e, scope);
        const emp = this.compileExpr(e.emptyCase, scope);
        const inner: Scope = { names: [e.elt ?? '_', e.rest ?? '_'], up: scope };
        const elt = this.compileExpr(e.eltCase, inner);
        return (rt, fr) => {
          const v = s(rt, fr);
          const els = elementsOf(rt.c, v, pos);
          if (els.length === 0) return emp(rt, fr);
          const rest = fromElements(rt.c, els.slice(1));
          return elt(rt, { vals: [els[0]!, rest], up: fr });
        };
      }
      case 'hoist': {
        const id = nextInvariantId++;
        const c = this.compileExpr(e.e, scope);
        this.hoistPeek.set(e, e.level === 2 ? (rt) => rt.st.hoisted.get(id) : (rt) => rt.hoisted.get(id));
        if (e.level === 2)
          return (rt, fr) => {
            const h = rt.st.hoisted;
            let v = h.get(id);
            if (v === undefined) h.set(id, (v = c(rt, fr)));
            return v;
          };
        return (rt, fr) => {
          let v = rt.hoisted.get(id);
          if (v === undefined) rt.hoisted.set(id, (v = c(rt, fr)));
          return v;
        };
      }
      case 'invariant': {
        const id = nextInvariantId++;
        const c = this.compileExpr(e.e, scope);
        return (rt, fr) => {
          const memo = invariantMemo[invariantMemo.length - 1];
          if (!memo) return c(rt, fr);
          let v = memo.get(id);
          if (v === undefined) memo.set(id, (v = c(rt, fr)));
          return v;
        };
      }
      case 'matchtag': {
        const s = this.compileExpr(e.e, scope);
        const cases = new Map(e.cases.map(([t, x]) => [t, this.compileExpr(x, scope)] as const));
        const d = e.dflt ? this.compileExpr(e.dflt, scope) : null;
        return (rt, fr) => {
          const v = s(rt, fr);
          if (v.k !== 'tag') return err(pos, `match: expected a tag, got a ${typeName(v)}`);
          const c = cases.get(v.name) ?? d;
          if (!c) return err(pos, `match: no case for tag '${v.name}`);
          return c(rt, fr);
        };
      }
    }
    throw new CatRuntimeError(pos, 'internal: unknown expression');
  }

  private compileCond(c: Cond, scope: Scope | null): (rt: Rt, fr: Frame | null) => boolean {
    switch (c.k) {
      case 'variant':
        return (rt) => rt.c.variants.has(c.name);
      case 'eq': {
        const l = this.compileExpr(c.l, scope);
        const r = this.compileExpr(c.r, scope);
        return (rt, fr) => valEq(l(rt, fr), r(rt, fr));
      }
      case 'subset': {
        const l = this.compileExpr(c.l, scope);
        const r = this.compileExpr(c.r, scope);
        return (rt, fr) => isEmptyVal(diff(l(rt, fr), r(rt, fr), NOPOS));
      }
      case 'in': {
        const l = this.compileExpr(c.l, scope);
        const r = this.compileExpr(c.r, scope);
        return (rt, fr) => {
          const x = l(rt, fr);
          const k = keyOf(x);
          return elementsOf(rt.c, r(rt, fr), NOPOS).some((e) => keyOf(e) === k);
        };
      }
    }
  }

  private compileFun(pat: Pat, body: Expr, name: string, scope: Scope | null, selfScope?: Scope): Code {
    const names = pat.k === 'var' ? [pat.name ?? '_'] : pat.elems.map((n) => n ?? '_');
    const inner: Scope = { names, up: selfScope ?? scope };
    const b = this.compileExpr(body, inner);
    return (rt, fr) =>
      fn(name, (arg, pos) => {
        const vals: Val[] = [];
        bindPat(pat, arg, vals, pos);
        return b(rt, { vals, up: fr });
      });
  }

  private compileLetRec(binds: Binding[], bodyE: Expr, scope: Scope | null, pos: Pos): Code {
    const names = binds.map((b) => {
      if (b.pat.k !== 'var' || b.pat.name === null) throw new CatRuntimeError(pos, 'let rec needs simple names');
      return b.pat.name;
    });
    const inner: Scope = { names, up: scope };
    const allFun = binds.every((b) => b.e.k === 'fun');
    const group = new Set(names);
    const codes = binds.map((b) => this.compileExpr(allFun ? b.e : markInvariants(b.e, group), inner));
    const body = this.compileExpr(bodyE, inner);
    return (rt, fr) => {
      const frame: Frame = { vals: names.map(() => EMPTY), up: fr };
      if (allFun) {
        for (let i = 0; i < codes.length; i++) frame.vals[i] = codes[i]!(rt, frame);
        return body(rt, frame);
      }
      invariantMemo.push(new Map());
      try {
        for (let iter = 0; ; iter++) {
          if (iter > 10000) err(pos, 'let rec does not converge');
          let same = true;
          for (let i = 0; i < codes.length; i++) {
            const nv = codes[i]!(rt, frame);
            if (!valEq(nv, frame.vals[i]!)) same = false;
            frame.vals[i] = nv;
          }
          if (same) break;
        }
      } finally {
        invariantMemo.pop();
      }
      return body(rt, frame);
    };
  }

  // ---- running ----

  /** Evaluates the model on one execution; returns one raw outcome per surviving branch. */
  run(x: Execution, opts?: RunOptions): CatOutcomeRaw[] {
    const n = x.events.length;
    const values = new Float64Array(n);
    const locId = new Int32Array(n);
    const locs = new Map<string, number>();
    for (const e of x.events) {
      values[e.id] = e.value;
      if (e.loc === null) locId[e.id] = -1;
      else {
        let l = locs.get(e.loc);
        if (l === undefined) locs.set(e.loc, (l = locs.size));
        locId[e.id] = l;
      }
    }
    const c: Ctx = { u: new Universe(n), x, values, locId, variants: this.variants, memo: new Map() };
    const key = staticKeyOf(x);
    let st = this.staticCache.get(key);
    if (st) {
      this.staticCache.delete(key);
    } else {
      st = { cells: [], builtins: null, hoisted: new Map(), rt: null };
      if (this.staticCache.size >= STATIC_CACHE_SIZE) this.staticCache.delete(this.staticCache.keys().next().value as string);
    }
    this.staticCache.set(key, st);
    const rt: Rt = { cells: new Array(this.nslots), c, shared: [], hoisted: new Map(), st };
    const fresh = !st.builtins;
    if (fresh) {
      st.builtins = [];
      const c2: Ctx = { u: c.u, x, values, locId, variants: this.variants, memo: new Map() };
      st.rt = { cells: new Array(this.nslots), c: c2, shared: [], hoisted: new Map(), st };
    }
    const srt = st.rt!;
    c.st = srt.c;
    let k = 0;
    for (const [s, b] of this.builtinSlots) {
      if (this.dyn2[s]) rt.cells[s] = thunkCell(rt, b);
      else {
        if (fresh) st.builtins!.push((srt.cells[s] = thunkCell(srt, b)));
        rt.cells[s] = st.builtins![k++];
      }
    }
    const out: CatOutcomeRaw[] = [];
    this.exec(0, rt, [], out, opts);
    return out;
  }

  private exec(
    from: number,
    rt: Rt,
    flags: { step: Step & { k: 'test' }; rt: Rt }[],
    out: CatOutcomeRaw[],
    opts?: RunOptions,
  ): boolean {
    for (let i = from; i < this.steps.length; i++) {
      const st = this.steps[i]!;
      switch (st.k) {
        case 'cells': {
          let cells: Cell[];
          if (st.level === 2) {
            const sc = rt.st.cells[i];
            if (sc) cells = sc;
            else {
              const srt = rt.st.rt!;
              cells = rt.st.cells[i] = st.mk(srt);
              for (let j = 0; j < st.slots.length; j++) srt.cells[st.slots[j]!] = cells[j];
            }
          }
          else if (st.level === 1) cells = rt.shared[i] ??= st.mk(rt);
          else cells = st.mk(rt);
          for (let j = 0; j < st.slots.length; j++) rt.cells[st.slots[j]!] = cells[j];
          break;
        }
        case 'test': {
          if (st.mode === 'flag') {
            flags = [...flags, { step: st, rt }];
            break;
          }
          const holds = testHolds(rt.c, st.test, st.code(rt, null), st.pos) !== st.negated;
          if (!holds) {
            if (opts?.failures) {
              const k = st.name ?? fmtPos(st.pos);
              opts.failures.set(k, (opts.failures.get(k) ?? 0) + 1);
            }
            return false;
          }
          break;
        }
        case 'with': {
          const fixed = opts?.fix?.get(this.withNames[i]!);
          let s: Val;
          if (fixed) {
            membershipWanted = true;
            try {
              s = st.code(rt, null);
            } finally {
              membershipWanted = false;
            }
          } else s = st.code(rt, null);
          let choices: Val[];
          if (fixed && s.k === 'vset' && s.member) {
            // a set that answers membership: no need to enumerate it
            const want = nz(fixed(rt.c.u));
            choices = s.member(want) ? [want] : [];
          } else choices = elementsOf(rt.c, s, st.pos);
          if (fixed && !(s.k === 'vset' && s.member)) {
            const want = fixed(rt.c.u);
            choices = choices.filter((ch) => valEq(ch, want));
          }
          for (const ch of choices) {
            const rt2: Rt = { cells: rt.cells.slice(), c: rt.c, shared: rt.shared, hoisted: rt.hoisted, st: rt.st };
            rt2.cells[st.slot] = valueCell(ch);
            if (this.exec(i + 1, rt2, flags, out, opts) && opts?.stopAtFirst) return true;
          }
          return out.length > 0;
        }
      }
    }
    const fired: string[] = [];
    for (const { step, rt: frt } of flags) {
      const holds = testHolds(frt.c, step.test, step.code(frt, null), step.pos) !== step.negated;
      if (holds) fired.push(step.name ?? fmtPos(step.pos));
    }
    const finalRt = rt;
    out.push({
      flags: fired,
      get: (name: string) => {
        const slot = this.slotOf.get(name);
        if (slot === undefined) return err(null, `no top-level binding '${name}'`);
        return force(finalRt.cells[slot], null, name);
      },
    });
    return true;
  }
}

/** The part of an execution that level-2 (static) bindings may depend on. */
function staticKeyOf(x: Execution): string {
  let k = '';
  for (const e of x.events) k += `${e.tid},${e.poIndex},${e.kind},${e.loc},${e.annot},${e.atomic ? 1 : 0};`;
  const rel = (r: [number, number][]) => {
    let t = '';
    for (const [a, b] of r) t += a + '>' + b + ',';
    return t;
  };
  return k + '|' + rel(x.rmw) + '|' + rel(x.addr) + '|' + rel(x.data) + '|' + rel(x.ctrl);
}

/** Free variable names of an expression (names not bound by an enclosing fun/let/match). */
function freeNames(e: Expr, bound: Set<string>, out: Set<string>): void {
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

let nextInvariantId = 0;
/** Set while a `with` that has a fixed value (RunOptions.fix) evaluates its set: built-ins that
 * can answer membership without enumerating (generate_orders) then return a lazy value set. */
let membershipWanted = false;
/** Memo tables of the fixpoint computations in progress (innermost last). */
const invariantMemo: Map<number, Val>[] = [];

/**
 * Marks the maximal operator subexpressions of a let rec binding that mention neither the
 * recursive names nor names bound inside the binding (fun parameters, inner lets): their value
 * is the same in every iteration of the fixpoint.
 */
function markInvariants(e: Expr, group: ReadonlySet<string>, inner: ReadonlySet<string> = new Set()): Expr {
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

/** Time spent per top-level binding (self time excludes nested top-level bindings), when the
 * environment variable MMCHECK_CAT_PROFILE is set. */
export const catProfile = new Map<string, { n: number; ms: number }>();
const PROFILE = typeof process !== 'undefined' && !!process.env.MMCHECK_CAT_PROFILE;
let profDepthStart: number[] = [];
function profiled(name: string, code: Code): Code {
  if (!PROFILE) return code;
  return (rt, fr) => {
    const t0 = performance.now();
    profDepthStart.push(0);
    try {
      return code(rt, fr);
    } finally {
      const inner = profDepthStart.pop()!;
      const dt = performance.now() - t0;
      const e = catProfile.get(name) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += dt - inner;
      catProfile.set(name, e);
      if (profDepthStart.length) profDepthStart[profDepthStart.length - 1]! += dt;
    }
  };
}

function valueCell(v: Val): Cell {
  return { v, f: null, rt: null, busy: false };
}

function thunkCell(rt: Rt, f: (rt: Rt, fr: null) => Val): Cell {
  return { v: undefined, f, rt, busy: false };
}

function force(cell: Cell | undefined, pos: Pos | null, name: string): Val {
  if (!cell) return err(pos, `name '${name}' is not yet defined here`);
  if (cell.v !== undefined) return cell.v;
  if (cell.busy) return err(pos, `'${name}' is defined in terms of itself (use let rec)`);
  cell.busy = true;
  try {
    const v = cell.f!(cell.rt!, null);
    cell.v = v;
    cell.f = null;
    cell.rt = null;
    return v;
  } finally {
    cell.busy = false;
  }
}

function patNames(pats: Pat[]): string[] {
  const out: string[] = [];
  for (const p of pats) {
    if (p.k === 'var') out.push(p.name ?? '_');
    else for (const n of p.elems) out.push(n ?? '_');
  }
  return out;
}

function bindPat(p: Pat, v: Val, vals: Val[], pos: Pos): void {
  if (p.k === 'var') {
    vals.push(v);
    return;
  }
  if (v.k !== 'tuple' || v.elems.length !== p.elems.length)
    err(pos, `expected a tuple of ${p.elems.length} values, got a ${typeName(v)}`);
  for (const x of v.elems) vals.push(x);
}

function letCells(rt: Rt, pats: Pat[], codes: Code[], counts: number[]): Cell[] {
  const cells: Cell[] = [];
  for (let i = 0; i < pats.length; i++) {
    const p = pats[i]!;
    const code = codes[i]!;
    if (p.k === 'var') cells.push(thunkCell(rt, code));
    else {
      let tuple: Val | undefined;
      const get = (r: Rt): Val[] => {
        if (!tuple) tuple = code(r, null);
        if (tuple.k !== 'tuple' || tuple.elems.length !== counts[i]) err(null, 'tuple pattern mismatch');
        return tuple.elems;
      };
      for (let j = 0; j < counts[i]!; j++) cells.push(thunkCell(rt, (r) => get(r)[j]!));
    }
  }
  return cells;
}

export { type Val } from './values.ts';
export { Universe } from './bits.ts';
