// Stage 3 of the litmus pipeline: the events of each thread. A thread body is run once per path:
// every read forks on a guess of its value (taken from the location's value domain: the initial
// value plus the values that writes can store there), `if` follows the guessed values, and the
// events are recorded with herd7's syntactic addr/data/ctrl dependencies, tracked through
// registers (the dependencies through memory are the model's business: carry-dep in the bell).
// The value domains are computed by a bounded fixpoint over all threads (valueDomains).
import type { Expr, Stmt } from './ast.ts';
import type { XKind } from '../engine/execution.ts';
import { LitmusError } from './lexer.ts';
import { PRIMS, returnsValue, type AtomicOp } from './primitives.ts';
import { ADDR_BASE, isAddr, type Setup } from './setup.ts';

/** One event of a thread path. Dependencies are indices of earlier events of the same path. */
export interface PEvent {
  kind: XKind;
  /** Location id, or -1 for fences. */
  loc: number;
  value: number;
  annot: string;
  atomic: boolean;
  /** For the read of a successful RMW: index (in the path) of its write. */
  rmwW: number;
  addr: number[];
  data: number[];
  ctrl: number[];
}

export interface Path {
  tid: number;
  events: PEvent[];
  /** Final register values. */
  regs: Map<string, number>;
}

interface TVal {
  v: number;
  /** Events (path indices) this value depends on. */
  d: number[];
}

interface TState {
  regs: Map<string, TVal>;
  events: PEvent[];
  /** Events the current control flow depends on. */
  ctrl: number[];
}

function clone(s: TState): TState {
  return { regs: new Map(s.regs), events: s.events.slice(), ctrl: s.ctrl };
}

function union(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const s = new Set(a);
  for (const x of b) s.add(x);
  return [...s].sort((x, y) => x - y);
}

/** A path became infeasible (e.g. it dereferences a non-address): dropped. */
class Infeasible extends Error {}

export interface PathOptions {
  /** Value domain per location id. */
  domains: Set<number>[];
  /** Max paths per thread before giving up. */
  maxPaths: number;
  /** ctrl dependencies extend past the end of the if statement (herd7: no). */
  ctrlAfterIf?: boolean;
}

export class TooBig extends Error {}

