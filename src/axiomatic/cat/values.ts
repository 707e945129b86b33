// Runtime values of the cat interpreter.
import type { Pos } from './ast.ts';
import { fmtPos } from './ast.ts';

export type Val =
  | { k: 'set'; b: Uint32Array } // a set of events
  | { k: 'rel'; b: Uint32Array } // a relation over events
  | { k: 'empty' } // the polymorphic empty value: `0`, `{}`, and any empty set/relation/value set
  | { k: 'ev'; id: number } // one event (an element of a set, e.g. bound by map)
  | { k: 'pair'; a: number; b: number } // one pair (an element of a relation)
  | { k: 'tag'; name: string }
  // a set of non-event values (never empty). `member`, when present, answers "is v an element"
  // without enumerating (elems and keys may then be computed lazily, on first access).
  | { k: 'vset'; elems: Val[]; keys: Set<string>; member?: (v: Val) => boolean }
  | { k: 'tuple'; elems: Val[] }
  | { k: 'fn'; name: string; call: (arg: Val, pos: Pos) => Val };

export const EMPTY: Val = { k: 'empty' };

export class CatRuntimeError extends Error {
  constructor(
    public readonly pos: Pos | null,
    public readonly detail: string,
  ) {
    super(pos ? `${fmtPos(pos)}: ${detail}` : detail);
    this.name = 'CatRuntimeError';
  }
}

export function typeName(v: Val): string {
  switch (v.k) {
    case 'set':
      return 'event set';
    case 'rel':
      return 'relation';
    case 'empty':
      return 'empty';
    case 'ev':
      return 'event';
    case 'pair':
      return 'pair';
    case 'tag':
      return 'tag';
    case 'vset':
      return 'set of values';
    case 'tuple':
      return 'tuple';
    case 'fn':
      return 'function';
  }
}

/** A structural key, for deduplicating values in value sets. */
export function keyOf(v: Val): string {
  switch (v.k) {
    case 'empty':
      return 'E';
    case 'set':
    case 'rel': {
      let nz = false;
      for (let i = 0; i < v.b.length; i++)
        if (v.b[i] !== 0) {
          nz = true;
          break;
        }
      if (!nz) return 'E';
      // one UTF-16 code unit per 16 bits (a key, not text)
      const h = new Uint16Array(v.b.buffer, v.b.byteOffset, v.b.length * 2);
      let str = v.k === 'set' ? 'S' : 'R';
      for (let i = 0; i < h.length; i += 4096) str += String.fromCharCode.apply(null, h.subarray(i, i + 4096) as unknown as number[]);
      return str;
    }
    case 'ev':
      return 'e' + v.id;
    case 'pair':
      return 'p' + v.a + ',' + v.b;
    case 'tag':
      return "'" + v.name;
    case 'vset':
      return '{' + [...v.keys].sort().join('|') + '}';
    case 'tuple':
      return '(' + v.elems.map(keyOf).join(',') + ')';
    case 'fn':
      throw new CatRuntimeError(null, 'functions cannot be set elements');
  }
}

/** Builds a value set from a list (deduplicated). An empty list gives EMPTY. */
export function mkVset(elems: Val[]): Val {
  const keys = new Set<string>();
  const out: Val[] = [];
  for (const e of elems) {
    const key = keyOf(e);
    if (keys.has(key)) continue;
    keys.add(key);
    out.push(e);
  }
  return out.length === 0 ? EMPTY : { k: 'vset', elems: out, keys };
}
