// Lexer and parser for herd's cat language (the subset used by the Linux-kernel memory model and
// mmcheck's library files). Operator precedences follow herd (lowest first):
//   |  (right)   ++ (right)   ; (right)   \ (left)   & (right)   binary *, postfix * + ?, prefix ~
//   ^-1 (highest). Application is juxtaposition: `f x`, `f(x)`, `f(a,b)`; it binds tightest.
import type { Binding, CatFile, Cond, Expr, Instr, Pat, Pos, TestKind } from './ast.ts';
import { fmtPos } from './ast.ts';

export class CatSyntaxError extends Error {
  constructor(
    public readonly pos: Pos,
    public readonly detail: string,
  ) {
    super(`${fmtPos(pos)}: ${detail}`);
    this.name = 'CatSyntaxError';
  }
}

type TokKind = 'var' | 'tag' | 'string' | 'kw' | 'sym' | 'eof';
interface Tok {
  t: TokKind;
  v: string;
  pos: Pos;
}

const KEYWORDS = new Set([
  'let', 'rec', 'and', 'in', 'as', 'acyclic', 'irreflexive', 'empty', 'include', 'show', 'unshow',
  'fun', 'try', 'with', 'if', 'then', 'else', 'flag', 'enum', 'instructions', 'default', 'match',
  'end', 'call', 'procedure', 'forall', 'do', 'from', 'requires', 'begin', 'when', 'debug', 'subset',
]);

const isIdStart = (c: string) => /[A-Za-z_]/.test(c);
const isIdChar = (c: string) => /[A-Za-z0-9_.\-]/.test(c);

export function tokenize(src: string, file: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const adv = (k: number) => {
    for (let j = 0; j < k; j++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  const here = (): Pos => ({ file, line, col });
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      adv(1);
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') adv(1);
      continue;
    }
    if (c === '(' && src[i + 1] === '*') {
      const start = here();
      let depth = 0;
      do {
        if (src[i] === '(' && src[i + 1] === '*') {
          depth++;
          adv(2);
        } else if (src[i] === '*' && src[i + 1] === ')') {
          depth--;
          adv(2);
        } else adv(1);
      } while (depth > 0 && i < src.length);
      if (depth > 0) throw new CatSyntaxError(start, 'unterminated comment');
      continue;
    }
    const pos = here();
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"' && src[j] !== '\n') j++;
      if (src[j] !== '"') throw new CatSyntaxError(pos, 'unterminated string');
      toks.push({ t: 'string', v: src.slice(i + 1, j), pos });
      adv(j + 1 - i);
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < src.length && isIdChar(src[j]!)) j++;
      if (j === i + 1) throw new CatSyntaxError(pos, "expected a tag name after '");
      toks.push({ t: 'tag', v: src.slice(i + 1, j), pos });
      adv(j - i);
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < src.length && isIdChar(src[j]!)) j++;
      // An identifier never ends with '-' or '.' followed by something that is not an id char
      // (keeps `r^-1` and `a->b` readable): trim trailing '-' when followed by '>'.
      if (src[j - 1] === '-' && src[j] === '>') j--;
      const v = src.slice(i, j);
      if (v === '_') toks.push({ t: 'sym', v: '_', pos });
      else toks.push({ t: KEYWORDS.has(v) ? 'kw' : 'var', v, pos });
      adv(j - i);
      continue;
    }
    if (c === '0' && !/[0-9]/.test(src[i + 1] ?? '')) {
      toks.push({ t: 'sym', v: '0', pos });
      adv(1);
      continue;
    }
    const two = src.slice(i, i + 2);
    if (c === '^' && src.slice(i, i + 3) === '^-1') {
      toks.push({ t: 'sym', v: '^-1', pos });
      adv(3);
      continue;
    }
    if (two === '++' || two === '||' || two === '->') {
      toks.push({ t: 'sym', v: two, pos });
      adv(2);
      continue;
    }
    if ('()[]{},=|&;\\*+?~'.includes(c)) {
      toks.push({ t: 'sym', v: c, pos });
      adv(1);
      continue;
    }
    throw new CatSyntaxError(pos, `unexpected character '${c}'`);
  }
  toks.push({ t: 'eof', v: '<end of file>', pos: here() });
  return toks;
}

