// Reads a herd7 macro file (the kernel's tools/memory-model/linux-kernel.def) into the primitive
// table of the litmus front end, so that `mmcheck herd7 -macros FILE` (or `macros` in a .cfg)
// checks tests with the user's own .def, as herd7 does, not with a bundled copy.
//
// A macro is `name(params) expression` or `name(params) { statements }`; its body uses herd's
// C built-ins (`__load{ANNOT}(a)`, `__store{ANNOT}(a, v)`, `__fence{ANNOT}`, `__xchg`,
// `__cmpxchg`, `__atomic_op`, `__atomic_op_return`, `__atomic_fetch_op`, `__atomic_add_unless`,
// `__lock`, `__unlock`, `__trylock`, `__islocked`, `__srcu{sync-srcu}`) or other macros defined
// before it. Each macro is expanded to those built-ins and then matched against the forms the
// litmus front end implements (primitives.ts: a load, a store, a store followed by F[MB], a
// fence, an RMW, a lock operation, srcu); the annotation is kept as written (ONCE, ACQUIRE,
// rcu-lock, a new one of a newer LKMM …), so the user's .bell and .cat give it its meaning.
// A macro of another shape is kept as unsupported, with the reason: a test that calls it is
// refused at the call, and the others are checked.
import { LitmusError, parseIntLit, tokenize, type Token } from './lexer.ts';
import type { AtomicOp, Prim } from './primitives.ts';

/** The primitives a litmus test may call, and where they come from. */
export interface PrimTable {
  readonly prims: ReadonlyMap<string, Prim>;
  /** Macros of the .def that mmcheck cannot translate, with the reason (refused when called). */
  readonly unsupported: ReadonlyMap<string, string>;
  /** The macro file's name, for messages. */
  readonly source: string;
}

/** An argument after expansion: a macro parameter under `derefs` stars, or a constant. */
type Arg = { k: 'param'; i: number; derefs: number } | { k: 'num'; v: number };

/** A herd built-in applied to expanded arguments. */
interface Op {
  name: string;
  annot: string | null;
  args: Arg[];
  /** An atomic operator argument (`+`, `&~`, …) of the __atomic_* built-ins. */
  aop?: AtomicOp;
  /** `== 0` / `< 0` applied to the value (atomic_*_and_test, atomic_add_negative). */
  test?: '==0' | '<0';
}

/** A macro's body: an expression (one op) or a procedure (a list of ops). */
type Body = { k: 'expr'; op: Op } | { k: 'proc'; ops: Op[] };

interface Macro {
  params: string[];
  /** Body in terms of this macro's own parameters (Arg.i indexes params). */
  body: Body;
}

const BUILTIN_ARITY: Record<string, number> = {
  __load: 1, __store: 2, __fence: 0, __xchg: 2, __cmpxchg: 3, __atomic_op: 3, __atomic_op_return: 3,
  __atomic_fetch_op: 3, __atomic_add_unless: 3, __lock: 1, __unlock: 1, __trylock: 1, __islocked: 1, __srcu: 1,
};
/** Built-ins whose third argument (index 1) is an operator. */
const HAS_AOP = new Set(['__atomic_op', '__atomic_op_return', '__atomic_fetch_op']);
const AOPS = new Set<AtomicOp>(['+', '-', '&', '|', '^', '&~']);

class DefReader {
  private i = 0;
  private readonly macros = new Map<string, Macro>();
  readonly unsupported = new Map<string, string>();
  readonly prims = new Map<string, Prim>();

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private get t(): Token {
    return this.toks[this.i]!;
  }
  private fail(t: Token, msg: string): never {
    throw new LitmusError(t.line, t.col, msg);
  }
  private atEnd(): boolean {
    return this.t.kind === 'eof';
  }
  private is(text: string): boolean {
    return this.t.kind === 'punct' && this.t.text === text;
  }
  private expect(text: string, what = ''): Token {
    if (!this.is(text)) this.fail(this.t, `expected '${text}'${what ? ` ${what}` : ''}, found '${this.t.text}'`);
    return this.toks[this.i++]!;
  }

