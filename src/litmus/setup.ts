// Stage 2 of the litmus pipeline: from the syntax tree to the static setup of a test — the shared
// locations (with their addresses and initial values), the initial register values, and the
// observed locations of the final state. Values are numbers; the address of shared location i is
// ADDR_BASE + i, so that pointers can be stored in memory, compared and printed back as names.
import type { CLoc, LitmusTest, Prop } from './ast.ts';
import { LitmusError } from './lexer.ts';

export const ADDR_BASE = 0x40000000;

export interface Setup {
  test: LitmusTest;
  /** Shared location names; index = location id. */
  locs: string[];
  locId: Map<string, number>;
  /** Initial value per location id. */
  init: number[];
  /** Per thread: initial register values from the init block (`0:r1=x;`). */
  regInit: Map<string, number>[];
  /** Observed locations of the final state, in herd7's print order. */
  observed: CLoc[];
}

export function addrOf(s: Setup, name: string): number | undefined {
  const i = s.locId.get(name);
  return i === undefined ? undefined : ADDR_BASE + i;
}

export function isAddr(s: Setup, v: number): boolean {
  return v >= ADDR_BASE && v < ADDR_BASE + s.locs.length;
}

/** herd7-style rendering of a value: a location name for addresses, else the integer. */
export function showVal(s: Setup, v: number): string {
  if (v <= -0x40000000 && v > -0x40000000 - 100000) return `S${-0x40000000 - v}`;
  return isAddr(s, v) ? s.locs[v - ADDR_BASE]! : String(v);
}

function propLocs(p: Prop, out: CLoc[], syms: string[]): void {
  switch (p.k) {
    case 'atom':
      out.push(p.loc);
      if (p.val.k === 'loc') out.push(p.val.loc);
      else if (p.val.k === 'sym') syms.push(p.val.name);
      break;
    case 'not':
      propLocs(p.p, out, syms);
      break;
    case 'and':
    case 'or':
      for (const q of p.ps) propLocs(q, out, syms);
      break;
    case 'imp':
      propLocs(p.a, out, syms);
      propLocs(p.b, out, syms);
      break;
    default:
      break;
  }
}

export function clocKey(l: CLoc): string {
  return l.k === 'reg' ? `${l.tid}:${l.reg}` : `[${l.name}]`;
}

export function buildSetup(test: LitmusTest): Setup {
  const locs: string[] = [];
  const locId = new Map<string, number>();
  const add = (n: string): void => {
    if (!locId.has(n)) {
      locId.set(n, locs.length);
      locs.push(n);
    }
  };
  for (const it of test.init) if (it.tid === null) add(it.name);
  for (const t of test.threads) for (const p of t.params) add(p.name);
  for (const it of test.init) if (it.val && it.val.k === 'addr') add(it.val.name);
  const condLocs: CLoc[] = [];
  const syms: string[] = [];
  propLocs(test.cond, condLocs, syms);
  const filterLocs: CLoc[] = [];
  if (test.filter) propLocs(test.filter, filterLocs, syms);
  for (const l of [...test.locations, ...condLocs, ...filterLocs]) if (l.k === 'mem') add(l.name);
  for (const n of syms) add(n);
  const init = locs.map(() => 0);
  const nthreads = test.threads.length;
  const regInit: Map<string, number>[] = test.threads.map(() => new Map());
  for (const it of test.init) {
    let v = 0;
    if (it.val) {
      if (it.val.k === 'int') v = it.val.v;
      else v = ADDR_BASE + locId.get(it.val.name)!;
    }
    if (it.tid !== null) {
      if (it.tid < 0 || it.tid >= nthreads) throw new LitmusError(it.pos.line, it.pos.col, `no thread P${it.tid}`);
      regInit[it.tid]!.set(it.name, v);
    } else {
      init[locId.get(it.name)!] = v;
    }
  }
  for (const l of [...test.locations, ...condLocs, ...filterLocs]) {
    if (l.k === 'reg' && (l.tid < 0 || l.tid >= nthreads)) {
      throw new LitmusError(l.pos?.line ?? 1, l.pos?.col ?? 1, `${l.tid}:${l.reg} refers to a thread P${l.tid} that does not exist`);
    }
  }
  // Observed locations: those of `locations` and of the final condition (herd7 prints
  // registers first, by thread then name, then memory locations by name).
  const seen = new Map<string, CLoc>();
  for (const l of [...test.locations, ...condLocs]) seen.set(clocKey(l), l);
  const observed = [...seen.values()].sort((a, b) => {
    if (a.k !== b.k) return a.k === 'reg' ? -1 : 1;
    if (a.k === 'reg' && b.k === 'reg') return a.tid - b.tid || cmpStr(a.reg, b.reg);
    return cmpStr((a as { name: string }).name, (b as { name: string }).name);
  });
  return { test, locs, locId, init, regInit, observed };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
