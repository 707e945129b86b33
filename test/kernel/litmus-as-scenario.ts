// A C litmus test run as a scenario (test helper for test/kernel/rcu-lkmm.test.ts): the threads of
// the test become engine threads that call the kernel model's rcu_read_lock(), rcu_read_unlock()
// and synchronize_rcu() (src/kernel), with READ_ONCE/WRITE_ONCE & co. as loads and stores of the
// same modes, and the syntactic addr/data/ctrl dependencies herd7 computes declared with
// t.depends(). So the scenario explorer under --model lkmm and `mmcheck litmus` judge the same
// program, and their executions can be compared one for one.
//
// Only a subset of the dialect is translated: marked and plain loads and stores, the barriers,
// spin_lock/spin_unlock, RCU (not SRCU), `if`, and arithmetic on registers. A test outside it (RMWs, SRCU, an
// access with two dependencies, which t.depends() cannot declare) is reported as unsupported,
// never translated approximately.
import type { Expr, Stmt } from '../../src/litmus/ast.ts';
import { ADDR_BASE, isAddr, type Setup } from '../../src/litmus/setup.ts';
import { FENCE_PRIMITIVES } from '../../src/axiomatic/lkmm/def.ts';
import { defineProgram, type Program } from '../../src/engine/program.ts';
import { Mode, type Ctx, type Loc, type ThreadGen } from '../../src/engine/ops.ts';
import { Cpus } from '../../src/kernel/cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../../src/kernel/include/linux/rcupdate.ts';
import { synchronize_rcu } from '../../src/kernel/kernel/rcu/tree.ts';

/** A test the translation does not cover, and why. */
export class Unsupported extends Error {}

/** Where a value came from: the n-th read of `loc` by its thread (a dependency's source). */
interface Src { loc: Loc; n: number }
interface Val { v: number; src: Src[] }

const LOADS: Record<string, { mode: Mode; lvalue: boolean }> = {
  READ_ONCE: { mode: Mode.Once, lvalue: true },
  rcu_dereference: { mode: Mode.Once, lvalue: true },
  smp_load_acquire: { mode: Mode.Acquire, lvalue: false },
};
const STORES: Record<string, { mode: Mode; lvalue: boolean }> = {
  WRITE_ONCE: { mode: Mode.Once, lvalue: true },
  rcu_assign_pointer: { mode: Mode.Release, lvalue: true },
  smp_store_release: { mode: Mode.Release, lvalue: false },
};

const LOCKS = ['spin_lock', 'spin_unlock'];

function binop(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b; case '-': return a - b; case '*': return a * b;
    case '/': return b === 0 ? 0 : Math.trunc(a / b); case '%': return b === 0 ? 0 : a % b;
    case '&': return a & b; case '|': return a | b; case '^': return a ^ b;
    case '<<': return a << b; case '>>': return a >> b;
    case '==': return +(a === b); case '!=': return +(a !== b);
    case '<': return +(a < b); case '>': return +(a > b); case '<=': return +(a <= b); case '>=': return +(a >= b);
    case '&&': return +(a !== 0 && b !== 0); case '||': return +(a !== 0 || b !== 0);
    default: throw new Unsupported(`operator ${op}`);
  }
}

/** The statements every thread runs must be in the subset: checked once, before exploring. */
function checkStmts(body: Stmt[]): void {
  const expr = (e: Expr): void => {
    switch (e.k) {
      case 'num': case 'id': return;
      case 'deref': case 'addr': case 'un': return expr(e.e);
      case 'bin': expr(e.l); expr(e.r); return;
      case 'cond': expr(e.c); expr(e.t); expr(e.f); return;
      case 'call':
        if (!(e.name in LOADS) && !(e.name in STORES) && !(e.name in FENCE_PRIMITIVES) && !LOCKS.includes(e.name)) throw new Unsupported(`${e.name}()`);
        e.args.forEach(expr);
    }
  };
  for (const s of body) {
    switch (s.k) {
      case 'decl': if (s.init) expr(s.init); break;
      case 'assign': case 'expr': expr(s.e); break;
      case 'store': expr(s.addr); expr(s.e); break;
      case 'if': expr(s.c); checkStmts(s.t); if (s.f) checkStmts(s.f); break;
      case 'block': checkStmts(s.body); break;
    }
  }
}

/**
 * The test as an engine program. Each thread returns its registers; the caller reads them (and
 * the final memory) with b.final through `observe`.
 */