  read(): void {
    while (!this.atEnd()) {
      const nameTok = this.t;
      if (nameTok.kind !== 'id') this.fail(nameTok, `expected a macro name, found '${nameTok.text}'`);
      this.i++;
      this.expect('(', `after the macro name ${nameTok.text}`);
      const params: string[] = [];
      if (!this.is(')')) {
        for (;;) {
          const p = this.t;
          if (p.kind !== 'id') this.fail(p, `expected a parameter name, found '${p.text}'`);
          params.push(p.text);
          this.i++;
          if (this.is(',')) { this.i++; continue; }
          break;
        }
      }
      this.expect(')', `after the parameters of ${nameTok.text}`);
      let body: Body | string;
      if (this.is('{')) {
        this.i++;
        const ops: Op[] = [];
        let why: string | null = null;
        while (!this.is('}')) {
          if (this.atEnd()) this.fail(this.t, `unterminated body of macro ${nameTok.text}`);
          const r = this.statement(params);
          if (typeof r === 'string') why ??= r;
          else ops.push(...r);
        }
        this.i++;
        body = why ?? { k: 'proc', ops };
      } else {
        const r = this.expression(params);
        body = typeof r === 'string' ? r : { k: 'expr', op: r };
      }
      if (typeof body === 'string') {
        this.unsupported.set(nameTok.text, body);
        this.macros.delete(nameTok.text);
        this.prims.delete(nameTok.text);
        continue;
      }
      this.unsupported.delete(nameTok.text);
      this.macros.set(nameTok.text, { params, body });
      const p = toPrim(body, params.length);
      if (typeof p === 'string') {
        this.unsupported.set(nameTok.text, p);
        this.prims.delete(nameTok.text);
      } else this.prims.set(nameTok.text, p);
    }
  }

  /** One statement of a procedure body: a call followed by ';'. Returns its ops, or why not. */
  private statement(params: string[]): Op[] | string {
    const t = this.t;
    if (t.kind !== 'id') this.fail(t, `expected a statement (a call), found '${t.text}'`);
    const r = this.call(params, 'proc');
    this.expect(';', 'after a statement');
    return r;
  }

  /** An expression body: a call, optionally compared with 0 (`== 0`, `< 0`). */
  private expression(params: string[]): Op | string {
    const t = this.t;
    if (t.kind !== 'id') this.fail(t, `expected an expression (a call), found '${t.text}'`);
    const r = this.call(params, 'expr');
    if (typeof r === 'string') return r;
    if (r.length !== 1) return `${t.text} is a procedure, used as a value`;
    let op = r[0]!;
    if (this.is('==') || this.is('<')) {
      const cmp = this.toks[this.i++]!;
      const z = this.t;
      if (z.kind !== 'num' || parseIntLit(z.text) !== 0) return `only '== 0' and '< 0' comparisons are implemented (at ${z.line}:${z.col})`;
      this.i++;
      if (op.name !== '__atomic_op_return' || op.test) return `a comparison applies only to __atomic_op_return (at ${cmp.line}:${cmp.col})`;
      op = { ...op, test: cmp.text === '==' ? '==0' : '<0' };
    }
    return op;
  }

