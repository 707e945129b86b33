// Abstract syntax of the subset of herd's cat language that mmcheck interprets.

/** A source position, for error messages: `file:line:col`. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

export function fmtPos(p: Pos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

/** A pattern for function parameters and let bindings: a name (null for `_`) or a tuple. */
export type Pat = { k: 'var'; name: string | null } | { k: 'tuple'; elems: (string | null)[] };

export type BinOp = 'union' | 'inter' | 'diff' | 'seq' | 'cart' | 'add';
export type UnOp = 'star' | 'plus' | 'opt' | 'inv' | 'comp' | 'toid';

export type Expr =
  | { k: 'var'; name: string; pos: Pos }
  | { k: 'empty'; pos: Pos } // 0 and {}
  | { k: 'universe'; pos: Pos } // _
  | { k: 'tag'; name: string; pos: Pos }
  | { k: 'explicit'; elems: Expr[]; pos: Pos } // { a, b }
  | { k: 'tuple'; elems: Expr[]; pos: Pos }
  | { k: 'bin'; op: BinOp; l: Expr; r: Expr; pos: Pos }
  | { k: 'un'; op: UnOp; e: Expr; pos: Pos }
  | { k: 'app'; f: Expr; arg: Expr; pos: Pos }
  | { k: 'fun'; pat: Pat; body: Expr; name: string; pos: Pos }
  | { k: 'let'; binds: Binding[]; body: Expr; pos: Pos }
  | { k: 'letrec'; binds: Binding[]; body: Expr; pos: Pos }
  | { k: 'try'; e: Expr; dflt: Expr; pos: Pos }
  | { k: 'if'; cond: Cond; then: Expr; else: Expr; pos: Pos }
  | { k: 'matchset'; e: Expr; emptyCase: Expr; elt: string | null; rest: string | null; eltCase: Expr; pos: Pos }
  | { k: 'matchtag'; e: Expr; cases: [string, Expr][]; dflt: Expr | null; pos: Pos }
  /** Inserted by the compiler: a subexpression of a let rec that does not depend on the
   * recursive names, evaluated once per fixpoint computation. */
  | { k: 'invariant'; e: Expr; pos: Pos }
  /** Inserted by the compiler: a subexpression that depends only on the static part of the
   * execution (level 2: cached while the static part does not change) or on no `with` choice
   * (level 1: cached per run, shared by all branches). */
  | { k: 'hoist'; e: Expr; level: 1 | 2; pos: Pos };

export type Cond =
  | { k: 'variant'; name: string }
  | { k: 'eq'; l: Expr; r: Expr }
  | { k: 'subset'; l: Expr; r: Expr }
  | { k: 'in'; l: Expr; r: Expr };

export interface Binding {
  pat: Pat;
  e: Expr;
  pos: Pos;
}

export type TestKind = 'acyclic' | 'irreflexive' | 'empty';

export type Instr =
  | { k: 'let'; binds: Binding[]; pos: Pos }
  | { k: 'letrec'; binds: Binding[]; pos: Pos }
  | {
      k: 'test';
      /** 'check': a failing test rejects the candidate; 'flag': a passing test raises a flag;
       * 'requires': like check (herd's undefined-unless). */
      mode: 'check' | 'flag' | 'requires';
      test: TestKind;
      negated: boolean;
      e: Expr;
      name: string | null;
      pos: Pos;
    }
  | { k: 'with'; name: string; e: Expr; pos: Pos }
  | { k: 'enum'; name: string; tags: string[]; pos: Pos }
  | { k: 'instructions'; name: string; args: Expr[]; pos: Pos }
  | { k: 'include'; file: string; pos: Pos }
  | { k: 'show'; pos: Pos };

export interface CatFile {
  file: string;
  title: string | null;
  instrs: Instr[];
}

// ---- printing (for explanations: a sub-relation is named by its source text) ----

/** Binding strength of each operator, as the parser reads them (higher binds tighter). */
const BIN_LEVEL: Record<BinOp, number> = { union: 1, add: 2, seq: 3, diff: 4, inter: 5, cart: 6 };
const BIN_TEXT: Record<BinOp, string> = { union: ' | ', add: ' ++ ', seq: ' ; ', diff: ' \\ ', inter: ' & ', cart: ' * ' };
const POSTFIX: Partial<Record<UnOp, string>> = { star: '*', plus: '+', opt: '?', inv: '^-1' };

function levelOfExpr(e: Expr): number {
  if (e.k === 'bin') return BIN_LEVEL[e.op];
  if (e.k === 'un') return e.op === 'comp' ? 7 : e.op === 'toid' ? 10 : 8;
  if (e.k === 'invariant' || e.k === 'hoist') return levelOfExpr(e.e);
  return e.k === 'var' || e.k === 'empty' || e.k === 'universe' || e.k === 'tag' || e.k === 'explicit' || e.k === 'tuple' || e.k === 'app' ? 10 : 0;
}

/** The expression in cat syntax, with the parentheses its operators need. */
export function showExpr(e: Expr): string {
  const at = (x: Expr, min: number): string => (levelOfExpr(x) >= min ? showExpr(x) : `(${showExpr(x)})`);
  switch (e.k) {
    case 'var':
      return e.name;
    case 'empty':
      return '0';
    case 'universe':
      return '_';
    case 'tag':
      return `'${e.name}`;
    case 'explicit':
      return `{${e.elems.map(showExpr).join(', ')}}`;
    case 'tuple':
      return `(${e.elems.map(showExpr).join(', ')})`;
    case 'bin': {
      const l = BIN_LEVEL[e.op];
      // `\` associates to the left, every other binary operator to the right
      return e.op === 'diff' ? at(e.l, l) + BIN_TEXT[e.op] + at(e.r, l + 1) : at(e.l, l + 1) + BIN_TEXT[e.op] + at(e.r, l);
    }
    case 'un':
      if (e.op === 'toid') return `[${showExpr(e.e)}]`;
      if (e.op === 'comp') return `~${at(e.e, 8)}`;
      return at(e.e, 9) + POSTFIX[e.op]!;
    case 'app':
      return e.arg.k === 'tuple' ? `${at(e.f, 10)}${showExpr(e.arg)}` : `${at(e.f, 10)}(${showExpr(e.arg)})`;
    case 'fun':
      return `fun ${e.pat.k === 'var' ? (e.pat.name ?? '_') : `(${e.pat.elems.map((n) => n ?? '_').join(', ')})`} -> ${showExpr(e.body)}`;
    case 'invariant':
    case 'hoist':
      return showExpr(e.e);
    case 'if':
      return `if ... then ${showExpr(e.then)} else ${showExpr(e.else)}`;
    default:
      return `(${e.k} at ${fmtPos(e.pos)})`;
  }
}
