// Stage 1a of the litmus pipeline: split the text of a C litmus test into tokens with line/column
// positions. Comments of all three kinds are skipped: `// …`, `/* … */` and OCaml-style `(* … *)`
// (nesting). In C code `(*x` / `(*(` is a dereference, so `(*` only opens a comment when the next
// character is a blank, another `*`, a `)` or the end of the text, as in every corpus test.

export class LitmusError extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly msg: string,
    /** Set when the error is a call of a macro the .def does not define (herd7's "Unknown macro"). */
    readonly unknownMacro?: string,
  ) {
    super(`${line}:${col}: ${msg}`);
  }
}

export type TokKind = 'id' | 'num' | 'punct' | 'eof';

export interface Token {
  kind: TokKind;
  text: string;
  line: number;
  col: number;
  /** Offset of the token in the source text. */
  off: number;
}

// Longest first.
const PUNCTS = [
  '<<=', '>>=',
  '/\\', '\\/', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '->', '++', '--',
  '+=', '-=', '*=', '|=', '&=', '^=',
  '{', '}', '(', ')', '[', ']', ';', ',', ':', '=', '+', '-', '*', '/', '%', '&', '|', '^', '!',
  '~', '<', '>', '?', '.',
];

function isIdStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdChar(c: string): boolean {
  return isIdStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Tokenizes `src` from offset `start` (positions stay absolute). Throws LitmusError. */
export function tokenize(src: string, start = 0, end = src.length): Token[] {
  const toks: Token[] = [];
  let i = start;
  // line/col of offset i, maintained incrementally
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < start; k++) if (src.charCodeAt(k) === 10) { line++; lineStart = k + 1; }
  const advanceTo = (j: number): void => {
    for (let k = i; k < j; k++) if (src.charCodeAt(k) === 10) { line++; lineStart = k + 1; }
    i = j;
  };
  while (i < end) {
    const c = src[i]!;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      advanceTo(i + 1);
      continue;
    }
    const col = i - lineStart + 1;
    if (c === '/' && src[i + 1] === '/') {
      let j = i + 2;
      while (j < end && src[j] !== '\n') j++;
      advanceTo(j);
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const j = src.indexOf('*/', i + 2);
      if (j < 0 || j + 2 > end) throw new LitmusError(line, col, 'unterminated comment /*');
      advanceTo(j + 2);
      continue;
    }
    if (c === '(' && src[i + 1] === '*') {
      const n = src[i + 2];
      if (n === undefined || i + 2 >= end || n === ' ' || n === '\t' || n === '\n' || n === '\r' || n === '*' || n === ')') {
        let depth = 1;
        let j = i + 2;
        while (j < end && depth > 0) {
          if (src[j] === '(' && src[j + 1] === '*') { depth++; j += 2; }
          else if (src[j] === '*' && src[j + 1] === ')') { depth--; j += 2; }
          else j++;
        }
        if (depth > 0) throw new LitmusError(line, col, 'unterminated comment (*');
        advanceTo(j);
        continue;
      }
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < end && isIdChar(src[j]!)) j++;
      toks.push({ kind: 'id', text: src.slice(i, j), line, col, off: i });
      advanceTo(j);
      continue;
    }
    if (isDigit(c)) {
      let j = i + 1;
      if (c === '0' && (src[j] === 'x' || src[j] === 'X')) {
        j++;
        while (j < end && /[0-9a-fA-F]/.test(src[j]!)) j++;
      } else {
        while (j < end && isDigit(src[j]!)) j++;
      }
      // integer suffixes (1UL, 2L, ...)
      while (j < end && /[uUlL]/.test(src[j]!)) j++;
      if (j < end && isIdChar(src[j]!)) throw new LitmusError(line, col, `bad number '${src.slice(i, j + 1)}'`);
      // '0x' with no digit parses as NaN, and a constant past 2^53 as a neighbour of itself: both
      // would be checked as some other test. herd7 refuses constants its integers cannot hold too.
      if (!Number.isSafeInteger(parseIntLit(src.slice(i, j)))) {
        throw new LitmusError(line, col, `bad number '${src.slice(i, j)}'${/\d/.test(src.slice(i + 2, j)) || c !== '0' ? ' (too large: mmcheck holds integers up to 2^53-1 exactly)' : ''}`);
      }
      toks.push({ kind: 'num', text: src.slice(i, j), line, col, off: i });
      advanceTo(j);
      continue;
    }
    let matched = '';
    for (const p of PUNCTS) {
      if (src.startsWith(p, i) && i + p.length <= end) { matched = p; break; }
    }
    if (!matched) {
      const code = c.charCodeAt(0);
      const shown = code >= 32 && code < 127 ? `'${c}'` : `\\x${code.toString(16).padStart(2, '0')}`;
      throw new LitmusError(line, col, `unexpected character ${shown}`);
    }
    toks.push({ kind: 'punct', text: matched, line, col, off: i });
    advanceTo(i + matched.length);
  }
  toks.push({ kind: 'eof', text: '<end of file>', line, col: i - lineStart + 1, off: i });
  return toks;
}

/** Parses a C integer literal token text (decimal or hex, suffixes ignored). */
export function parseIntLit(text: string): number {
  const t = text.replace(/[uUlL]+$/, '');
  return t.startsWith('0x') || t.startsWith('0X') ? parseInt(t.slice(2), 16) : parseInt(t, 10);
}
