// Stage 3 of the litmus pipeline: the events of each thread, symbolically, as herd7 does. A thread
// body is run once per path: a read returns a symbolic value (the variable of its event), values
// are expressions over those variables, and wherever the code needs a concrete value — an `if`
// condition, a cmpxchg/add_unless comparison, the address of an access — the path forks over the
// possibilities and records a constraint. The events carry herd7's syntactic addr/data/ctrl
// dependencies, tracked through registers (the dependencies through memory are the model's
// business: carry-dep in the bell). candidates.ts later fixes rf and solves the values.
import type { Expr, Stmt } from './ast.ts';
import type { XKind } from '../axiomatic/execution.ts';
import { LitmusError } from './lexer.ts';
import { ADDR_BASE, isAddr, type Setup } from './setup.ts';

/** A symbolic value: a constant, or an expression over the values of the path's reads. */
export type SVal = number | SNode;
export type SNode =
  | { op: 'var'; ev: number }
  | { op: 'un'; f: '!' | '-' | '~'; a: SVal }
  | { op: 'bin'; f: string; a: SVal; b: SVal }
  | { op: 'ite'; c: SVal; a: SVal; b: SVal };

/** One event of a thread path. Dependencies are indices of earlier events of the same path. */
export interface PEvent {
  kind: XKind;
  /** Location id, or -1 for fences. */
  loc: number;
  /** Value read (the event's own variable for reads) or written. */
  value: SVal;
  annot: string;
  atomic: boolean;
  /** For the read of a successful RMW: index (in the path) of its write. */
  rmwW: number;
  addr: number[];
  data: number[];
  ctrl: number[];
}

/** The path is feasible only if `e` is non-zero (want true) or zero (want false). */
export interface Constraint {
  e: SVal;
  want: boolean;
}

export interface Path {
  tid: number;
  events: PEvent[];
  constraints: Constraint[];
  /** Final register values. */
  regs: Map<string, SVal>;
}

interface TVal {
  v: SVal;
  /** Events (path indices) this value depends on. */
  d: number[];
}

interface TState {
  regs: Map<string, TVal>;
  events: PEvent[];
  cons: Constraint[];
  /** Events the current control flow depends on. */
  ctrl: number[];
}

function clone(s: TState): TState {
  return { regs: s.regs, events: s.events.slice(), cons: s.cons.slice(), ctrl: s.ctrl };
}

function union(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const s = new Set(a);
  for (const x of b) s.add(x);
  return [...s].sort((x, y) => x - y);
}

export interface PathOptions {
  /** Max paths per thread before giving up. */
  maxPaths: number;
  /** ctrl dependencies extend past the end of the if statement (herd7: no). */
  ctrlAfterIf?: boolean;
}

