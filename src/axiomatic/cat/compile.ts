// The cat compiler: turns a model (a list of parsed files, includes flattened) into a Program,
// a straight-line list of steps (bindings, tests, `with` branch points) whose expressions are
// closures over the runtime (runtime.ts). What each operator means is in ops.ts; what is
// computed once rather than per branch is decided in hoist.ts.
//
// Scoping: the top level is a straight-line sequence, so each top-level `let` gets its own slot
// and every reference resolves statically to the latest earlier slot of that name (herd's
// lexical scoping). Locals (function parameters, `let ... in`) live in small frames resolved at
// compile time.
import type { Binding, CatFile, Cond, Expr, Instr, Pat, Pos, TestKind } from './ast.ts';
import { BUILTINS, DYN_BUILTIN_NAMES, NOPOS, fn, kindSet } from './builtins.ts';
import { depsOf, hoistedCode, inFixpoint, invariantCode, levelOf, markHoists, markInvariants, type Deps, type Level } from './hoist.ts';
import * as op from './ops.ts';
import { err, isEmptyVal, nz, valEq } from './ops.ts';
import { profiled } from './profile.ts';
import { bindPat, force, letCells, patNames, thunkCell, valueCell, type Cell, type Code, type LocalFrame, type Rt } from './runtime.ts';
import { CatRuntimeError, EMPTY, keyOf, mkVset, typeName, type CatVal } from './values.ts';
import { normalizeAnnot } from '../execution.ts';

/** `e` and `limit` (the number of top-level slots visible there) are kept for explanations. */
export type Step =
  | { k: 'cells'; slots: number[]; mk: (rt: Rt) => Cell[]; level: Level }
  | { k: 'test'; mode: 'check' | 'flag' | 'requires'; test: TestKind; negated: boolean; code: Code; name: string | null; pos: Pos; e: Expr; limit: number }
  | { k: 'with'; name: string; slot: number; code: Code; pos: Pos; e: Expr; limit: number };

/** What a top-level slot holds, for explanations: a builtin, a `with` choice, or a binding of
 * `e` (as written) whose names resolve among the first `limit` slots. */
export type SlotDef =
  | { k: 'builtin' | 'with' | 'enum' | 'tuple'; name: string }
  | { k: 'let'; name: string; e: Expr; limit: number };

/** A compiled model: what run.ts executes on each candidate. */
export interface Program {
  steps: Step[];
  nslots: number;
  /** The slot each top-level name resolves to at the end of the model. */
  slotOf: ReadonlyMap<string, number>;
  /** Per slot: depends on rf, event values or a `with` choice (so it is never shared across runs). */
  dyn2: readonly boolean[];
  /** The builtins' slots, with the code that reads each one. */
  builtinSlots: [number, (rt: Rt) => CatVal][];
  /** Names of tests that reject candidates, in order (for diagnostics). */
  checkNames: string[];
  /** Per slot: what it holds. */
  defs: readonly SlotDef[];
  /** The slot `name` resolves to where only the first `limit` slots are visible. */
  resolveAt(name: string, limit: number): number | undefined;
  /** Compiles e as if written where only the first `limit` slots are visible (with the given
   * locals), for evaluating a subexpression of the model after a run. */
  compileAt(e: Expr, limit: number, locals: string[] | null): Code;
}

/** Compile-time scope of locals: the names of one frame, and the enclosing scope. */
interface Scope {
  names: string[];
  up: Scope | null;
}

function capitalize(s: string): string {
  return s.length ? s[0]!.toUpperCase() + s.slice(1) : s;
}

export function compileModel(files: CatFile[], parse: (name: string, from: string) => CatFile): Program {
  const c = new Compiler(parse);
  const stack: string[] = [];
  for (const f of files) c.compileFile(f, stack);
  return {
    steps: c.steps,
    nslots: c.nslots,
    slotOf: c.slotOf,
    dyn2: c.dyn2,
    builtinSlots: c.builtinSlots,
    checkNames: c.checkNames,
    defs: c.defs,
    resolveAt: (name, limit) => c.resolveAt(name, limit),
    compileAt: (e, limit, locals) => c.compileAt(e, limit, locals),
  };
}

