// herd's order-building library, natively: linearisations(S, r), partition(S) (by location),
// cross(S), and generate_orders(S, pco), from which cos-opt.cat draws every coherence order.
// generate_orders also answers "is this relation one of them" without enumerating, for a `with`
// whose value is fixed in advance (RunOptions.fix: an explorer that has already chosen co).
import type { Pos } from './ast.ts';
import { Universe } from './bits.ts';
import type { EvalCtx } from './eval-ctx.ts';
import { asRel, asSet, elementsOf, err, fromElements, union } from './ops.ts';
import { EMPTY, keyOf, mkVset, type CatVal } from './values.ts';

/** Every strict total order of the events of s that contains r (restricted to s). */
export function linearisations(u: Universe, s: Uint32Array | null, r: Uint32Array | null): CatVal {
  if (!s) return mkVset([EMPTY]);
  const nodes = u.members(s);
  const m = nodes.length;
  // predecessor masks over the local indices
  const pred = new Array<number[]>(m);
  for (let a = 0; a < m; a++) {
    pred[a] = [];
    for (let b = 0; b < m; b++) if (a !== b && r && u.hasPair(r, nodes[b]!, nodes[a]!)) pred[a]!.push(b);
  }
  const out: CatVal[] = [];
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

/** The events of s grouped by location (a set of event sets). */
export function partition(c: EvalCtx, s: Uint32Array | null): CatVal {
  if (!s) return EMPTY;
  const byLoc = new Map<number, number[]>();
  for (const i of c.u.members(s)) {
    const l = c.locId[i]!;
    if (l < 0) continue;
    let g = byLoc.get(l);
    if (!g) byLoc.set(l, (g = []));
    g.push(i);
  }
  return mkVset([...byLoc.values()].map((ids) => ({ k: 'set', b: c.u.setOf(ids) }) as CatVal));
}

/** cross(S): every union that picks one element from each member of S (cross({}) = {0}). */
export function cross(u: Universe, v: CatVal, pos: Pos): CatVal {
  let acc: CatVal[] = [EMPTY];
  for (const os of elementsOf(u, v, pos)) {
    const opts = os.k === 'vset' ? os.elems : os.k === 'empty' ? [] : [os];
    const next: CatVal[] = [];
    for (const a of acc) for (const o of opts) next.push(union(a, o, pos));
    acc = next;
    if (acc.length === 0) return EMPTY;
  }
  return mkVset(acc);
}

/** Set while a `with` that has a fixed value (RunOptions.fix) evaluates its set: generate_orders
 * then returns a lazy value set that answers membership without enumerating. */
let membershipWanted = false;

/** Runs f with generate_orders answering membership lazily. */
export function withMembership<T>(f: () => T): T {
  membershipWanted = true;
  try {
    return f();
  } finally {
    membershipWanted = false;
  }
}

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

/**
 * generate_orders(s, pco): every relation that is, at each location, a strict total order of
 * the events of s there that contains pco's pairs among them; i.e. exactly
 * `cross(map (fun ws -> linearisations(ws, pco)) (partition(s)))`, which is how its value set is
 * enumerated (same elements, same order). Membership is also answered without enumerating, so
 * that `with co from generate_orders(...)` with a fixed co (RunOptions.fix) costs O(n^2/32).
 */
export function generateOrders(c: EvalCtx, a: CatVal, pos: Pos): CatVal {
  if (a.k !== 'tuple' || a.elems.length !== 2) return err(pos, 'generate_orders expects (set, relation)');
  const u = c.u;
  const s = asSet(u, a.elems[0]!, pos, 'generate_orders');
  const pco = asRel(a.elems[1]!, pos, 'generate_orders');
  const enumerate = (): CatVal => {
    const parts = partition(c, s);
    const opts = fromElements(u, elementsOf(u, parts, pos).map((ws) => linearisations(u, asSet(u, ws, pos, 'linearisations'), pco)));
    return cross(u, opts, pos);
  };
  // Only a `with` that has a fixed value asks for membership; otherwise enumerate at once.
  if (!membershipWanted) return enumerate();
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
  const member = (v: CatVal): boolean => {
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
  let forced: CatVal | null = null;
  const force = (): CatVal => (forced ??= enumerate());
  const lazy = {
    k: 'vset' as const,
    member: (v: CatVal) => {
      if (forced) return forced.k === 'vset' && forced.keys.has(keyOf(v));
      return member(v);
    },
    get elems(): CatVal[] {
      const f = force();
      return f.k === 'vset' ? f.elems : [];
    },
    get keys(): Set<string> {
      const f = force();
      return f.k === 'vset' ? f.keys : new Set<string>();
    },
  };
  return lazy;
}