  /** `name{annot}(args)` or `name(args)`: a herd built-in or a macro defined earlier, expanded. */
  private call(params: string[], as: 'expr' | 'proc'): Op[] | string {
    const nameTok = this.toks[this.i++]!;
    const name = nameTok.text;
    let annot: string | null = null;
    if (this.is('{')) {
      const open = this.toks[this.i++]!;
      while (!this.is('}')) {
        if (this.atEnd()) this.fail(open, `unterminated annotation of ${name}`);
        this.i++;
      }
      const close = this.toks[this.i++]!;
      annot = this.src.slice(open.off + 1, close.off).trim();
    }
    const args: (Arg | AtomicOp)[] = [];
    let why: string | null = null;
    if (this.is('(')) {
      this.i++;
      if (!this.is(')')) {
        for (;;) {
          const a = this.argument(params, HAS_AOP.has(name) && args.length === 1);
          if (typeof a === 'object' && 'why' in a) why ??= a.why;
          else args.push(a);
          if (this.is(',')) { this.i++; continue; }
          break;
        }
      }
      this.expect(')', `after the arguments of ${name}`);
    } else if (name !== '__fence') {
      this.fail(this.t, `expected '(' after ${name}`);
    }
    if (why) return why;
    if (name in BUILTIN_ARITY) {
      if (args.length !== BUILTIN_ARITY[name]) return `${name} takes ${BUILTIN_ARITY[name]} argument(s), given ${args.length}`;
      const op: Op = { name, annot, args: [] };
      for (const a of args) {
        if (typeof a === 'string') op.aop = a;
        else op.args.push(a);
      }
      return [op];
    }
    if (annot !== null) return `${name}{${annot}}: annotations apply to herd's built-ins only`;
    const m = this.macros.get(name);
    if (!m) {
      const u = this.unsupported.get(name);
      return u ? `it uses ${name}, which is not supported (${u})` : `it uses ${name}, which is neither a herd built-in nor a macro defined before it`;
    }
    if (args.length !== m.params.length) return `${name} takes ${m.params.length} argument(s), given ${args.length}`;
    if (args.some((a) => typeof a === 'string')) return `an operator is passed to ${name}`;
    const sub = args as Arg[];
    const subst = (a: Arg): Arg | null => {
      if (a.k === 'num') return a;
      const s = sub[a.i]!;
      if (s.k === 'num') return a.derefs === 0 ? s : null;
      return { k: 'param', i: s.i, derefs: s.derefs + a.derefs };
    };
    const expand = (op: Op): Op | null => {
      const out: Arg[] = [];
      for (const a of op.args) {
        const s = subst(a);
        if (!s) return null;
        out.push(s);
      }
      return { ...op, args: out };
    };
    const ops = m.body.k === 'expr' ? [m.body.op] : m.body.ops;
    const expanded: Op[] = [];
    for (const o of ops) {
      const e = expand(o);
      if (!e) return `${name} dereferences a constant`;
      expanded.push(e);
    }
    if (as === 'expr' && m.body.k === 'proc') return `${name} is a procedure, used as a value`;
    return expanded;
  }

  /** A macro argument: `P`, `*P`, `**P` (P a parameter), an integer, or an atomic operator. */
  private argument(params: string[], wantOp: boolean): Arg | AtomicOp | { why: string } {
    if (wantOp) {
      let text = '';
      while (this.t.kind === 'punct' && !this.is(',') && !this.is(')')) text += this.toks[this.i++]!.text;
      if (AOPS.has(text as AtomicOp)) return text as AtomicOp;
      return { why: `unknown atomic operator '${text}'` };
    }
    let derefs = 0;
    while (this.is('*')) { this.i++; derefs++; }
    const t = this.t;
    if (t.kind === 'num') {
      this.i++;
      return derefs ? { why: 'a constant is dereferenced' } : { k: 'num', v: parseIntLit(t.text) };
    }
    if (t.kind === 'id') {
      this.i++;
      const i = params.indexOf(t.text);
      if (i < 0) return { why: `'${t.text}' is not a parameter of the macro` };
      return { k: 'param', i, derefs };
    }
    return { why: `an argument of this form ('${t.text}' at ${t.line}:${t.col}) is not implemented` };
  }
}

const isParam = (a: Arg | undefined, i: number, derefs: number): boolean => a?.k === 'param' && a.i === i && a.derefs === derefs;

