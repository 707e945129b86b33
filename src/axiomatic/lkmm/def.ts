// The kernel primitives, read from the model's own linux-kernel.def (herd7's C macros): what
// each call expands to (loads, stores, fences, RMWs, locks, srcu), with which annotation, how
// many arguments it takes and whether it returns a value. One table for every front end: the
// litmus parser and evaluator use it, and the kernel layer's barriers name its fence tags.
//
// The .def's grammar, as herd7 reads it for the LKMM: one macro a line, `name(params) body`,
// where the body is an expression (the macro returns a value, possibly compared: `... == 0`) or
// a block `{ stmt; ... }`. Bodies call herd's built-in operations (`__load{tag}(x)`,
// `__fence{tag}`, `__atomic_op{tag}(x, +, v)` ...) or other macros (`READ_ONCE(*X)`), which are
// expanded here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LKMM_MODEL_DIR } from './model-dir.ts';

/**
 * The fence tags linux-kernel.def defines (`__fence{tag}`), closed: a barrier is one of these or
 * a type error. Spelled as the engine spells them: 'mb' is the .def's 'MB' (herd writes the
 * full-barrier annotation in capitals because accesses share it; normalizeAnnot maps one to the
 * other); every other tag is spelled as in the .def. test/cat/def.test.ts checks that this list
 * is exactly the .def's.
 */
export const FENCE_TAGS = [
  'mb',
  'rmb',
  'wmb',
  'barrier',
  'before-atomic',
  'after-atomic',
  'after-spinlock',
  'after-unlock-lock',
  'after-srcu-read-unlock',
  'rcu-lock',
  'rcu-unlock',
  'sync-rcu',
] as const;
export type FenceTag = (typeof FENCE_TAGS)[number];

/** The kernel primitives that are fences, and their tag; checked against the .def like FENCE_TAGS. */
export const FENCE_PRIMITIVES = {
  smp_mb: 'mb',
  smp_rmb: 'rmb',
  smp_wmb: 'wmb',
  barrier: 'barrier',
  smp_mb__before_atomic: 'before-atomic',
  smp_mb__after_atomic: 'after-atomic',
  smp_mb__after_spinlock: 'after-spinlock',
  smp_mb__after_unlock_lock: 'after-unlock-lock',
  smp_mb__after_srcu_read_unlock: 'after-srcu-read-unlock',
  rcu_read_lock: 'rcu-lock',
  rcu_read_unlock: 'rcu-unlock',
  synchronize_rcu: 'sync-rcu',
  synchronize_rcu_expedited: 'sync-rcu',
} as const satisfies Record<string, FenceTag>;
export type FencePrimitive = keyof typeof FENCE_PRIMITIVES;

/** The tag as linux-kernel.def writes it (herd's annotation: 'MB' for 'mb'). */
export function defSpelling(tag: FenceTag): string {
  return tag === 'mb' ? 'MB' : tag;
}

export type AtomicOp = '+' | '-' | '&' | '|' | '^' | '&~';

/** What one primitive does, as a front end evaluates it. */
export type Prim =
  /** Load. `deref`: the argument is written `*p` (READ_ONCE); otherwise it is the pointer p. */
  | { k: 'load'; annot: string; deref: boolean }
  /** Store (ptr, value). `mbAfter`: smp_store_mb adds F[MB] after the store. */
  | { k: 'store'; annot: string; deref: boolean; mbAfter: boolean }
  | { k: 'fence'; annot: string }
  /** xchg(ptr, v): returns the old value. */
  | { k: 'xchg'; annot: string }
  /** cmpxchg(ptr, old, new): returns the old value. */
  | { k: 'cmpxchg'; annot: string }
  /** atomic_OP(v, ptr) or atomic_inc/dec(ptr): R/W NORETURN. */
  | { k: 'atomic_op'; op: AtomicOp; konst: number | null }
  /**
   * atomic_OP_return / atomic_fetch_OP (args (v, ptr), or (ptr) when `konst` is set).
   * `fetch`: returns the old value, else the new one. `test`: *_and_test / add_negative.
   */
  | { k: 'atomic_ret'; op: AtomicOp; annot: string; fetch: boolean; konst: number | null; test: '==0' | '<0' | null }
  /** atomic_add_unless(ptr, a, u): returns 1 if it added, else 0. */
  | { k: 'add_unless' }
  | { k: 'spin_lock' }
  | { k: 'spin_unlock' }
  | { k: 'spin_trylock' }
  | { k: 'spin_is_locked' }
  | { k: 'srcu_lock' }
  | { k: 'srcu_unlock' }
  | { k: 'sync_srcu' };

