// Stage 1b of the litmus pipeline: parse the text of a C litmus test into a LitmusTest (ast.ts).
// The file is split as herd7 does: the header line `C name`, free text up to the initial-state
// block `{ … }`, the threads `Pn(params) { body }`, then `locations`, `filter` and the final
// condition. Errors are LitmusError with the line and column of the offending token.
import type { BinOp, CLoc, CVal, Expr, InitItem, InitVal, LitmusTest, Param, Pos, Prop, Quantifier, Stmt, ThreadAst } from './ast.ts';
import { LitmusError, parseIntLit, tokenize, type Token } from './lexer.ts';
import { LKMM_DEF, type DefTable } from '../axiomatic/lkmm/def.ts';

const TYPE_WORDS = new Set([
  'int', 'long', 'short', 'char', 'unsigned', 'signed', 'intptr_t', 'uintptr_t', 'atomic_t',
  'atomic_long_t', 'spinlock_t', 'struct', 'volatile', 'const', 'bool', '_Bool', 'void', 'size_t',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'int8_t', 'int16_t', 'int32_t', 'int64_t',
  'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'srcu_struct',
]);

/**
 * Parses a whole litmus file. Throws LitmusError on malformed input. `prims` are the macros a
 * thread may call (the bundled linux-kernel.def's, or those of the user's own .def).
 */