export function parseCat(src: string, file: string): CatFile {
  return new Parser(tokenize(src, file), file).file();
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly fileName: string,
  ) {}

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.peek();
    if (t.t !== 'eof') this.i++;
    return t;
  }
  private isSym(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === 'sym' && t.v === v;
  }
  private isKw(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === 'kw' && t.v === v;
  }
  private fail(msg: string, t: Tok = this.peek()): never {
    throw new CatSyntaxError(t.pos, `${msg} (found ${describe(t)})`);
  }
  private expectSym(v: string): Tok {
    if (!this.isSym(v)) this.fail(`expected '${v}'`);
    return this.next();
  }
  private expectKw(v: string): Tok {
    if (!this.isKw(v)) this.fail(`expected '${v}'`);
    return this.next();
  }
  private expectVar(): string {
    const t = this.peek();
    if (t.t !== 'var') this.fail('expected an identifier');
    this.next();
    return t.v;
  }

  file(): CatFile {
    let title: string | null = null;
    // identity: VAR VAR | VAR STRING | VAR | STRING | nothing
    const t0 = this.peek();
    if (t0.t === 'string') {
      title = t0.v;
      this.next();
    } else if (t0.t === 'var') {
      title = t0.v;
      this.next();
      const t1 = this.peek();
      if (t1.t === 'var' || t1.t === 'string') {
        title = t1.v;
        this.next();
      }
    }
    const instrs: Instr[] = [];
    while (this.peek().t !== 'eof') instrs.push(this.instr());
    return { file: this.fileName, title, instrs };
  }

  private instr(): Instr {
    const t = this.peek();
    const pos = t.pos;
    if (t.t !== 'kw') this.fail('expected an instruction (let, include, acyclic, flag, with, ...)');
    switch (t.v) {
      case 'let': {
        this.next();
        const rec = this.isKw('rec');
        if (rec) this.next();
        const binds = this.bindings();
        if (this.isKw('when')) this.fail("'let rec ... when' is not supported");
        if (this.isKw('in')) {
          // `let ... in <exp>` at top level is an expression whose value is discarded, or
          // herd's optional `in` with no body; accept the latter only.
          this.next();
        }
        return rec ? { k: 'letrec', binds, pos } : { k: 'let', binds, pos };
      }
      case 'include': {
        this.next();
        const s = this.peek();
        if (s.t !== 'string') this.fail('expected a file name string after include');
        this.next();
        return { k: 'include', file: s.v, pos };
      }
      case 'show':
      case 'unshow': {
        this.next();
        // show exp as name | show a, b, c
        if (this.peek().t === 'var' && (this.isSym(',', 1) || this.peek(1).t === 'kw' || this.peek(1).t === 'eof') && !this.isKw('as', 1)) {
          this.next();
          while (this.isSym(',')) {
            this.next();
            this.expectVar();
          }
        } else {
          this.expr();
          if (this.isKw('as')) {
            this.next();
            this.expectVar();
          }
        }
        return { k: 'show', pos };
      }
      case 'enum': {
        this.next();
        const name = this.expectVar();
        this.expectSym('=');
        if (this.isSym('||')) this.next();
        const tags: string[] = [];
        for (;;) {
          const tg = this.peek();
          if (tg.t !== 'tag') this.fail('expected a tag in enum');
          this.next();
          tags.push(tg.v);
          if (!this.isSym('||')) break;
          this.next();
        }
        return { k: 'enum', name, tags, pos };
      }
      case 'instructions':
      case 'default': {
        this.next();
        const name = this.expectVar();
        this.expectSym('[');
        const args = this.baseList(']');
        return { k: 'instructions', name, args, pos };
      }
      case 'with': {
        this.next();
        const name = this.expectVar();
        this.expectKw('from');
        const e = this.expr();
        return { k: 'with', name, e, pos };
      }
      case 'flag':
      case 'requires':
      case 'acyclic':
      case 'irreflexive':
      case 'empty': {
        let mode: 'check' | 'flag' | 'requires' = 'check';
        if (t.v === 'flag' || t.v === 'requires') {
          mode = t.v;
          this.next();
        }
        let negated = false;
        if (this.isSym('~')) {
          negated = true;
          this.next();
        }
        const tt = this.peek();
        if (!(tt.t === 'kw' && (tt.v === 'acyclic' || tt.v === 'irreflexive' || tt.v === 'empty')))
          this.fail('expected acyclic, irreflexive or empty');
        this.next();
        const e = this.expr();
        let name: string | null = null;
        if (this.isKw('as')) {
          this.next();
          name = this.expectVar();
        }
        return { k: 'test', mode, test: tt.v as TestKind, negated, e, name, pos };
      }
      default:
        this.fail(`unsupported or unexpected keyword '${t.v}'`);
    }
  }

  // pat_bind ( and pat_bind )*
  private bindings(): Binding[] {
    const out = [this.binding()];
    while (this.isKw('and')) {
      this.next();
      out.push(this.binding());
    }
    return out;
  }

  private pat0(): string | null {
    if (this.isSym('_')) {
      this.next();
      return null;
    }
    return this.expectVar();
  }

  private formals(): (string | null)[] {
    const out: (string | null)[] = [];
    if (this.isSym(')')) return out;
    out.push(this.pat0());
    while (this.isSym(',')) {
      this.next();
      out.push(this.pat0());
    }
    return out;
  }

  private tuplePat(ps: (string | null)[]): Pat {
    return ps.length === 1 ? { k: 'var', name: ps[0]! } : { k: 'tuple', elems: ps };
  }

  private binding(): Binding {
    const pos = this.peek().pos;
    if (this.isSym('(')) {
      this.next();
      const ps = this.formals();
      this.expectSym(')');
      this.expectSym('=');
      return { pat: this.tuplePat(ps), e: this.expr(), pos };
    }
    const name = this.pat0();
    if (this.isSym('=')) {
      this.next();
      return { pat: { k: 'var', name }, e: this.expr(), pos };
    }
    if (this.isSym(',')) {
      const ps = [name];
      while (this.isSym(',')) {
        this.next();
        ps.push(this.pat0());
      }
      this.expectSym('=');
      return { pat: { k: 'tuple', elems: ps }, e: this.expr(), pos };
    }
    if (name === null) this.fail("expected '='");
    // function definitions: f x = e | f(x, y) = e
    let pat: Pat;
    if (this.isSym('(')) {
      this.next();
      pat = this.tuplePat(this.formals());
      this.expectSym(')');
    } else {
      pat = { k: 'var', name: this.pat0() };
    }
    this.expectSym('=');
    const body = this.expr();
    return { pat: { k: 'var', name }, e: { k: 'fun', pat, body, name, pos }, pos };
  }

  expr(): Expr {
    const t = this.peek();
    const pos = t.pos;
    if (t.t === 'kw') {
      switch (t.v) {
        case 'let': {
          this.next();
          const rec = this.isKw('rec');
          if (rec) this.next();
          const binds = this.bindings();
          this.expectKw('in');
          const body = this.expr();
          return rec ? { k: 'letrec', binds, body, pos } : { k: 'let', binds, body, pos };
        }
        case 'fun': {
          this.next();
          let pat: Pat;
          if (this.isSym('(')) {
            this.next();
            pat = this.tuplePat(this.formals());
            this.expectSym(')');
          } else pat = { k: 'var', name: this.pat0() };
          this.expectSym('->');
          return { k: 'fun', pat, body: this.expr(), name: '*fun*', pos };
        }
        case 'try': {
          this.next();
          const e = this.expr();
          this.expectKw('with');
          return { k: 'try', e, dflt: this.expr(), pos };
        }
        case 'if': {
          this.next();
          const cond = this.cond();
          this.expectKw('then');
          const th = this.expr();
          this.expectKw('else');
          return { k: 'if', cond, then: th, else: this.expr(), pos };
        }
        case 'match':
          return this.match();
      }
    }
    const b = this.base();
    if (this.isSym(',')) {
      const elems = [b];
      while (this.isSym(',')) {
        this.next();
        elems.push(this.base());
      }
      return { k: 'tuple', elems, pos };
    }
    return b;
  }

  private cond(): Cond {
    const t = this.peek();
    if (t.t === 'string') {
      this.next();
      return { k: 'variant', name: t.v };
    }
    const l = this.expr();
    if (this.isSym('=')) {
      this.next();
      return { k: 'eq', l, r: this.expr() };
    }
    if (this.isKw('subset')) {
      this.next();
      return { k: 'subset', l, r: this.expr() };
    }
    if (this.isKw('in')) {
      this.next();
      return { k: 'in', l, r: this.expr() };
    }
    this.fail("expected '=', 'subset' or 'in' in condition");
  }

  private match(): Expr {
    const pos = this.expectKw('match').pos;
    const e = this.expr();
    this.expectKw('with');
    if (this.isSym('||')) this.next();
    if (this.peek().t === 'tag' || this.isSym('_')) {
      const cases: [string, Expr][] = [];
      let dflt: Expr | null = null;
      for (;;) {
        if (this.isSym('_')) {
          this.next();
          this.expectSym('->');
          dflt = this.expr();
          break;
        }
        const tg = this.next();
        if (tg.t !== 'tag') this.fail('expected a tag', tg);
        this.expectSym('->');
        cases.push([tg.v, this.expr()]);
        if (!this.isSym('||')) break;
        this.next();
      }
      this.expectKw('end');
      return { k: 'matchtag', e, cases, dflt, pos };
    }
    // set clauses: {} -> e || x ++ s -> e (either order)
    let emptyCase: Expr | null = null;
    let eltCase: Expr | null = null;
    let elt: string | null = null;
    let rest: string | null = null;
    for (let n = 0; n < 2; n++) {
      if (n === 1) this.expectSym('||');
      if (this.isSym('{')) {
        this.next();
        this.expectSym('}');
        this.expectSym('->');
        emptyCase = this.expr();
      } else {
        elt = this.pat0();
        this.expectSym('++');
        rest = this.pat0();
        this.expectSym('->');
        eltCase = this.expr();
      }
    }
    if (!emptyCase || !eltCase) this.fail('a set match needs one {} clause and one x ++ s clause');
    this.expectKw('end');
    return { k: 'matchset', e, emptyCase, elt, rest, eltCase, pos };
  }

  // Precedence climbing over the binary operators.
  private base(): Expr {
    return this.binLevel(0);
  }

  private static readonly LEVELS: { sym: string; op: 'union' | 'add' | 'seq' | 'diff' | 'inter'; right: boolean }[] = [
    { sym: '|', op: 'union', right: true },
    { sym: '++', op: 'add', right: true },
    { sym: ';', op: 'seq', right: true },
    { sym: '\\', op: 'diff', right: false },
    { sym: '&', op: 'inter', right: true },
  ];

  private binLevel(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.cartesian();
    const L = Parser.LEVELS[level]!;
    let l = this.binLevel(level + 1);
    if (L.right) {
      if (this.isSym(L.sym)) {
        const pos = this.next().pos;
        const r = this.binLevel(level);
        return { k: 'bin', op: L.op, l, r, pos };
      }
      return l;
    }
    while (this.isSym(L.sym)) {
      const pos = this.next().pos;
      const r = this.binLevel(level + 1);
      l = { k: 'bin', op: L.op, l, r, pos };
    }
    return l;
  }

  /** Can the token at offset k start an operand (base)? */
  private startsBase(k = 0): boolean {
    const t = this.peek(k);
    if (t.t === 'var' || t.t === 'tag') return true;
    if (t.t === 'kw') return t.v === 'begin';
    if (t.t === 'sym') return ['(', '[', '{', '_', '0', '~'].includes(t.v);
    return false;
  }

  private startsArg(k = 0): boolean {
    const t = this.peek(k);
    if (t.t === 'var' || t.t === 'tag') return true;
    if (t.t === 'kw') return t.v === 'begin';
    if (t.t === 'sym') return ['(', '[', '{', '_', '0'].includes(t.v);
    return false;
  }

  // binary cartesian product and the unary operators
  private cartesian(): Expr {
    let l = this.unary();
    while (this.isSym('*') && this.startsBase(1)) {
      const pos = this.next().pos;
      const r = this.unary();
      l = { k: 'bin', op: 'cart', l, r, pos };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isSym('~')) {
      const pos = this.next().pos;
      return { k: 'un', op: 'comp', e: this.unary(), pos };
    }
    let e = this.primary();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'sym') break;
      if (t.v === '^-1') {
        this.next();
        e = { k: 'un', op: 'inv', e, pos: t.pos };
      } else if (t.v === '+') {
        this.next();
        e = { k: 'un', op: 'plus', e, pos: t.pos };
      } else if (t.v === '?') {
        this.next();
        e = { k: 'un', op: 'opt', e, pos: t.pos };
      } else if (t.v === '*' && !this.startsBase(1)) {
        this.next();
        e = { k: 'un', op: 'star', e, pos: t.pos };
      } else break;
    }
    return e;
  }

  private primary(): Expr {
    const t = this.peek();
    const pos = t.pos;
    if (t.t === 'var') {
      this.next();
      let e: Expr = { k: 'var', name: t.v, pos };
      while (this.startsArg()) {
        const a = this.arg();
        e = { k: 'app', f: e, arg: a, pos };
      }
      return e;
    }
    return this.simple();
  }

  private arg(): Expr {
    const t = this.peek();
    if (t.t === 'var') {
      this.next();
      return { k: 'var', name: t.v, pos: t.pos };
    }
    return this.simple();
  }

  private simple(): Expr {
    const t = this.peek();
    const pos = t.pos;
    if (t.t === 'tag') {
      this.next();
      return { k: 'tag', name: t.v, pos };
    }
    if (t.t === 'kw' && t.v === 'begin') {
      this.next();
      const e = this.expr();
      this.expectKw('end');
      return e;
    }
    if (t.t === 'sym') {
      switch (t.v) {
        case '0':
          this.next();
          return { k: 'empty', pos };
        case '_':
          this.next();
          return { k: 'universe', pos };
        case '(': {
          this.next();
          if (this.isSym(')')) {
            this.next();
            return { k: 'tuple', elems: [], pos };
          }
          const e = this.expr();
          this.expectSym(')');
          return e;
        }
        case '[': {
          this.next();
          const e = this.expr();
          this.expectSym(']');
          return { k: 'un', op: 'toid', e, pos };
        }
        case '{': {
          this.next();
          const elems = this.baseList('}');
          return elems.length === 0 ? { k: 'empty', pos } : { k: 'explicit', elems, pos };
        }
      }
    }
    this.fail('expected an expression');
  }

  /** `e1, e2, ...` (possibly none) up to and including the closing symbol. */
  private baseList(close: string): Expr[] {
    const out: Expr[] = [];
    if (!this.isSym(close)) {
      out.push(this.base());
      while (this.isSym(',')) {
        this.next();
        out.push(this.base());
      }
    }
    this.expectSym(close);
    return out;
  }
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'eof':
      return 'end of file';
    case 'string':
      return `string "${t.v}"`;
    case 'tag':
      return `tag '${t.v}`;
    default:
      return `'${t.v}'`;
  }
}