/** One macro of the .def, expanded to herd's built-in operations. */
export interface DefMacro {
  name: string;
  /** Number of arguments. */
  arity: number;
  /** True for an expression macro (usable where a value is needed). */
  returns: boolean;
  prim: Prim;
  /** Where the macro is defined (file:line). */
  at: string;
}

export class DefError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.name = 'DefError';
  }
}

/** An argument of a built-in operation: a parameter (dereferenced `derefs` times) or a literal. */
type Arg = { param: number; derefs: number } | { lit: string };
/** A call in a body: a built-in (`__load`, ...) or another macro, with its {tag}. */
interface Call {
  fn: string;
  tag: string | null;
  args: Arg[];
}
interface RawMacro {
  name: string;
  params: string[];
  returns: boolean;
  calls: Call[];
  test: '==0' | '<0' | null;
  line: number;
}

const ATOMIC_OPS: ReadonlySet<string> = new Set(['+', '-', '&', '|', '^', '&~']);

/**
 * Parses a .def file into its macros, each expanded to one primitive. A line that is not a macro
 * throws DefError; so does a macro mmcheck cannot translate, unless `unsupported` is given: it
 * then receives the macro's name and the reason, and the other macros are kept (herd7 only
 * fails the tests that call such a macro).
 */
export function parseDef(text: string, file: string, unsupported?: Map<string, string>): Map<string, DefMacro> {
  const raws = new Map<string, RawMacro>();
  text.split('\n').forEach((src, i) => {
    const line = i + 1;
    const s = src.replace(/\/\/.*$/, '').trim();
    if (!s) return;
    const m = /^([A-Za-z_]\w*)\s*\(([^)]*)\)\s*(.*)$/.exec(s);
    if (!m) throw new DefError(file, line, 1, `expected 'name(params) body', found '${s}'`);
    const [, name, ps, body] = m as unknown as [string, string, string, string];
    const params = ps.trim() ? ps.split(',').map((p) => p.trim()) : [];
    const col = src.indexOf(body) + 1;
    const fail = (what: string): never => {
      throw new DefError(file, line, col, `${name}: ${what}`);
    };
    let returns = true;
    let stmts: string[];
    let test: RawMacro['test'] = null;
    if (body.startsWith('{')) {
      if (!body.endsWith('}')) fail('a block body must end with }');
      returns = false;
      stmts = body.slice(1, -1).split(';').map((x) => x.trim()).filter((x) => x);
    } else {
      let e = body;
      const cmp = /\s*(==|<)\s*0$/.exec(e);
      if (cmp) {
        test = cmp[1] === '==' ? '==0' : '<0';
        e = e.slice(0, cmp.index).trim();
      }
      stmts = [e];
    }
    const calls = stmts.map((st) => {
      const c = /^([A-Za-z_]\w*)(?:\{([\w-]+)\})?(?:\((.*)\))?$/.exec(st);
      if (!c) return fail(`cannot read '${st}'`);
      const args = (c[3] ?? '').trim() ? c[3]!.split(',').map((a) => a.trim()) : [];
      return {
        fn: c[1]!,
        tag: c[2] ?? null,
        args: args.map((a): Arg => {
          const d = /^(\**)([A-Za-z_]\w*)$/.exec(a);
          const p = d ? params.indexOf(d[2]!) : -1;
          return p >= 0 ? { param: p, derefs: d![1]!.length } : { lit: a };
        }),
      };
    });
    if (raws.has(name)) fail('defined twice');
    raws.set(name, { name, params, returns, calls, test, line });
  });
  const out = new Map<string, DefMacro>();
  for (const r of raws.values()) {
    try {
      const calls = expand(r.calls, raws, file, r.line, 0);
      const prim = primOf(r, calls, file);
      checkOperands(r, calls[0]!, (what) => {
        throw new DefError(file, r.line, 1, `${r.name}: ${what}`);
      });
      out.set(r.name, { name: r.name, arity: r.params.length, returns: r.returns, prim, at: `${file}:${r.line}` });
    } catch (e) {
      if (!(e instanceof DefError) || !unsupported) throw e;
      unsupported.set(r.name, `${e.detail} (${file}:${r.line})`);
    }
  }
  return out;
}