/** Matches an expanded body against the forms of primitives.ts (whose argument orders are fixed). */
function toPrim(body: Body, arity: number): Prim | string {
  const ops = body.k === 'expr' ? [body.op] : body.ops;
  const shape = ops.map((o) => `${o.name}${o.annot !== null ? `{${o.annot}}` : ''}`).join('; ');
  const bad = (why: string): string => `${shape}: ${why}`;
  const op = ops[0];
  if (!op) return 'an empty body';
  const a = op.args;
  const annot = op.annot ?? '';
  if (ops.length === 2 && op.name === '__store' && ops[1]!.name === '__fence' && ops[1]!.annot === 'MB') {
    if (arity === 2 && isParam(a[0], 0, 0) && isParam(a[1], 1, 0)) return { k: 'store', annot, deref: true, mbAfter: true };
    return bad('arguments other than (*p, v)');
  }
  if (ops.length !== 1) return bad('mmcheck implements one operation per macro (or a store followed by __fence{MB})');
  const ptrFirst = (n: number): boolean => arity === n && a.every((x, i) => isParam(x, i, 0));
  switch (op.name) {
    case '__load': {
      if (arity !== 1 || !(isParam(a[0], 0, 0) || isParam(a[0], 0, 1))) return bad('the argument must be the parameter or *parameter');
      const deref = isParam(a[0], 0, 0);
      if (annot === 'srcu-lock') return deref ? bad('srcu-lock takes the srcu_struct pointer') : { k: 'srcu_lock' };
      return { k: 'load', annot, deref };
    }
    case '__store': {
      if (arity !== 2 || !(isParam(a[0], 0, 0) || isParam(a[0], 0, 1)) || !isParam(a[1], 1, 0)) return bad('arguments other than (p, v) or (*p, v)');
      const deref = isParam(a[0], 0, 0);
      if (annot === 'srcu-unlock') return deref ? bad('srcu-unlock takes the srcu_struct pointer') : { k: 'srcu_unlock' };
      return { k: 'store', annot, deref, mbAfter: false };
    }
    case '__fence':
      return arity === 0 ? { k: 'fence', annot } : bad('a fence macro takes no argument');
    case '__xchg':
      return ptrFirst(2) ? { k: 'xchg', annot } : bad('arguments other than (p, v)');
    case '__cmpxchg':
      return ptrFirst(3) ? { k: 'cmpxchg', annot } : bad('arguments other than (p, old, new)');
    case '__atomic_add_unless':
      if (annot !== 'MB') return bad('only the {MB} form is implemented');
      return ptrFirst(3) ? { k: 'add_unless' } : bad('arguments other than (p, a, u)');
    case '__lock': case '__unlock': case '__trylock': case '__islocked': {
      if (!ptrFirst(1)) return bad('the argument must be the lock pointer');
      const k = ({ __lock: 'spin_lock', __unlock: 'spin_unlock', __trylock: 'spin_trylock', __islocked: 'spin_is_locked' } as const)[op.name];
      return { k };
    }
    case '__srcu':
      if (annot !== 'sync-srcu') return bad('only __srcu{sync-srcu} is implemented');
      return ptrFirst(1) ? { k: 'sync_srcu' } : bad('the argument must be the srcu_struct pointer');
    case '__atomic_op': case '__atomic_op_return': case '__atomic_fetch_op': {
      const [ptr, val] = a;
      let konst: number | null;
      if (val?.k === 'num' && arity === 1 && isParam(ptr, 0, 0)) konst = val.v;
      else if (arity === 2 && isParam(val, 0, 0) && isParam(ptr, 1, 0)) konst = null;
      else return bad('arguments other than (v, p) or (p) with a constant');
      const aop = op.aop!;
      if (op.name === '__atomic_op') {
        if (annot !== 'NORETURN') return bad('only the {NORETURN} form is implemented');
        return { k: 'atomic_op', op: aop, konst };
      }
      return { k: 'atomic_ret', op: aop, annot, fetch: op.name === '__atomic_fetch_op', konst, test: op.test ?? null };
    }
  }
  return bad('not a form mmcheck implements');
}

/** Reads a macro file's text. Throws LitmusError (line:col in the .def) when it is malformed. */
export function readDef(text: string, source: string): PrimTable {
  const r = new DefReader(text, tokenize(text));
  r.read();
  // herd7 knows atomic_add_unless even when no macro defines it (CBase.ml, "Legacy").
  if (!r.prims.has('atomic_add_unless') && !r.unsupported.has('atomic_add_unless')) r.prims.set('atomic_add_unless', { k: 'add_unless' });
  return { prims: r.prims, unsupported: r.unsupported, source };
}