export function parseLitmus(src: string, prims: DefTable = LKMM_DEF): LitmusTest {
  // ---- header line
  let off = 0;
  let line = 1;
  // skip leading blank lines
  while (true) {
    const nl = src.indexOf('\n', off);
    const text = src.slice(off, nl < 0 ? src.length : nl);
    if (text.trim() !== '' || nl < 0) break;
    off = nl + 1;
    line++;
  }
  const nl = src.indexOf('\n', off);
  const first = src.slice(off, nl < 0 ? src.length : nl);
  const m = /^\s*C\s+(\S+)/.exec(first);
  if (!m) {
    const col = first.length - first.trimStart().length + 1;
    throw new LitmusError(line, col, "expected the header 'C <name>' (only C litmus tests are supported)");
  }
  const name = m[1]!;
  off = nl < 0 ? src.length : nl + 1;
  // ---- free text up to the init block or the first thread (skip comments and strings)
  let i = off;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '{') break;
    if (c === '(' && src[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < src.length && depth > 0) {
        if (src[j] === '(' && src[j + 1] === '*') { depth++; j += 2; }
        else if (src[j] === '*' && src[j + 1] === ')') { depth--; j += 2; }
        else j++;
      }
      i = j;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const j = src.indexOf('*/', i + 2);
      i = j < 0 ? src.length : j + 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const j = src.indexOf('\n', i);
      i = j < 0 ? src.length : j;
      continue;
    }
    if (c === '"') {
      const j = src.indexOf('"', i + 1);
      const k = src.indexOf('\n', i + 1);
      i = j < 0 || (k >= 0 && k < j) ? (k < 0 ? src.length : k) : j + 1;
      continue;
    }
    if (c === 'P' && (i === 0 || src[i - 1] === '\n') && /^P\d+\s*\(/.test(src.slice(i, i + 12))) break;
    i++;
  }
  const toks = tokenize(src, i);
  const p = new Parser(toks, prims);
  return p.parseTest(name);
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly prims: DefTable,
  ) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === 'punct' || t.kind === 'id') && t.text === text;
  }
  private accept(text: string): boolean {
    if (this.is(text)) {
      this.next();
      return true;
    }
    return false;
  }
  private fail(t: Token, msg: string): never {
    throw new LitmusError(t.line, t.col, msg);
  }
  private expect(text: string, what?: string): Token {
    const t = this.peek();
    if (!this.is(text)) this.fail(t, `expected '${text}'${what ? ` ${what}` : ''}, found '${t.text}'`);
    return this.next();
  }
  private ident(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'id') this.fail(t, `expected ${what}, found '${t.text}'`);
    return this.next();
  }
  private pos(t: Token): Pos {
    return { line: t.line, col: t.col };
  }

  parseTest(name: string): LitmusTest {
    let init: InitItem[] = [];
    if (this.is('{')) init = this.parseInit();
    const threads: ThreadAst[] = [];
    while (this.peek().kind === 'id' && /^P\d+$/.test(this.peek().text)) {
      threads.push(this.parseThread());
    }
    if (threads.length === 0) this.fail(this.peek(), `expected a thread 'P0(...) { ... }', found '${this.peek().text}'`);
    threads.forEach((t, k) => {
      if (t.tid !== k) throw new LitmusError(t.pos.line, t.pos.col, `thread P${t.tid} out of order (expected P${k})`);
    });
    let locations: CLoc[] = [];
    let filter: Prop | null = null;
    let quant: Quantifier | null = null;
    let cond: Prop | null = null;
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      if (this.accept('locations')) {
        if (quant) this.fail(t, "'locations' must come before the final condition");
        locations = locations.concat(this.parseLocations());
      } else if (this.accept('filter')) {
        if (quant) this.fail(t, "'filter' must come before the final condition");
        filter = this.parseProp();
      } else if (this.is('exists') || this.is('forall') || (this.is('~') && this.is('exists', 1))) {
        if (quant) this.fail(t, 'a second final condition');
        if (this.accept('~')) {
          this.next();
          quant = '~exists';
        } else quant = this.next().text as Quantifier;
        cond = this.parseProp();
      } else {
        this.fail(t, `expected 'exists', 'forall', '~exists', 'locations' or 'filter', found '${t.text}'`);
      }
    }
    // No final condition: herd7 takes `exists (true)`.
    return { name, init, threads, locations, filter, quant: quant ?? 'exists', cond: cond ?? { k: 'true' } };
  }

  // ---------------------------------------------------------------- init block
  private parseInit(): InitItem[] {
    this.expect('{');
    const items: InitItem[] = [];
    while (!this.is('}')) {
      if (this.accept(';')) continue;
      const start = this.peek();
      if (start.kind === 'eof') this.fail(start, "unterminated initial state: expected '}'");
      // optional type words and stars
      const typeParts: string[] = [];
      while (true) {
        const t = this.peek();
        if (t.kind === 'id' && TYPE_WORDS.has(t.text)) {
          typeParts.push(this.next().text);
          if (t.text === 'struct') typeParts.push(this.ident('a struct name').text);
        } else if (this.is('*') && typeParts.length > 0) {
          this.next();
          typeParts.push('*');
        } else break;
      }
      let tid: number | null = null;
      let nameTok: Token;
      if (this.peek().kind === 'num' && this.is(':', 1)) {
        tid = parseIntLit(this.next().text);
        this.next();
        nameTok = this.ident('a register name');
      } else {
        nameTok = this.ident('a location name');
      }
      let val: InitVal | null = null;
      if (this.accept('=')) val = this.parseInitVal();
      items.push({ name: nameTok.text, tid, type: typeParts.length ? typeParts.join(' ') : null, val, pos: this.pos(nameTok) });
      if (!this.is('}')) this.expect(';', 'after an initial value');
    }
    this.expect('}');
    this.accept(';');
    return items;
  }

  private parseInitVal(): InitVal {
    const t = this.peek();
    if (t.kind === 'num') {
      this.next();
      return { k: 'int', v: parseIntLit(t.text) };
    }
    if (this.accept('-')) {
      const n = this.peek();
      if (n.kind !== 'num') this.fail(n, `expected a number after '-', found '${n.text}'`);
      this.next();
      return { k: 'int', v: -parseIntLit(n.text) };
    }
    if (this.accept('&')) return { k: 'addr', name: this.ident('a location name').text };
    if (t.kind === 'id') {
      this.next();
      if ((t.text === 'ATOMIC_INIT' || t.text === 'ATOMIC_LONG_INIT') && this.accept('(')) {
        const v = this.parseInitVal();
        this.expect(')');
        return v;
      }
      return { k: 'addr', name: t.text };
    }
    this.fail(t, `expected an initial value, found '${t.text}'`);
  }

  // ---------------------------------------------------------------- threads
  private parseThread(): ThreadAst {
    const t = this.next();
    const tid = parseInt(t.text.slice(1), 10);
    this.expect('(', `after ${t.text}`);
    const params: Param[] = [];
    if (!this.is(')')) {
      while (true) {
        const parts: string[] = [];
        while (this.peek().kind === 'id' || this.is('*')) parts.push(this.next().text);
        if (parts.length === 0 || parts[parts.length - 1] === '*') {
          this.fail(this.peek(), `expected a parameter name, found '${this.peek().text}'`);
        }
        const name = parts.pop()!;
        params.push({ name, type: parts.join(' ') });
        if (this.accept(',')) continue;
        break;
      }
    }
    this.expect(')', 'after the thread parameters');
    const body = this.parseBlock();
    return { tid, params, body, pos: this.pos(t) };
  }

  private parseBlock(): Stmt[] {
    this.expect('{');
    const out: Stmt[] = [];
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail(this.peek(), "unterminated block: expected '}'");
      this.parseStmt(out);
    }
    this.expect('}');
    return out;
  }

  private isTypeStart(): boolean {
    const t = this.peek();
    return t.kind === 'id' && TYPE_WORDS.has(t.text);
  }

  private parseStmt(out: Stmt[]): void {
    const t = this.peek();
    if (this.accept(';')) return;
    if (this.is('{')) {
      out.push({ k: 'block', body: this.parseBlock(), pos: this.pos(t) });
      return;
    }
    if (this.accept('if')) {
      this.expect('(', "after 'if'");
      const c = this.parseExpr();
      this.expect(')', 'after the condition');
      const th: Stmt[] = [];
      this.parseStmt(th);
      let el: Stmt[] | null = null;
      if (this.accept('else')) {
        el = [];
        this.parseStmt(el);
      }
      out.push({ k: 'if', c, t: th, f: el, pos: this.pos(t) });
      return;
    }
    if (t.kind === 'id' && (t.text === 'while' || t.text === 'for' || t.text === 'do' || t.text === 'goto' || t.text === 'switch' || t.text === 'return')) {
      this.fail(t, `'${t.text}' is not supported in litmus threads`);
    }
    if (this.isTypeStart()) {
      // declaration: type words, then declarators `*... name [= expr]` separated by commas
      while (this.isTypeStart()) {
        const w = this.next();
        if (w.text === 'struct') this.ident('a struct name');
      }
      while (true) {
        while (this.accept('*')) { /* pointer */ }
        const n = this.ident('a variable name');
        let init: Expr | null = null;
        if (this.accept('=')) init = this.parseExpr();
        out.push({ k: 'decl', name: n.text, init, pos: this.pos(n) });
        if (this.accept(',')) continue;
        break;
      }
      this.expect(';', 'after a declaration');
      return;
    }
    if (t.kind === 'id' && this.is('=', 1)) {
      this.next();
      this.next();
      const e = this.parseExpr();
      this.expect(';', 'after an assignment');
      out.push({ k: 'assign', reg: t.text, e, pos: this.pos(t) });
      return;
    }
    if (t.kind === 'id' && this.peek(1).kind === 'punct' && ['+=', '-=', '*=', '|=', '&=', '^=', '<<=', '>>='].includes(this.peek(1).text)) {
      this.next();
      const opTok = this.next();
      const e = this.parseExpr();
      this.expect(';', 'after an assignment');
      const op = opTok.text.slice(0, -1) as BinOp;
      out.push({ k: 'assign', reg: t.text, e: { k: 'bin', op, l: { k: 'id', name: t.text, pos: this.pos(t) }, r: e, pos: this.pos(opTok) }, pos: this.pos(t) });
      return;
    }
    if (t.kind === 'id' && (this.is('++', 1) || this.is('--', 1))) {
      this.next();
      const opTok = this.next();
      this.expect(';');
      out.push({ k: 'assign', reg: t.text, e: { k: 'bin', op: opTok.text === '++' ? '+' : '-', l: { k: 'id', name: t.text, pos: this.pos(t) }, r: { k: 'num', v: 1, pos: this.pos(opTok) }, pos: this.pos(opTok) }, pos: this.pos(t) });
      return;
    }
    // expression statement, or plain store `*e = e;`
    const e = this.parseExpr();
    if (this.is('=')) {
      const eq = this.next();
      if (e.k !== 'deref') this.fail(eq, "the left side of '=' must be a register or '*pointer'");
      const rhs = this.parseExpr();
      this.expect(';', 'after a store');
      out.push({ k: 'store', addr: e.e, e: rhs, pos: this.pos(t) });
      return;
    }
    this.expect(';', 'after an expression');
    out.push({ k: 'expr', e, pos: this.pos(t) });
  }

  // ---------------------------------------------------------------- expressions
  parseExpr(): Expr {
    const c = this.parseBin(0);
    if (this.is('?')) {
      const q = this.next();
      const t = this.parseExpr();
      this.expect(':', "in '?:'");
      const f = this.parseExpr();
      return { k: 'cond', c, t, f, pos: this.pos(q) };
    }
    return c;
  }

  private static readonly LEVELS: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private parseBin(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.parseUnary();
    let l = this.parseBin(level + 1);
    const ops = Parser.LEVELS[level]!;
    while (this.peek().kind === 'punct' && ops.includes(this.peek().text)) {
      const op = this.next();
      const r = this.parseBin(level + 1);
      l = { k: 'bin', op: op.text as BinOp, l, r, pos: this.pos(op) };
    }
    return l;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.accept('*')) return { k: 'deref', e: this.parseUnary(), pos: this.pos(t) };
    if (this.accept('&')) return { k: 'addr', e: this.parseUnary(), pos: this.pos(t) };
    if (this.accept('!')) return { k: 'un', op: '!', e: this.parseUnary(), pos: this.pos(t) };
    if (this.accept('-')) return { k: 'un', op: '-', e: this.parseUnary(), pos: this.pos(t) };
    if (this.accept('~')) return { k: 'un', op: '~', e: this.parseUnary(), pos: this.pos(t) };
    if (this.accept('+')) return this.parseUnary();
    if (this.is('(') && this.peek(1).kind === 'id' && TYPE_WORDS.has(this.peek(1).text)) {
      // cast: ( type-words stars ) unary
      this.next();
      while (this.isTypeStart()) {
        const w = this.next();
        if (w.text === 'struct') this.ident('a struct name');
      }
      while (this.accept('*')) { /* pointer */ }
      this.expect(')', 'after a cast type');
      return this.parseUnary();
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === 'num') {
      this.next();
      return { k: 'num', v: parseIntLit(t.text), pos: this.pos(t) };
    }
    if (this.accept('(')) {
      const e = this.parseExpr();
      this.expect(')');
      return e;
    }
    if (t.kind === 'id') {
      this.next();
      if (this.is('(')) {
        const macro = this.prims.macros.get(t.text);
        if (!macro) {
          const why = this.prims.unsupported.get(t.text);
          if (why !== undefined) this.fail(t, `macro ${t.text} of ${this.prims.source} is not supported by mmcheck: ${why}`);
          throw new LitmusError(t.line, t.col, `Unknown macro ${t.text} (not defined in ${this.prims.source})`, t.text);
        }
        const prim = macro.prim;
        this.next();
        const args: Expr[] = [];
        if (!this.is(')')) {
          while (true) {
            args.push(this.parseExpr());
            if (this.accept(',')) continue;
            break;
          }
        }
        this.expect(')', `after the arguments of ${t.text}`);
        if (args.length !== macro.arity) this.fail(t, `${t.text} takes ${macro.arity} argument(s), given ${args.length}`);
        if ((prim.k === 'load' || prim.k === 'store') && prim.deref && args[0]!.k !== 'deref') {
          this.fail(t, `the first argument of ${t.text} must be of the form '*p'`);
        }
        return { k: 'call', name: t.text, macro, args, pos: this.pos(t) };
      }
      return { k: 'id', name: t.text, pos: this.pos(t) };
    }
    this.fail(t, `expected an expression, found '${t.text}'`);
  }

  // ---------------------------------------------------------------- final clauses
  private parseLocations(): CLoc[] {
    this.expect('[', "after 'locations'");
    const out: CLoc[] = [];
    while (!this.is(']')) {
      if (this.accept(';')) continue;
      out.push(this.parseCLoc());
    }
    this.expect(']');
    return out;
  }

  private parseCLoc(): CLoc {
    const t = this.peek();
    if (t.kind === 'num' && this.is(':', 1)) {
      this.next();
      this.next();
      return { k: 'reg', tid: parseIntLit(t.text), reg: this.ident('a register name').text, pos: this.pos(t) };
    }
    if (this.accept('[')) {
      const n = this.ident('a location name');
      this.expect(']');
      return { k: 'mem', name: n.text, pos: this.pos(n) };
    }
    if (t.kind === 'id') {
      this.next();
      return { k: 'mem', name: t.text, pos: this.pos(t) };
    }
    this.fail(t, `expected a location ('T:reg' or a name), found '${t.text}'`);
  }

  parseProp(): Prop {
    const a = this.parseDisj();
    if (this.is('=') && this.is('>', 1)) {
      this.next();
      this.next();
      return { k: 'imp', a, b: this.parseProp() };
    }
    return a;
  }
  private parseDisj(): Prop {
    const ps = [this.parseConj()];
    while (this.accept('\\/')) ps.push(this.parseConj());
    return ps.length === 1 ? ps[0]! : { k: 'or', ps };
  }
  private parseConj(): Prop {
    const ps = [this.parseUnaryProp()];
    while (this.accept('/\\')) ps.push(this.parseUnaryProp());
    return ps.length === 1 ? ps[0]! : { k: 'and', ps };
  }
  private parseUnaryProp(): Prop {
    if (this.accept('~') || this.accept('not')) return { k: 'not', p: this.parseUnaryProp() };
    if (this.accept('true')) return { k: 'true' };
    if (this.accept('false')) return { k: 'false' };
    if (this.accept('(')) {
      const p = this.parseProp();
      this.expect(')', 'in the condition');
      return p;
    }
    const loc = this.parseCLoc();
    const t = this.peek();
    let neg = false;
    if (this.accept('=') || this.accept('==')) { /* ok */ }
    else if (this.accept('!=')) neg = true;
    else this.fail(t, `expected '=' in the condition, found '${t.text}'`);
    const val = this.parseCVal();
    const atom: Prop = { k: 'atom', loc, val };
    return neg ? { k: 'not', p: atom } : atom;
  }
  private parseCVal(): CVal {
    const t = this.peek();
    if (t.kind === 'num' && this.is(':', 1)) return { k: 'loc', loc: this.parseCLoc() };
    if (t.kind === 'num') {
      this.next();
      return { k: 'int', v: parseIntLit(t.text) };
    }
    if (this.accept('-')) {
      const n = this.peek();
      if (n.kind !== 'num') this.fail(n, `expected a number after '-', found '${n.text}'`);
      this.next();
      return { k: 'int', v: -parseIntLit(n.text) };
    }
    if (this.is('[')) return { k: 'loc', loc: this.parseCLoc() };
    if (this.accept('&')) return { k: 'sym', name: this.ident('a location name').text };
    if (t.kind === 'id') {
      this.next();
      return { k: 'sym', name: t.text };
    }
    this.fail(t, `expected a value, found '${t.text}'`);
  }
}

