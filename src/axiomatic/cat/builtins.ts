// herd's pre-defined names (event sets R W M F IW …, relations po loc int ext rf rmw addr data
// ctrl …) and its standard library (po-loc rfe rfi co0 domain range fencerel …), natively.
// Every builtin is memoized per execution; those that depend only on the static part of the
// execution (not on rf, not on values) in the remembered static context, so that for example
// rfe = rf & ext reuses ext across candidates with the same events.
import type { Pos } from './ast.ts';
import { Universe } from './bits.ts';
import type { EvalCtx } from './eval-ctx.ts';
import { asRel, asSet, elementsOf, err, fromElements, inter } from './ops.ts';
import { cross, generateOrders, linearisations, partition } from './orders.ts';
import { EMPTY, typeName, type CatVal } from './values.ts';

export type Builtin = (c: EvalCtx) => CatVal;

/** Builtins that depend on rf or on event values. */
export const DYN_BUILTIN_NAMES: ReadonlySet<string> = new Set(['rf', 'rfe', 'rfi', 'different-values', 'same-values']);

/** The position builtins report errors at. */
export const NOPOS: Pos = { file: '<builtin>', line: 0, col: 0 };

export function fn(name: string, call: (arg: CatVal, pos: Pos) => CatVal): CatVal {
  return { k: 'fn', name, call };
}

/** The set of events i that satisfy pred. */
export function kindSet(c: EvalCtx, pred: (i: number) => boolean): CatVal {
  const ids: number[] = [];
  for (let i = 0; i < c.x.events.length; i++) if (pred(i)) ids.push(i);
  return { k: 'set', b: c.u.setOf(ids) };
}

function relFrom(c: EvalCtx, pairs: readonly (readonly [number, number])[]): CatVal {
  return { k: 'rel', b: c.u.relOf(pairs) };
}

function makeBuiltins(): Map<string, Builtin> {
  const B0 = new Map<string, Builtin>();
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
  const ev = (c: EvalCtx, i: number) => c.x.events[i]!;
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
    const r = asRel(a, pos, 'domain');
    return r ? { k: 'set', b: c.u.domain(r) } : EMPTY;
  }));
  B.set('range', (c) => fn('range', (a, pos) => {
    const r = asRel(a, pos, 'range');
    return r ? { k: 'set', b: c.u.range(r) } : EMPTY;
  }));
  const valueRel = (name: string, same: boolean) => (c: EvalCtx) =>
    fn(name, (a, pos) => {
      const r = asRel(a, pos, name);
      if (!r) return EMPTY;
      const out = c.u.emptyRel();
      for (const [x, y] of c.u.pairs(r)) if ((c.values[x] === c.values[y]) === same) c.u.addPair(out, x, y);
      return { k: 'rel', b: out };
    });
  B.set('different-values', valueRel('different-values', false));
  B.set('same-values', valueRel('same-values', true));
  B.set('fencerel', (c) => fn('fencerel', (a, pos) => {
    const s = asSet(c.u, a, pos, 'fencerel');
    if (!s) return EMPTY;
    const po = (B.get('po')!(c) as { b: Uint32Array }).b;
    return { k: 'rel', b: c.u.seq(Universe.and(po, c.u.cartesian(c.u.fullSet(), s)), po) };
  }));
  B.set('singlestep', (c) => fn('singlestep', (a, pos) => {
    const r = asRel(a, pos, 'singlestep');
    return r ? { k: 'rel', b: Universe.andNot(r, c.u.seq(r, r)) } : EMPTY;
  }));
  B.set('toid', (c) => fn('toid', (a, pos) => {
    const s = asSet(c.u, a, pos, 'toid');
    return s ? { k: 'rel', b: c.u.identity(s) } : EMPTY;
  }));
  const part = (c: EvalCtx) => fn('partition', (a, pos) => partition(c, asSet(c.u, a, pos, 'partition')));
  B.set('partition', part);
  B.set('classes-loc', part);
  B.set('linearisations', (c) => fn('linearisations', (a, pos) => {
    if (a.k !== 'tuple' || a.elems.length !== 2) return err(pos, 'linearisations expects (set, relation)');
    return linearisations(c.u, asSet(c.u, a.elems[0]!, pos, 'linearisations'), asRel(a.elems[1]!, pos, 'linearisations'));
  }));
  B.set('cross', (c) => fn('cross', (a, pos) => cross(c.u, a, pos)));
  B.set('generate_orders', (c) => fn('generate_orders', (a, pos) => generateOrders(c, a, pos)));
  B.set('map', (c) => fn('map', (f, pos) => {
    if (f.k !== 'fn') return err(pos, `map: expected a function, got a ${typeName(f)}`);
    return fn('map-' + f.name, (s, pos2) => fromElements(c.u, elementsOf(c.u, s, pos2).map((e) => f.call(e, pos2))));
  }));
  return B0;
}

/** Every builtin by name, each memoized per execution as described above. */
export const BUILTINS = makeBuiltins();
