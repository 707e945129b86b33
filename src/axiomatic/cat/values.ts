// Runtime values of the cat interpreter (CatVal: what a cat expression evaluates to), with the
// error a runtime failure raises and the structural key used to deduplicate value sets.
import type { Pos } from './ast.ts';
import { fmtPos } from './ast.ts';

export type CatVal =
  | { k: 'set'; b: Uint32Array } // a set of events
  | { k: 'rel'; b: Uint32Array } // a relation over events
  | { k: 'empty' } // the polymorphic empty value: `0`, `{}`, and any empty set/relation/value set
  | { k: 'ev'; id: number } // one event (an element of a set, e.g. bound by map)
  | { k: 'pair'; a: number; b: number } // one pair (an element of a relation)
  | { k: 'tag'; name: string }
  // a set of non-event values (never empty). `member`, when present, answers "is v an element"
  // without enumerating (elems and keys may then be computed lazily, on first access).
  | { k: 'vset'; elems: CatVal[]; keys: Set<string>; member?: (v: CatVal) => boolean }
  | { k: 'tuple'; elems: CatVal[] }
  | { k: 'fn'; name: string; call: (arg: CatVal, pos: Pos) => CatVal };

export const EMPTY: CatVal = { k: 'empty' };

export class CatRuntimeError extends Error {
  constructor(
    public readonly pos: Pos | null,
    public readonly detail: string,
  ) {
    super(pos ? `${fmtPos(pos)}: ${detail}` : detail);
    this.name = 'CatRuntimeError';
  }
}

export function typeName(v: CatVal): string {
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
export function keyOf(v: CatVal): string {
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
export function mkVset(elems: CatVal[]): CatVal {
  const keys = new Set<string>();
  const out: CatVal[] = [];
  for (const e of elems) {
    const key = keyOf(e);
    if (keys.has(key)) continue;
    keys.add(key);
    out.push(e);
  }
  return out.length === 0 ? EMPTY : { k: 'vset', elems: out, keys };
}