/** The macros a litmus test may call, and those of the .def that mmcheck cannot translate. */
export interface DefTable {
  readonly macros: ReadonlyMap<string, DefMacro>;
  /** Macro name -> why mmcheck cannot translate it (a test calling it is refused, with this). */
  readonly unsupported: ReadonlyMap<string, string>;
  /** The .def's name, for messages. */
  readonly source: string;
}

/**
 * A user's .def (herd7 -macros), read leniently: unsupported macros are set aside. herd7 knows
 * atomic_add_unless even when no macro defines it (herdtools7 lib/CBase.ml, "Legacy").
 */
export function readDefTable(text: string, file: string, source = file): DefTable {
  const unsupported = new Map<string, string>();
  const macros = parseDef(text, file, unsupported);
  if (!macros.has('atomic_add_unless') && !unsupported.has('atomic_add_unless')) {
    macros.set('atomic_add_unless', { name: 'atomic_add_unless', arity: 3, returns: true, prim: { k: 'add_unless' }, at: 'herd7 built-in' });
  }
  return { macros, unsupported, source };
}

/** Replaces calls of other macros by their bodies, with their parameters substituted. */
function expand(calls: Call[], raws: Map<string, RawMacro>, file: string, line: number, depth: number): Call[] {
  if (depth > 8) throw new DefError(file, line, 1, 'macros expand into each other without end');
  return calls.flatMap((c) => {
    if (c.fn.startsWith('__')) return [c];
    const callee = raws.get(c.fn);
    if (!callee) throw new DefError(file, line, 1, `unknown macro or operation '${c.fn}'`);
    const subst = (a: Arg): Arg => {
      if ('lit' in a) return a;
      const actual = c.args[a.param];
      if (!actual) throw new DefError(file, line, 1, `${c.fn} needs ${callee.params.length} argument(s)`);
      return 'lit' in actual ? actual : { param: actual.param, derefs: actual.derefs + a.derefs };
    };
    return expand(callee.calls.map((k) => ({ ...k, args: k.args.map(subst) })), raws, file, callee.line, depth + 1);
  });
}