export class TooBig extends Error {
  constructor(
    message: string,
    /** True when the deadline (--timeout) passed, rather than a size bound. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** A 64-bit two's-complement result, as herd7 wraps it. */
function int64(x: bigint): number {
  return Number(BigInt.asIntN(64, x));
}

export function binop(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? 0 : Math.trunc(a / b);
    case '%': return b === 0 ? 0 : a % b;
    // herd7 computes on 64-bit integers (herdtools7 lib/int64Constant.ml); JavaScript's bitwise
    // operators on 32: their fast path only where the two agree.
    case '&': return (a | 0) === a && (b | 0) === b ? a & b : int64(BigInt(a) & BigInt(b));
    case '|': return (a | 0) === a && (b | 0) === b ? a | b : int64(BigInt(a) | BigInt(b));
    case '^': return (a | 0) === a && (b | 0) === b ? a ^ b : int64(BigInt(a) ^ BigInt(b));
    case '&~': return (a | 0) === a && (b | 0) === b ? a & ~b : int64(BigInt(a) & ~BigInt(b));
    case '<<': return (a | 0) === a && b >= 0 && b < 32 && ((a << b) >> b) === a ? a << b : int64(BigInt(a) << BigInt(b & 63));
    case '>>': return (a | 0) === a && b >= 0 && b < 32 ? a >> b : int64(BigInt(a) >> BigInt(b & 63));
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '&&': return a !== 0 && b !== 0 ? 1 : 0;
    case '||': return a !== 0 || b !== 0 ? 1 : 0;
    default: throw new Error(`unknown operator ${op}`);
  }
}

function unop(f: '!' | '-' | '~', a: number): number {
  return f === '!' ? (a === 0 ? 1 : 0) : f === '-' ? -a : ~a;
}

export function mkBin(f: string, a: SVal, b: SVal): SVal {
  if (typeof a === 'number' && typeof b === 'number') return binop(f, a, b);
  return { op: 'bin', f, a, b };
}
function mkUn(f: '!' | '-' | '~', a: SVal): SVal {
  return typeof a === 'number' ? unop(f, a) : { op: 'un', f, a };
}

/**
 * Evaluates a symbolic value; `varVal(ev)` gives the value of the read at path index ev
 * (undefined when it cannot be determined, e.g. a cycle). Returns undefined if undetermined.
 */
export function evalS(v: SVal, varVal: (ev: number) => number | undefined): number | undefined {
  if (typeof v === 'number') return v;
  switch (v.op) {
    case 'var': return varVal(v.ev);
    case 'un': {
      const a = evalS(v.a, varVal);
      return a === undefined ? undefined : unop(v.f, a);
    }
    case 'bin': {
      const a = evalS(v.a, varVal);
      if (a === undefined) return undefined;
      const b = evalS(v.b, varVal);
      return b === undefined ? undefined : binop(v.f, a, b);
    }
    case 'ite': {
      const c = evalS(v.c, varVal);
      if (c === undefined) return undefined;
      return evalS(c !== 0 ? v.a : v.b, varVal);
    }
  }
}

/** Enumerates every path of thread `tid`. */
export function threadPaths(s: Setup, tid: number, opt: PathOptions): Path[] {
  const th = s.test.threads[tid]!;
  const out: Path[] = [];
  const locals = new Set<string>();
  const regs = new Map<string, TVal>();
  for (const [r, v] of s.regInit[tid]!) regs.set(r, { v, d: [] });
  const st0: TState = { regs, events: [], cons: [], ctrl: [] };
  const nlocs = s.locs.length;

  const push = (st: TState, ev: Omit<PEvent, 'ctrl' | 'rmwW'>): number => {
    st.events.push({ rmwW: -1, ...ev, ctrl: st.ctrl });
    return st.events.length - 1;
  };
  /** Forks on a symbolic value being true (non-zero) or false. */
  const branch = (st: TState, c: SVal, k: (b: boolean, st: TState) => void): void => {
    if (typeof c === 'number') return k(c !== 0, st);
    const st2 = clone(st);
    st.cons.push({ e: c, want: true });
    k(true, st);
    st2.cons.push({ e: c, want: false });
    k(false, st2);
  };
  /** The location an address value denotes: forks over all locations when it is symbolic. */
  const withLoc = (st: TState, a: SVal, k: (loc: number, st: TState) => void): void => {
    if (typeof a === 'number') {
      if (!isAddr(s, a)) return; // dereferencing a non-address: no such path
      return k(a - ADDR_BASE, st);
    }
    for (let l = 0; l < nlocs; l++) {
      const st2 = l === nlocs - 1 ? st : clone(st);
      st2.cons.push({ e: mkBin('==', a, ADDR_BASE + l), want: true });
      k(l, st2);
    }
  };
  const read = (st: TState, loc: number, annot: string, atomic: boolean, addr: number[]): [SVal, number] => {
    const idx = st.events.length;
    const v: SVal = { op: 'var', ev: idx };
    push(st, { kind: 'R', loc, value: v, annot, atomic, addr, data: [] });
    return [v, idx];
  };
  const derefArg = (e: Expr): Expr => (e.k === 'deref' ? e.e : e);

  const evalExpr = (e: Expr, st: TState, k: (v: TVal, st: TState) => void): void => {
    switch (e.k) {
      case 'num':
        return k({ v: e.v, d: [] }, st);
      case 'id': {
        const r = st.regs.get(e.name);
        if (r) return k(r, st);
        const a = s.locId.get(e.name);
        if (a !== undefined && !locals.has(e.name)) return k({ v: ADDR_BASE + a, d: [] }, st);
        return k({ v: 0, d: [] }, st);
      }
      case 'addr': {
        if (e.e.k === 'deref') return evalExpr(e.e.e, st, k);
        if (e.e.k === 'id' && s.locId.has(e.e.name) && !st.regs.has(e.e.name)) {
          return k({ v: ADDR_BASE + s.locId.get(e.e.name)!, d: [] }, st);
        }
        throw new LitmusError(e.pos.line, e.pos.col, "'&' must be applied to a shared location");
      }
      case 'deref':
        return evalExpr(e.e, st, (a, st1) =>
          withLoc(st1, a.v, (loc, st2) => {
            const [v, idx] = read(st2, loc, '', false, a.d);
            k({ v, d: [idx] }, st2);
          }));
      case 'un':
        return evalExpr(e.e, st, (a, st1) => k({ v: mkUn(e.op, a.v), d: a.d }, st1));
      case 'bin':
        return evalExpr(e.l, st, (a, st1) => evalExpr(e.r, st1, (b, st2) => k({ v: mkBin(e.op, a.v, b.v), d: union(a.d, b.d) }, st2)));
      case 'cond':
        return evalExpr(e.c, st, (c, st1) =>
          branch(st1, c.v, (b, st2) => evalExpr(b ? e.t : e.f, st2, (r, st3) => k({ v: r.v, d: union(c.d, r.d) }, st3))));
      case 'call':
        return evalCall(e, st, k, true);
    }
  };

  const evalCall = (e: Expr & { k: 'call' }, st: TState, k: (v: TVal, st: TState) => void, needValue: boolean): void => {
    const macro = e.macro;
    const p = macro.prim;
    if (needValue && !macro.returns) throw new LitmusError(e.pos.line, e.pos.col, `${e.name} does not return a value`);
    const a = e.args;
    const none = (st1: TState): void => k({ v: 0, d: [] }, st1);
    switch (p.k) {
      case 'load':
        return evalExpr(p.deref ? derefArg(a[0]!) : a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            const [v, idx] = read(st2, loc, p.annot, false, ad.d);
            k({ v, d: [idx] }, st2);
          }));
      case 'store':
        return evalExpr(p.deref ? derefArg(a[0]!) : a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (val, st2) =>
            withLoc(st2, ad.v, (loc, st3) => {
              push(st3, { kind: 'W', loc, value: val.v, annot: p.annot, atomic: false, addr: ad.d, data: val.d });
              if (p.mbAfter) push(st3, { kind: 'F', loc: -1, value: 0, annot: 'MB', atomic: false, addr: [], data: [] });
              none(st3);
            })));
      case 'fence':
        push(st, { kind: 'F', loc: -1, value: 0, annot: p.annot, atomic: false, addr: [], data: [] });
        return none(st);
      case 'xchg':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (val, st2) =>
            withLoc(st2, ad.v, (loc, st3) => {
              const [old, ri] = read(st3, loc, p.annot, true, ad.d);
              const wi = push(st3, { kind: 'W', loc, value: val.v, annot: p.annot, atomic: true, addr: ad.d, data: val.d });
              st3.events[ri] = { ...st3.events[ri]!, rmwW: wi };
              k({ v: old, d: [ri] }, st3);
            })));
      case 'cmpxchg':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (oldE, st2) =>
            evalExpr(a[2]!, st2, (newE, st3) =>
              withLoc(st3, ad.v, (loc, st4) => {
                const [old, ri] = read(st4, loc, p.annot, true, ad.d);
                branch(st4, mkBin('==', old, oldE.v), (eq, st5) => {
                  if (eq) {
                    const wi = push(st5, { kind: 'W', loc, value: newE.v, annot: p.annot, atomic: true, addr: ad.d, data: newE.d });
                    st5.events[ri] = { ...st5.events[ri]!, rmwW: wi };
                  }
                  k({ v: old, d: [ri] }, st5);
                });
              }))));
      case 'atomic_op': {
        const ptrE = p.konst === null ? a[1]! : a[0]!;
        const valK = (val: TVal, st1: TState): void =>
          evalExpr(ptrE, st1, (ad, st2) =>
            withLoc(st2, ad.v, (loc, st3) => {
              const [old, ri] = read(st3, loc, 'NORETURN', true, ad.d);
              const wi = push(st3, { kind: 'W', loc, value: mkBin(p.op, old, val.v), annot: 'NORETURN', atomic: true, addr: ad.d, data: union(val.d, [ri]) });
              st3.events[ri] = { ...st3.events[ri]!, rmwW: wi };
              none(st3);
            }));
        return p.konst === null ? evalExpr(a[0]!, st, valK) : valK({ v: p.konst, d: [] }, st);
      }
      case 'atomic_ret': {
        const ptrE = p.konst === null ? a[1]! : a[0]!;
        const valK = (val: TVal, st1: TState): void =>
          evalExpr(ptrE, st1, (ad, st2) =>
            withLoc(st2, ad.v, (loc, st3) => {
              const [old, ri] = read(st3, loc, p.annot, true, ad.d);
              const nv = mkBin(p.op, old, val.v);
              const wi = push(st3, { kind: 'W', loc, value: nv, annot: p.annot, atomic: true, addr: ad.d, data: union(val.d, [ri]) });
              st3.events[ri] = { ...st3.events[ri]!, rmwW: wi };
              let ret = p.fetch ? old : nv;
              if (p.test === '==0') ret = mkBin('==', ret, 0);
              else if (p.test === '<0') ret = mkBin('<', ret, 0);
              k({ v: ret, d: [ri] }, st3);
            }));
        return p.konst === null ? evalExpr(a[0]!, st, valK) : valK({ v: p.konst, d: [] }, st);
      }
      case 'add_unless':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (av, st2) =>
            evalExpr(a[2]!, st2, (uv, st3) =>
              withLoc(st3, ad.v, (loc, st4) => {
                const [old, ri] = read(st4, loc, 'MB', true, ad.d);
                branch(st4, mkBin('!=', old, uv.v), (add, st5) => {
                  if (add) {
                    const wi = push(st5, { kind: 'W', loc, value: mkBin('+', old, av.v), annot: 'MB', atomic: true, addr: ad.d, data: union(av.d, [ri]) });
                    st5.events[ri] = { ...st5.events[ri]!, rmwW: wi };
                    k({ v: 1, d: [ri] }, st5);
                  } else k({ v: 0, d: [ri] }, st5);
                });
              }))));
      case 'spin_lock':
        return evalExpr(a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            push(st2, { kind: 'LKR', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
            push(st2, { kind: 'LKW', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
            none(st2);
          }));
      case 'spin_unlock':
        return evalExpr(a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            push(st2, { kind: 'UL', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
            none(st2);
          }));
      case 'spin_trylock':
        return evalExpr(a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            const st3 = clone(st2);
            push(st2, { kind: 'LKR', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
            push(st2, { kind: 'LKW', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
            k({ v: 1, d: [] }, st2);
            const fi = push(st3, { kind: 'LF', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
            k({ v: 0, d: [fi] }, st3);
          }));
      case 'spin_is_locked':
        return evalExpr(a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            const st3 = clone(st2);
            const i1 = push(st2, { kind: 'RL', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
            k({ v: 1, d: [i1] }, st2);
            const i2 = push(st3, { kind: 'RU', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
            k({ v: 0, d: [i2] }, st3);
          }));
      case 'srcu_lock':
        return evalExpr(a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            const [v, idx] = read(st2, loc, 'srcu-lock', false, ad.d);
            k({ v, d: [idx] }, st2);
          }));
      case 'srcu_unlock':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (val, st2) =>
            withLoc(st2, ad.v, (loc, st3) => {
              push(st3, { kind: 'W', loc, value: val.v, annot: 'srcu-unlock', atomic: false, addr: ad.d, data: val.d });
              none(st3);
            })));
      case 'sync_srcu':
        return evalExpr(a[0]!, st, (ad, st1) =>
          withLoc(st1, ad.v, (loc, st2) => {
            push(st2, { kind: 'SRCU', loc, value: 0, annot: 'sync-srcu', atomic: false, addr: ad.d, data: [] });
            none(st2);
          }));
    }
  };

  const execList = (body: Stmt[], i: number, st: TState, k: (st: TState) => void): void => {
    if (i >= body.length) return k(st);
    execStmt(body[i]!, st, (st1) => execList(body, i + 1, st1, k));
  };

  const assign = (st: TState, reg: string, v: TVal): void => {
    st.regs = new Map(st.regs);
    st.regs.set(reg, v);
  };

  const execStmt = (x: Stmt, st: TState, k: (st: TState) => void): void => {
    switch (x.k) {
      case 'decl':
        locals.add(x.name);
        if (x.init) return evalExpr(x.init, st, (v, st1) => { assign(st1, x.name, v); k(st1); });
        if (!st.regs.has(x.name)) assign(st, x.name, { v: 0, d: [] });
        return k(st);
      case 'assign':
        locals.add(x.reg);
        return evalExpr(x.e, st, (v, st1) => { assign(st1, x.reg, v); k(st1); });
      case 'store':
        return evalExpr(x.addr, st, (ad, st1) =>
          evalExpr(x.e, st1, (val, st2) =>
            withLoc(st2, ad.v, (loc, st3) => {
              push(st3, { kind: 'W', loc, value: val.v, annot: '', atomic: false, addr: ad.d, data: val.d });
              k(st3);
            })));
      case 'expr':
        if (x.e.k === 'call') return evalCall(x.e, st, (_v, st1) => k(st1), false);
        return evalExpr(x.e, st, (_v, st1) => k(st1));
      case 'block':
        return execList(x.body, 0, st, k);
      case 'if':
        return evalExpr(x.c, st, (cv, st1) =>
          branch(st1, cv.v, (taken, st2) => {
            const saved = st2.ctrl;
            st2.ctrl = union(saved, cv.d);
            execList((taken ? x.t : x.f) ?? [], 0, st2, (st3) => {
              if (!opt.ctrlAfterIf) st3.ctrl = saved;
              k(st3);
            });
          }));
    }
  };

  execList(th.body, 0, st0, (st) => {
    if (out.length >= opt.maxPaths) throw new TooBig(`thread P${tid} has more than ${opt.maxPaths} paths`);
    const regsOut = new Map<string, SVal>();
    for (const [r, v] of st.regs) regsOut.set(r, v.v);
    out.push({ tid, events: st.events, constraints: st.cons, regs: regsOut });
  });
  return out;
}