class Compiler {
  readonly slotOf = new Map<string, number>();
  nslots = 0;
  /** Per slot: depends on a `with` choice (dyn1); on rf, values or a `with` choice (dyn2). */
  readonly dyn1: boolean[] = [];
  readonly dyn2: boolean[] = [];
  readonly steps: Step[] = [];
  readonly builtinSlots: [number, (rt: Rt) => CatVal][] = [];
  readonly checkNames: string[] = [];
  readonly defs: SlotDef[] = [];
  /** The slots of each name, in order. */
  private slotsByName = new Map<string, number[]>();
  /** How names resolve while compiling: the latest slot (or, in compileAt, the latest visible). */
  private resolve = (name: string): number | undefined => this.slotOf.get(name);
  /** For each compiled hoisted subexpression: its value if already computed in this context. */
  private hoistPeek = new Map<Expr, (rt: Rt) => CatVal | undefined>();

  constructor(private readonly parse: (name: string, from: string) => CatFile) {
    for (const [name, b] of BUILTINS) {
      const s = this.newSlot(name, false, DYN_BUILTIN_NAMES.has(name), { k: 'builtin', name });
      this.builtinSlots.push([s, (r: Rt) => b(r.c)]);
    }
  }

  private newSlot(name: string, d1: boolean, d2: boolean, def: SlotDef): number {
    const s = this.nslots++;
    this.slotOf.set(name, s);
    this.defs[s] = def;
    let ss = this.slotsByName.get(name);
    if (!ss) this.slotsByName.set(name, (ss = []));
    ss.push(s);
    this.dyn1[s] = d1;
    this.dyn2[s] = d2 || d1;
    return s;
  }