/** The primitive a macro's expanded body performs. */
function primOf(r: RawMacro, calls: Call[], file: string): Prim {
  const fail = (what: string): never => {
    throw new DefError(file, r.line, 1, `${r.name}: ${what}`);
  };
  const [c, next] = calls;
  if (!c) return fail('empty body');
  const tag = c.tag ?? '';
  const direct = (a: Arg | undefined) => !!a && 'param' in a && a.derefs === 0;
  const konst = (a: Arg | undefined): number | null => {
    if (!a) return fail('missing operand');
    if ('param' in a) return null;
    const v = Number(a.lit);
    return Number.isInteger(v) ? v : fail(`'${a.lit}' is neither a parameter nor a number`);
  };
  const aop = (a: Arg | undefined): AtomicOp => {
    const s = a && 'lit' in a ? a.lit : '';
    return ATOMIC_OPS.has(s) ? (s as AtomicOp) : fail(`'${s}' is not an atomic operator`);
  };
  const only = (p: Prim): Prim => (next ? fail(`${c.fn} followed by ${next.fn} is not a primitive mmcheck knows`) : p);
  switch (c.fn) {
    case '__load':
      return only(tag === 'srcu-lock' ? { k: 'srcu_lock' } : { k: 'load', annot: tag, deref: direct(c.args[0]) });
    case '__store': {
      if (tag === 'srcu-unlock') return only({ k: 'srcu_unlock' });
      const mbAfter = !!next && next.fn === '__fence' && next.tag === 'MB' && !calls[2];
      if (next && !mbAfter) return fail(`__store followed by ${next.fn} is not a primitive mmcheck knows`);
      return { k: 'store', annot: tag, deref: direct(c.args[0]), mbAfter };
    }
    case '__fence':
      return only({ k: 'fence', annot: tag });
    case '__xchg':
      return only({ k: 'xchg', annot: tag });
    case '__cmpxchg':
      return only({ k: 'cmpxchg', annot: tag });
    case '__lock':
      return only({ k: 'spin_lock' });
    case '__unlock':
      return only({ k: 'spin_unlock' });
    case '__trylock':
      return only({ k: 'spin_trylock' });
    case '__islocked':
      return only({ k: 'spin_is_locked' });
    case '__srcu':
      return only(tag === 'sync-srcu' ? { k: 'sync_srcu' } : fail(`__srcu{${tag}}`));
    case '__atomic_op':
      return only({ k: 'atomic_op', op: aop(c.args[1]), konst: konst(c.args[2]) });
    case '__atomic_op_return':
    case '__atomic_fetch_op':
      return only({ k: 'atomic_ret', op: aop(c.args[1]), annot: tag, fetch: c.fn === '__atomic_fetch_op', konst: konst(c.args[2]), test: r.test });
    case '__atomic_add_unless':
      return only({ k: 'add_unless' });
    default:
      return fail(`unknown operation ${c.fn}`);
  }
}

/**
 * The front ends take each primitive's operands in one order (the pointer first, or the value
 * then the pointer for atomic_OP(v, p) ...): a macro whose parameters reach the operation in
 * another order or shape is refused rather than evaluated with its operands swapped.
 */
function checkOperands(r: RawMacro, c: Call, fail: (what: string) => never): void {
  const n = r.params.length;
  const is = (a: Arg | undefined, param: number, derefs: number[]): boolean => !!a && 'param' in a && a.param === param && derefs.includes(a.derefs);
  const plain = (k: number): boolean => n === k && c.args.every((a, i) => is(a, i, [0]));
  let ok: boolean;
  switch (c.fn) {
    case '__load': ok = n === 1 && is(c.args[0], 0, c.tag === 'srcu-lock' ? [1] : [0, 1]); break;
    case '__store': ok = n === 2 && is(c.args[0], 0, c.tag === 'srcu-unlock' ? [1] : [0, 1]) && is(c.args[1], 1, [0]); break;
    case '__fence': ok = n === 0; break;
    case '__xchg': ok = plain(2); break;
    case '__cmpxchg': case '__atomic_add_unless': ok = plain(3); break;
    case '__lock': case '__unlock': case '__trylock': case '__islocked': case '__srcu': ok = plain(1); break;
    case '__atomic_op': case '__atomic_op_return': case '__atomic_fetch_op': {
      const [ptr, , val] = c.args;
      ok = val && 'lit' in val ? n === 1 && is(ptr, 0, [0]) : n === 2 && is(val, 0, [0]) && is(ptr, 1, [0]);
      break;
    }
    default: return;
  }
  if (!ok) fail(`the operands of ${c.fn} are not the parameters in the order mmcheck's front ends take them`);
}

/** Reads and parses a .def file. */
export function loadDef(path: string): Map<string, DefMacro> {
  return parseDef(readFileSync(path, 'utf8'), path);
}

/** The primitives of the LKMM's linux-kernel.def (read once, on first use of this module). */
export const LKMM_DEF_PATH = join(LKMM_MODEL_DIR, 'linux-kernel.def');
export const PRIMITIVES: ReadonlyMap<string, DefMacro> = loadDef(LKMM_DEF_PATH);
/** The bundled linux-kernel.def as a litmus front end's macro table. */
export const LKMM_DEF: DefTable = { macros: PRIMITIVES, unsupported: new Map(), source: 'linux-kernel.def' };