function binop(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? 0 : Math.trunc(a / b);
    case '%': return b === 0 ? 0 : a % b;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&~': return a & ~b;
    case '<<': return a << b;
    case '>>': return a >> b;
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

/** Enumerates every path of thread `tid` under the given value domains. */
export function threadPaths(s: Setup, tid: number, opt: PathOptions): Path[] {
  const th = s.test.threads[tid]!;
  const out: Path[] = [];
  const locals = new Set<string>();
  const regs = new Map<string, TVal>();
  for (const [r, v] of s.regInit[tid]!) regs.set(r, { v, d: [] });
  const st0: TState = { regs, events: [], ctrl: [] };

  const locOf = (v: TVal): number => {
    if (!isAddr(s, v.v)) throw new Infeasible();
    return v.v - ADDR_BASE;
  };
  const push = (st: TState, ev: Omit<PEvent, 'ctrl' | 'rmwW'> & { rmwW?: number }): number => {
    st.events.push({ rmwW: -1, ...ev, ctrl: st.ctrl });
    return st.events.length - 1;
  };
  /** A read of `loc`: forks on every value of the domain. */
  const read = (st: TState, loc: number, annot: string, atomic: boolean, addr: number[], k: (v: number, idx: number, st: TState) => void): void => {
    const dom = opt.domains[loc]!;
    let first = true;
    for (const v of dom) {
      const st2 = first && dom.size === 1 ? st : clone(st);
      first = false;
      const idx = push(st2, { kind: 'R', loc, value: v, annot, atomic, addr, data: [] });
      guard(() => k(v, idx, st2));
    }
  };

  const guard = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Infeasible)) throw e;
    }
  };

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
        return evalExpr(e.e, st, (a, st1) => {
          const loc = locOf(a);
          read(st1, loc, '', false, a.d, (v, idx, st2) => k({ v, d: [idx] }, st2));
        });
      case 'un':
        return evalExpr(e.e, st, (a, st1) => k({ v: e.op === '!' ? (a.v === 0 ? 1 : 0) : e.op === '-' ? -a.v : ~a.v, d: a.d }, st1));
      case 'bin':
        return evalExpr(e.l, st, (a, st1) => evalExpr(e.r, st1, (b, st2) => k({ v: binop(e.op, a.v, b.v), d: union(a.d, b.d) }, st2)));
      case 'cond':
        return evalExpr(e.c, st, (c, st1) => evalExpr(c.v !== 0 ? e.t : e.f, st1, (r, st2) => k({ v: r.v, d: union(c.d, r.d) }, st2)));
      case 'call':
        return evalCall(e, st, k, true);
    }
  };

  const evalCall = (e: Expr & { k: 'call' }, st: TState, k: (v: TVal, st: TState) => void, needValue: boolean): void => {
    const p = PRIMS.get(e.name)!;
    if (needValue && !returnsValue(p)) throw new LitmusError(e.pos.line, e.pos.col, `${e.name} does not return a value`);
    const a = e.args;
    const none = (st1: TState): void => k({ v: 0, d: [] }, st1);
    switch (p.k) {
      case 'load':
        return evalExpr(p.deref ? (a[0] as Expr & { k: 'deref' }).e : a[0]!, st, (ad, st1) => {
          const loc = locOf(ad);
          read(st1, loc, p.annot, false, ad.d, (v, idx, st2) => k({ v, d: [idx] }, st2));
        });
      case 'store':
        return evalExpr(p.deref ? (a[0] as Expr & { k: 'deref' }).e : a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (val, st2) => {
            const loc = locOf(ad);
            push(st2, { kind: 'W', loc, value: val.v, annot: p.annot, atomic: false, addr: ad.d, data: val.d });
            if (p.mbAfter) push(st2, { kind: 'F', loc: -1, value: 0, annot: 'MB', atomic: false, addr: [], data: [] });
            none(st2);
          }));
      case 'fence':
        push(st, { kind: 'F', loc: -1, value: 0, annot: p.annot, atomic: false, addr: [], data: [] });
        return none(st);
      case 'xchg':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (val, st2) => {
            const loc = locOf(ad);
            read(st2, loc, p.annot, true, ad.d, (old, ri, st3) => {
              const wi = push(st3, { kind: 'W', loc, value: val.v, annot: p.annot, atomic: true, addr: ad.d, data: val.d });
              st3.events[ri]!.rmwW = wi;
              k({ v: old, d: [ri] }, st3);
            });
          }));
      case 'cmpxchg':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (oldE, st2) =>
            evalExpr(a[2]!, st2, (newE, st3) => {
              const loc = locOf(ad);
              read(st3, loc, p.annot, true, ad.d, (old, ri, st4) => {
                if (old === oldE.v) {
                  const wi = push(st4, { kind: 'W', loc, value: newE.v, annot: p.annot, atomic: true, addr: ad.d, data: newE.d });
                  st4.events[ri]!.rmwW = wi;
                }
                k({ v: old, d: [ri] }, st4);
              });
            })));
      case 'atomic_op': {
        const ptrE = p.konst === null ? a[1]! : a[0]!;
        const valK = (val: TVal, st1: TState): void =>
          evalExpr(ptrE, st1, (ad, st2) => {
            const loc = locOf(ad);
            read(st2, loc, 'NORETURN', true, ad.d, (old, ri, st3) => {
              const wi = push(st3, { kind: 'W', loc, value: binop(p.op, old, val.v), annot: 'NORETURN', atomic: true, addr: ad.d, data: union(val.d, [ri]) });
              st3.events[ri]!.rmwW = wi;
              none(st3);
            });
          });
        return p.konst === null ? evalExpr(a[0]!, st, valK) : valK({ v: p.konst, d: [] }, st);
      }
      case 'atomic_ret': {
        const ptrE = p.konst === null ? a[1]! : a[0]!;
        const valK = (val: TVal, st1: TState): void =>
          evalExpr(ptrE, st1, (ad, st2) => {
            const loc = locOf(ad);
            read(st2, loc, p.annot, true, ad.d, (old, ri, st3) => {
              const nv = binop(p.op, old, val.v);
              const wi = push(st3, { kind: 'W', loc, value: nv, annot: p.annot, atomic: true, addr: ad.d, data: union(val.d, [ri]) });
              st3.events[ri]!.rmwW = wi;
              let ret = p.fetch ? old : nv;
              if (p.test === '==0') ret = ret === 0 ? 1 : 0;
              else if (p.test === '<0') ret = ret < 0 ? 1 : 0;
              k({ v: ret, d: [ri] }, st3);
            });
          });
        return p.konst === null ? evalExpr(a[0]!, st, valK) : valK({ v: p.konst, d: [] }, st);
      }
      case 'add_unless':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (av, st2) =>
            evalExpr(a[2]!, st2, (uv, st3) => {
              const loc = locOf(ad);
              read(st3, loc, 'MB', true, ad.d, (old, ri, st4) => {
                if (old !== uv.v) {
                  const wi = push(st4, { kind: 'W', loc, value: old + av.v, annot: 'MB', atomic: true, addr: ad.d, data: union(av.d, [ri]) });
                  st4.events[ri]!.rmwW = wi;
                  k({ v: 1, d: [ri] }, st4);
                } else k({ v: 0, d: [ri] }, st4);
              });
            })));
      case 'spin_lock':
        return evalExpr(a[0]!, st, (ad, st1) => {
          const loc = locOf(ad);
          push(st1, { kind: 'LKR', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
          push(st1, { kind: 'LKW', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
          none(st1);
        });
      case 'spin_unlock':
        return evalExpr(a[0]!, st, (ad, st1) => {
          push(st1, { kind: 'UL', loc: locOf(ad), value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
          none(st1);
        });
      case 'spin_trylock':
        return evalExpr(a[0]!, st, (ad, st1) => {
          const loc = locOf(ad);
          const st2 = clone(st1);
          push(st1, { kind: 'LKR', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
          push(st1, { kind: 'LKW', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
          guard(() => k({ v: 1, d: [] }, st1));
          const fi = push(st2, { kind: 'LF', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
          guard(() => k({ v: 0, d: [fi] }, st2));
        });
      case 'spin_is_locked':
        return evalExpr(a[0]!, st, (ad, st1) => {
          const loc = locOf(ad);
          const st2 = clone(st1);
          const i1 = push(st1, { kind: 'RL', loc, value: 1, annot: '', atomic: false, addr: ad.d, data: [] });
          guard(() => k({ v: 1, d: [i1] }, st1));
          const i2 = push(st2, { kind: 'RU', loc, value: 0, annot: '', atomic: false, addr: ad.d, data: [] });
          guard(() => k({ v: 0, d: [i2] }, st2));
        });
      case 'srcu_lock':
        return evalExpr(a[0]!, st, (ad, st1) => {
          const loc = locOf(ad);
          read(st1, loc, 'srcu-lock', false, ad.d, (v, idx, st2) => k({ v, d: [idx] }, st2));
        });
      case 'srcu_unlock':
        return evalExpr(a[0]!, st, (ad, st1) =>
          evalExpr(a[1]!, st1, (val, st2) => {
            push(st2, { kind: 'W', loc: locOf(ad), value: val.v, annot: 'srcu-unlock', atomic: false, addr: ad.d, data: val.d });
            none(st2);
          }));
      case 'sync_srcu':
        return evalExpr(a[0]!, st, (ad, st1) => {
          push(st1, { kind: 'SRCU', loc: locOf(ad), value: 0, annot: 'sync-srcu', atomic: false, addr: ad.d, data: [] });
          none(st1);
        });
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
          evalExpr(x.e, st1, (val, st2) => {
            const loc = locOf(ad);
            push(st2, { kind: 'W', loc, value: val.v, annot: '', atomic: false, addr: ad.d, data: val.d });
            k(st2);
          }));
      case 'expr':
        if (x.e.k === 'call') return evalCall(x.e, st, (_v, st1) => k(st1), false);
        return evalExpr(x.e, st, (_v, st1) => k(st1));
      case 'block':
        return execList(x.body, 0, st, k);
      case 'if': {
        const c = x.c;
        return evalExpr(c, st, (cv, st1) => {
          const taken = cv.v !== 0;
          const branch = taken ? x.t : x.f;
          const saved = st1.ctrl;
          st1.ctrl = union(saved, cv.d);
          execList(branch ?? [], 0, st1, (st2) => {
            if (!opt.ctrlAfterIf) st2.ctrl = saved;
            k(st2);
          });
        });
      }
    }
  };

  guard(() => execList(th.body, 0, st0, (st) => {
    if (out.length >= opt.maxPaths) throw new TooBig(`thread P${tid} has more than ${opt.maxPaths} paths`);
    const regsOut = new Map<string, number>();
    for (const [r, v] of st.regs) regsOut.set(r, v.v);
    out.push({ tid, events: st.events, regs: regsOut });
  }));
  return out;
}

export { Infeasible };