  compileFile(f: CatFile, stack: string[]): void {
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
        const setSlot = this.newSlot(ins.name, false, false, { k: 'enum', name: ins.name });
        const tagVals = mkVset(tags.map((name) => ({ k: 'tag', name }) as CatVal));
        const tagSlots: [number, string][] = tags.map((t) => [this.newSlot(capitalize(t), false, false, { k: 'enum', name: capitalize(t) }), t]);
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
        const d = depsOf(this, ins.binds.map((b) => b.e));
        const codes = ins.binds.map((b) =>
          profiled(b.pat.k === 'var' ? (b.pat.name ?? '_') : 'tuple', this.compileExpr(levelOf(d) === 2 ? b.e : markHoists(this, b.e, new Set()), null)),
        );
        const pats = ins.binds.map((b) => b.pat);
        const slots = this.bindSlots(ins.binds, d);
        const counts = slots.map((s) => s.length);
        this.steps.push({ k: 'cells', level: levelOf(d), slots: slots.flat(), mk: (rt) => letCells(rt, pats, codes, counts) });
        return;
      }
      case 'letrec':
        return this.compileTopLetRec(ins.binds, ins.pos);
      case 'test': {
        const code = this.compileExpr(ins.e, null);
        if (ins.mode !== 'flag' && ins.name) this.checkNames.push(ins.name);
        this.steps.push({ k: 'test', mode: ins.mode, test: ins.test, negated: ins.negated, code, name: ins.name, pos: ins.pos, e: ins.e, limit: this.nslots });
        return;
      }
      case 'with': {
        const code = this.compileExpr(ins.e, null);
        const limit = this.nslots;
        const slot = this.newSlot(ins.name, true, true, { k: 'with', name: ins.name });
        this.steps.push({ k: 'with', name: ins.name, slot, code, pos: ins.pos, e: ins.e, limit });
        return;
      }
    }
  }

  private bindSlots(binds: Binding[], d: Deps): number[][] {
    const limit = this.nslots;
    return binds.map(({ pat: p, e }) =>
      p.k === 'var'
        ? [this.newSlot(p.name ?? '_', d.d1, d.d2, { k: 'let', name: p.name ?? '_', e, limit })]
        : p.elems.map((n) => this.newSlot(n ?? '_', d.d1, d.d2, { k: 'tuple', name: n ?? '_' })),
    );
  }

  resolveAt(name: string, limit: number): number | undefined {
    const ss = this.slotsByName.get(name);
    if (!ss) return undefined;
    for (let i = ss.length - 1; i >= 0; i--) if (ss[i]! < limit) return ss[i];
    return undefined;
  }

  compileAt(e: Expr, limit: number, locals: string[] | null): Code {
    const saved = this.resolve;
    this.resolve = (name) => this.resolveAt(name, limit);
    try {
      return this.compileExpr(e, locals ? { names: locals, up: null } : null);
    } finally {
      this.resolve = saved;
    }
  }

  /** A top-level `let rec`: recursive functions, or the least fixpoint of a group of values,
   * computed on first use of any member. */
  private compileTopLetRec(binds: Binding[], pos: Pos): void {
    const names = binds.map((b) => recName(b, pos));
    const d = depsOf(this, binds.map((b) => b.e), names);
    const limit = this.nslots + names.length;
    const slots = names.map((n, i) => this.newSlot(n, d.d1, d.d2, { k: 'let', name: n, e: binds[i]!.e, limit }));
    const allFun = binds.every((b) => b.e.k === 'fun');
    const group = new Set(names);
    const codes = binds.map((b) => this.compileExpr(allFun ? b.e : markInvariants(b.e, group), null));
    this.steps.push({
      k: 'cells',
      level: levelOf(d),
      slots,
      mk: (rt) => {
        if (allFun) return codes.map((code) => thunkCell(rt, code));
        const cells = slots.map(() => ({ v: undefined, f: null, rt, busy: false }) as Cell);
        for (const cl of cells)
          cl.f = (r) => {
            fixpoint(codes.length, pos, (i) => codes[i]!(r, null), (i, v) => (cells[i]!.v = v));
            return cl.v!;
          };
        return cells;
      },
    });
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
    const slot = this.resolve(name);
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
        const v: CatVal = { k: 'tag', name: e.name };
        return () => v;
      }
      case 'explicit': {
        const cs = e.elems.map((x) => this.compileExpr(x, scope));
        return (rt, fr) => op.fromElements(rt.c.u, cs.map((c) => c(rt, fr)));
      }
      case 'tuple': {
        const cs = e.elems.map((x) => this.compileExpr(x, scope));
        return (rt, fr) => ({ k: 'tuple', elems: cs.map((c) => c(rt, fr)) });
      }
      case 'bin':
        return this.compileBin(e, scope);
      case 'un':
        return this.compileUn(e, scope);
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
          const vals: CatVal[] = [];
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
          const els = op.elementsOf(rt.c.u, v, pos);
          if (els.length === 0) return emp(rt, fr);
          const rest = op.fromElements(rt.c.u, els.slice(1));
          return elt(rt, { vals: [els[0]!, rest], up: fr });
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
      case 'hoist': {
        const h = hoistedCode(e.level, this.compileExpr(e.e, scope));
        this.hoistPeek.set(e, h.peek);
        return h.code;
      }
      case 'invariant':
        return invariantCode(this.compileExpr(e.e, scope));
    }
    throw new CatRuntimeError(pos, 'internal: unknown expression');
  }

  /** Binary operators. Each skips its right operand when the left one is empty and the
   * result must then be empty (an evaluation error in the right operand is then not raised,
   * as in herd, which evaluates lazily in the same cases). */
  private compileBin(e: Expr & { k: 'bin' }, scope: Scope | null): Code {
    const pos = e.pos;
    if (e.op === 'union' && e.r.k === 'bin' && e.r.op === 'union') return this.compileUnionChain(e, scope);
    const l = this.compileExpr(e.l, scope);
    const r = this.compileExpr(e.r, scope);
    switch (e.op) {
      case 'union':
        return (rt, fr) => op.union(l(rt, fr), r(rt, fr), pos);
      case 'inter':
        return (rt, fr) => {
          const a = l(rt, fr);
          return isEmptyVal(a) ? EMPTY : nz(op.inter(a, r(rt, fr), pos));
        };
      case 'diff':
        return (rt, fr) => {
          const a = l(rt, fr);
          return isEmptyVal(a) ? EMPTY : nz(op.diff(a, r(rt, fr), pos));
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
            return isEmptyVal(a) ? EMPTY : nz(op.seq(rt.c.u, a, b0 ?? r(rt, fr), pos));
          };
        return (rt, fr) => {
          const a = l(rt, fr);
          return isEmptyVal(a) ? EMPTY : nz(op.seq(rt.c.u, a, r(rt, fr), pos));
        };
      }
      case 'cart':
        return (rt, fr) => {
          const a = l(rt, fr);
          return isEmptyVal(a) ? EMPTY : nz(op.cart(rt.c.u, a, r(rt, fr), pos));
        };
      case 'add':
        return (rt, fr) => op.add(rt.c.u, l(rt, fr), r(rt, fr), pos);
    }
  }

  /**
   * a | b | c … (right-associative: a | (b | c)): the operands are evaluated in the same order,
   * and when they are all relations (or all event sets), or empty, their union is made in one
   * result instead of one intermediate per `|` (mb, fence and barrier are chains of up to
   * fourteen terms, evaluated once per branch). Any other mix is folded pairwise as the nested
   * operators would, with the same errors at the same positions.
   */
  private compileUnionChain(e: Expr & { k: 'bin' }, scope: Scope | null): Code {
    const parts: Expr[] = [];
    const poses: Pos[] = [];
    let x: Expr = e;
    while (x.k === 'bin' && x.op === 'union') {
      parts.push(x.l);
      poses.push(x.pos);
      x = x.r;
    }
    parts.push(x);
    const cs = parts.map((p) => this.compileExpr(p, scope));
    const k = cs.length;
    return (rt, fr) => {
      const vs: CatVal[] = new Array(k);
      for (let i = 0; i < k; i++) vs[i] = cs[i]!(rt, fr);
      return op.unionAll(vs, poses);
    };
  }

  private compileUn(e: Expr & { k: 'un' }, scope: Scope | null): Code {
    const pos = e.pos;
    const a = this.compileExpr(e.e, scope);
    switch (e.op) {
      case 'star':
        return (rt, fr) => op.star(rt.c.u, a(rt, fr), pos);
      case 'plus':
        return (rt, fr) => op.plus(rt.c.u, a(rt, fr), pos);
      case 'opt':
        return (rt, fr) => op.opt(rt.c.u, a(rt, fr), pos);
      case 'inv':
        return (rt, fr) => op.inverse(rt.c.u, a(rt, fr), pos);
      case 'comp':
        return (rt, fr) => op.complement(rt.c.u, a(rt, fr), pos);
      case 'toid':
        return (rt, fr) => op.toid(rt.c.u, a(rt, fr), pos);
    }
  }

  private compileCond(c: Cond, scope: Scope | null): (rt: Rt, fr: LocalFrame | null) => boolean {
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
        return (rt, fr) => isEmptyVal(op.diff(l(rt, fr), r(rt, fr), NOPOS));
      }
      case 'in': {
        const l = this.compileExpr(c.l, scope);
        const r = this.compileExpr(c.r, scope);
        return (rt, fr) => {
          const x = l(rt, fr);
          const k = keyOf(x);
          return op.elementsOf(rt.c.u, r(rt, fr), NOPOS).some((e) => keyOf(e) === k);
        };
      }
    }
  }

  private compileFun(pat: Pat, body: Expr, name: string, scope: Scope | null): Code {
    const names = pat.k === 'var' ? [pat.name ?? '_'] : pat.elems.map((n) => n ?? '_');
    const inner: Scope = { names, up: scope };
    const b = this.compileExpr(body, inner);
    return (rt, fr) =>
      fn(name, (arg, pos) => {
        const vals: CatVal[] = [];
        bindPat(pat, arg, vals, pos);
        return b(rt, { vals, up: fr });
      });
  }

  /** `let rec … in body`: recursive functions, or a fixpoint solved before the body runs. */
  private compileLetRec(binds: Binding[], bodyE: Expr, scope: Scope | null, pos: Pos): Code {
    const names = binds.map((b) => recName(b, pos));
    const inner: Scope = { names, up: scope };
    const allFun = binds.every((b) => b.e.k === 'fun');
    const group = new Set(names);
    const codes = binds.map((b) => this.compileExpr(allFun ? b.e : markInvariants(b.e, group), inner));
    const body = this.compileExpr(bodyE, inner);
    return (rt, fr) => {
      const frame: LocalFrame = { vals: names.map(() => EMPTY), up: fr };
      if (allFun) for (let i = 0; i < codes.length; i++) frame.vals[i] = codes[i]!(rt, frame);
      else fixpoint(codes.length, pos, (i) => codes[i]!(rt, frame), (i, v) => (frame.vals[i] = v));
      return body(rt, frame);
    };
  }
}

function recName(b: Binding, pos: Pos): string {
  if (b.pat.k !== 'var' || b.pat.name === null) throw new CatRuntimeError(pos, 'let rec needs simple names');
  return b.pat.name;
}

/**
 * The least fixpoint of a group of n bindings, from EMPTY, Gauss-Seidel style: each binding
 * sees the values just computed for the earlier ones (what herd does; a simultaneous update
 * gives a wrong rcu-rscs for sequences of critical sections). `set` stores a binding's new
 * value where `get` (the binding's code) reads it.
 */
function fixpoint(n: number, pos: Pos, get: (i: number) => CatVal, set: (i: number, v: CatVal) => void): void {
  const cur: CatVal[] = new Array(n).fill(EMPTY);
  for (let i = 0; i < n; i++) set(i, EMPTY);
  inFixpoint(() => {
    for (let iter = 0; ; iter++) {
      if (iter > 10000) err(pos, 'let rec does not converge');
      let same = true;
      for (let i = 0; i < n; i++) {
        const nv = get(i);
        if (!valEq(nv, cur[i]!)) same = false;
        cur[i] = nv;
        set(i, nv);
      }
      if (same) break;
    }
  });
}
