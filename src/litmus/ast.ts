// The syntax tree of a C litmus test (the dialect of the kernel's tools/memory-model and herd7):
// header, initial state, threads, and the final clauses (locations, filter, exists/~exists/forall).
import type { DefMacro } from '../axiomatic/lkmm/def.ts';

export interface Pos {
  line: number;
  col: number;
}

export type BinOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '>' | '<=' | '>='
  | '&&' | '||';

export type Expr =
  | { k: 'num'; v: number; pos: Pos }
  /** A register/local, or (if no such local) the address of a shared location. */
  | { k: 'id'; name: string; pos: Pos }
  /** Plain (unmarked) load `*e`. */
  | { k: 'deref'; e: Expr; pos: Pos }
  /** `&x` (x a shared location name) or `&*e` (= e). */
  | { k: 'addr'; e: Expr; pos: Pos }
  | { k: 'un'; op: '!' | '-' | '~'; e: Expr; pos: Pos }
  | { k: 'bin'; op: BinOp; l: Expr; r: Expr; pos: Pos }
  | { k: 'cond'; c: Expr; t: Expr; f: Expr; pos: Pos }
  /** A call of a kernel primitive: a macro of the .def (src/axiomatic/lkmm/def.ts), expanded. */
  | { k: 'call'; name: string; macro: DefMacro; args: Expr[]; pos: Pos };

export type Stmt =
  | { k: 'decl'; name: string; init: Expr | null; pos: Pos }
  | { k: 'assign'; reg: string; e: Expr; pos: Pos }
  /** `*p = e` : plain store. */
  | { k: 'store'; addr: Expr; e: Expr; pos: Pos }
  | { k: 'expr'; e: Expr; pos: Pos }
  | { k: 'if'; c: Expr; t: Stmt[]; f: Stmt[] | null; pos: Pos }
  | { k: 'block'; body: Stmt[]; pos: Pos };

export interface Param {
  name: string;
  type: string;
}

export interface ThreadAst {
  tid: number;
  params: Param[];
  body: Stmt[];
  pos: Pos;
}

/** Initial value: an integer, or the address of a shared location. */
export type InitVal = { k: 'int'; v: number } | { k: 'addr'; name: string };

export interface InitItem {
  /** Shared location, or a register when `tid` is set (`0:r1=x;`). */
  name: string;
  tid: number | null;
  type: string | null;
  val: InitVal | null;
  pos: Pos;
}

/** A location in a condition: a register `T:r` or a shared location `x` / `[x]`. */
export type CLoc = { k: 'reg'; tid: number; reg: string; pos?: Pos } | { k: 'mem'; name: string; pos?: Pos };

export type CVal = { k: 'int'; v: number } | { k: 'sym'; name: string } | { k: 'loc'; loc: CLoc };

export type Prop =
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'atom'; loc: CLoc; val: CVal }
  | { k: 'not'; p: Prop }
  | { k: 'and'; ps: Prop[] }
  | { k: 'or'; ps: Prop[] }
  | { k: 'imp'; a: Prop; b: Prop };

export type Quantifier = 'exists' | '~exists' | 'forall';

export interface LitmusTest {
  name: string;
  init: InitItem[];
  threads: ThreadAst[];
  locations: CLoc[];
  filter: Prop | null;
  quant: Quantifier;
  cond: Prop;
}
