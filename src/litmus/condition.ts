// Final conditions: evaluating `exists` / `~exists` / `forall` / `filter` propositions on a final
// state, and printing them the way herd7 does (`[x]` for memory, `not (…)` for negation).
import type { CLoc, CVal, Prop, Quantifier } from './ast.ts';
import { addrOf, type Setup } from './setup.ts';

/** A final state: values of registers ("T:r") and memory locations ("[x]"). */
export type FinalLookup = (l: CLoc) => number;

export function evalProp(s: Setup, p: Prop, look: FinalLookup): boolean {
  switch (p.k) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !evalProp(s, p.p, look);
    case 'and': return p.ps.every((q) => evalProp(s, q, look));
    case 'or': return p.ps.some((q) => evalProp(s, q, look));
    case 'imp': return !evalProp(s, p.a, look) || evalProp(s, p.b, look);
    case 'atom': return look(p.loc) === valueOf(s, p.val, look);
  }
}

function valueOf(s: Setup, v: CVal, look: FinalLookup): number {
  switch (v.k) {
    case 'int': return v.v;
    case 'sym': return addrOf(s, v.name) ?? NaN;
    case 'loc': return look(v.loc);
  }
}

export function showCLoc(l: CLoc): string {
  return l.k === 'reg' ? `${l.tid}:${l.reg}` : `[${l.name}]`;
}

function showCVal(v: CVal): string {
  switch (v.k) {
    case 'int': return String(v.v);
    case 'sym': return v.name;
    case 'loc': return showCLoc(v.loc);
  }
}

export function showProp(p: Prop): string {
  const paren = (q: Prop): string => (q.k === 'and' || q.k === 'or' || q.k === 'imp' ? `(${showProp(q)})` : showProp(q));
  switch (p.k) {
    case 'true': return 'true';
    case 'false': return 'false';
    case 'atom': return `${showCLoc(p.loc)}=${showCVal(p.val)}`;
    case 'not': return `not (${showProp(p.p)})`;
    case 'and': return p.ps.map(paren).join(' /\\ ');
    case 'or': return p.ps.map(paren).join(' \\/ ');
    case 'imp': return `${paren(p.a)} => ${paren(p.b)}`;
  }
}

export function showCondition(q: Quantifier, p: Prop): string {
  return `${q} (${showProp(p)})`;
}