export function scenarioOf(s: Setup, observe: (regs: Map<string, number>[], mem: (name: string) => number) => void): Program {
  for (const th of s.test.threads) checkStmts(th.body);
  return defineProgram({
    name: s.test.name,
    setup(b) {
      const n = s.test.threads.length;
      const cpus = new Cpus(b, n);
      const locs = s.locs.map((name, i) => b.loc(name, s.init[i]!));
      const locOf = (addr: number): Loc => {
        if (!isAddr(s, addr)) throw new Unsupported(`an access to ${addr}, which is not a location`);
        return locs[addr - ADDR_BASE]!;
      };
      s.test.threads.forEach((th, tid) => {
        b.thread(`P${tid}`, function* (t: Ctx): ThreadGen<Map<string, number>> {
          const cpu = cpus.cpu[tid]!;
          const regs = new Map<string, Val>();
          for (const [r, v] of s.regInit[tid] ?? []) regs.set(r, { v, src: [] });
          const reads = new Map<Loc, number>(); // reads of each location so far
          let ctrl: Src[] = [];
          /** Declares the one dependency of the next access (t.depends), if it has one. */
          const declare = (addr: Src[], data: Src[]): void => {
            const deps: ['addr' | 'data' | 'ctrl', Src][] = [];
            for (const x of addr) deps.push(['addr', x]);
            for (const x of data) deps.push(['data', x]);
            for (const x of ctrl) deps.push(['ctrl', x]);
            const uniq = new Map(deps.map((d) => [`${d[1].loc}:${d[1].n}`, d]));
            if (uniq.size === 0) return;
            if (uniq.size > 1) throw new Unsupported('an access with two dependencies (t.depends() declares one)');
            const [kind, from] = [...uniq.values()][0]!;
            if (reads.get(from.loc) !== from.n) throw new Unsupported('a dependency on a read that is not the latest of its location');
            t.depends(kind, from.loc);
          };
          const load = function* (addr: Val, mode: Mode): ThreadGen<Val> {
            const loc = locOf(addr.v);
            declare(addr.src, []);
            const v: number = yield t.load(loc, mode);
            const k = (reads.get(loc) ?? 0) + 1;
            reads.set(loc, k);
            return { v, src: [{ loc, n: k }] };
          };
          const store = function* (addr: Val, val: Val, mode: Mode): ThreadGen<void> {
            declare(addr.src, val.src);
            yield t.store(locOf(addr.v), val.v, mode);
          };
          /** The address an access argument names: `*e` for the lvalue macros, else the pointer e. */
          const address = function* (e: Expr, lvalue: boolean): ThreadGen<Val> {
            if (!lvalue) return yield* evaluate(e);
            if (e.k === 'deref') return yield* evaluate(e.e);
            throw new Unsupported('a marked access to something other than *p');
          };
          const evaluate = function* (e: Expr): ThreadGen<Val> {
            switch (e.k) {
              case 'num': return { v: e.v, src: [] };
              case 'id': {
                const r = regs.get(e.name);
                if (r) return r;
                const i = s.locId.get(e.name);
                if (i === undefined) throw new Unsupported(`unknown name ${e.name}`);
                return { v: ADDR_BASE + i, src: [] };
              }
              case 'deref': return yield* load(yield* evaluate(e.e), Mode.Plain);
              case 'addr':
                if (e.e.k === 'deref') return yield* evaluate(e.e.e);
                if (e.e.k === 'id' && s.locId.has(e.e.name)) return { v: ADDR_BASE + s.locId.get(e.e.name)!, src: [] };
                throw new Unsupported('& of something other than a location');
              case 'un': {
                const a = yield* evaluate(e.e);
                return { v: e.op === '!' ? +(a.v === 0) : e.op === '-' ? -a.v : ~a.v, src: a.src };
              }
              case 'bin': {
                const a = yield* evaluate(e.l);
                const c = yield* evaluate(e.r);
                return { v: binop(e.op, a.v, c.v), src: [...a.src, ...c.src] };
              }
              case 'cond': {
                const c = yield* evaluate(e.c);
                const saved = ctrl;
                ctrl = [...ctrl, ...c.src];
                const r = yield* evaluate(c.v !== 0 ? e.t : e.f);
                ctrl = saved;
                return { v: r.v, src: [...c.src, ...r.src] };
              }
              case 'call': {
                if (e.name in LOADS) {
                  const l = LOADS[e.name]!;
                  return yield* load(yield* address(e.args[0]!, l.lvalue), l.mode);
                }
                if (e.name in STORES) {
                  const st = STORES[e.name]!;
                  const a = yield* address(e.args[0]!, st.lvalue);
                  yield* store(a, yield* evaluate(e.args[1]!), st.mode);
                  return { v: 0, src: [] };
                }
                if (LOCKS.includes(e.name)) {
                  const a = yield* evaluate(e.args[0]!);
                  declare(a.src, []);
                  yield e.name === 'spin_lock' ? t.lock(locOf(a.v)) : t.unlock(locOf(a.v));
                  return { v: 0, src: [] };
                }
                const tag = FENCE_PRIMITIVES[e.name as keyof typeof FENCE_PRIMITIVES];
                if (e.name === 'rcu_read_lock') yield* rcu_read_lock(t, cpu);
                else if (e.name === 'rcu_read_unlock') yield* rcu_read_unlock(t, cpu);
                else if (tag === 'sync-rcu') yield* synchronize_rcu(t, cpus, cpu);
                else yield t.fence(tag);
                return { v: 0, src: [] };
              }
            }
          };
          const run = function* (body: Stmt[]): ThreadGen<void> {
            for (const st of body) {
              switch (st.k) {
                case 'decl':
                  // In scope (and 0, as herd7 has it) in its own initializer: `int r4 = (r1 != r4);`.
                  if (!regs.has(st.name)) regs.set(st.name, { v: 0, src: [] });
                  regs.set(st.name, st.init ? yield* evaluate(st.init) : { v: 0, src: [] });
                  break;
                case 'assign': regs.set(st.reg, yield* evaluate(st.e)); break;
                case 'store': yield* store(yield* evaluate(st.addr), yield* evaluate(st.e), Mode.Plain); break;
                case 'expr': yield* evaluate(st.e); break;
                case 'block': yield* run(st.body); break;
                case 'if': {
                  const c = yield* evaluate(st.c);
                  const saved = ctrl;
                  ctrl = [...ctrl, ...c.src];
                  yield* run(c.v !== 0 ? st.t : st.f ?? []);
                  ctrl = saved;
                  break;
                }
              }
            }
          };
          yield* run(th.body);
          return new Map([...regs].map(([r, v]) => [r, v.v]));
        });
      });
      b.final((f) => {
        const regs = s.test.threads.map((_, tid) => f.result(tid) as Map<string, number>);
        observe(regs, (name) => f.value(locs[s.locId.get(name)!]!));
      });
    },
  });
}
