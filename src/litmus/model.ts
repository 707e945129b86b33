// The model side as the litmus front end sees it: `check(x)` returns one outcome per consistent
// completion of a candidate execution (co, and the rf of lock events), with the flags raised.
// `loadLitmusModel()` gives the LKMM cat model (src/axiomatic/lkmm); `coherenceStub()` is a
// stand-in for front-end debugging (`--stub`): it enumerates co per location and keeps the
// candidates that satisfy coherence and RMW atomicity — exactly herd7's count for tests where no
// other LKMM axiom forbids anything, and it ignores locks.
import type { Execution } from '../axiomatic/execution.ts';
import { Universe } from '../axiomatic/cat/bits.ts';
import type { DefTable } from '../axiomatic/lkmm/def.ts';
import { loadLkmm } from '../axiomatic/lkmm/index.ts';

export interface ModelOutcome {
  /** Coherence order: pairs [w1, w2] (any closure), or per-location lists of write ids. */
  co: unknown;
  rf?: unknown;
  flags: string[];
}

export interface LitmusModel {
  readonly name: string;
  /** The macros tests may call (default: the bundled linux-kernel.def's; herd7 -macros). */
  readonly prims?: DefTable;
  check(x: Execution): ModelOutcome[];
}

/** The co-last write of each location in an outcome (location name -> event id). */
export function coLast(x: Execution, o: ModelOutcome): Map<string, number> {
  const last = new Map<string, number>();
  const co = o.co;
  const isW = (id: number): boolean => {
    const e = x.events[id];
    return !!e && (e.kind === 'W' || e.kind === 'LKW' || e.kind === 'UL');
  };
  const fromLists = (lists: Iterable<unknown>): void => {
    for (const l of lists) {
      if (Array.isArray(l) && l.length > 0) {
        const id = l[l.length - 1] as number;
        const loc = x.events[id]?.loc;
        if (loc) last.set(loc, id);
      }
    }
  };
  if (co instanceof Map) fromLists(co.values());
  else if (Array.isArray(co) && co.length > 0 && Array.isArray(co[0]) && (co as unknown[][]).every((p) => p.length === 2)) {
    // pairs [a, b]: the last write per location has no co-successor
    const hasSucc = new Set<number>();
    for (const [a] of co as [number, number][]) hasSucc.add(a);
    const cands = new Set<number>();
    for (const [a, b] of co as [number, number][]) { cands.add(a); cands.add(b); }
    for (const id of cands) if (!hasSucc.has(id) && isW(id)) last.set(x.events[id]!.loc!, id);
  } else if (Array.isArray(co)) fromLists(co as unknown[]);
  else if (co && typeof co === 'object') fromLists(Object.values(co as Record<string, unknown>));
  // locations with a single write (only the init write): it is last
  for (const e of x.events) {
    if (e.tid === -1 && e.kind === 'W' && e.loc && !last.has(e.loc)) last.set(e.loc, e.id);
  }
  return last;
}

/** Coherence-only stub: all co orders (init first) with acyclic(po-loc|rf|co|fr) and atomicity. */
export function coherenceStub(): LitmusModel {
  return {
    name: 'coherence-only stub',
    check(x: Execution): ModelOutcome[] {
      const n = x.events.length;
      const writesByLoc = new Map<string, number[]>();
      for (const e of x.events) {
        if (e.kind === 'W' && e.tid >= 0) {
          const l = writesByLoc.get(e.loc!) ?? [];
          l.push(e.id);
          writesByLoc.set(e.loc!, l);
        }
      }
      const initOf = new Map<string, number>();
      for (const e of x.events) if (e.tid === -1) initOf.set(e.loc!, e.id);
      const rfOf = new Map<number, number>();
      for (const [w, r] of x.rf) rfOf.set(r, w);
      const locs = [...writesByLoc.keys()];
      const perms = locs.map((l) => permutations(writesByLoc.get(l)!));
      const outs: ModelOutcome[] = [];
      const choice: number[][] = [];
      const rec = (i: number): void => {
        if (i === locs.length) {
          const lists = locs.map((l, k) => [initOf.get(l)!, ...choice[k]!]);
          for (const [l, id] of initOf) if (!writesByLoc.has(l)) lists.push([id]);
          if (consistent(x, n, lists, rfOf)) outs.push({ co: lists.map((l) => l.slice()), flags: [] });
          return;
        }
        for (const p of perms[i]!) {
          choice[i] = p;
          rec(i + 1);
        }
      };
      rec(0);
      return outs;
    },
  };
}

function permutations(a: number[]): number[][] {
  if (a.length <= 1) return [a.slice()];
  const out: number[][] = [];
  a.forEach((x, i) => {
    for (const p of permutations([...a.slice(0, i), ...a.slice(i + 1)])) out.push([x, ...p]);
  });
  return out;
}

function consistent(x: Execution, n: number, coLists: number[][], rfOf: Map<number, number>): boolean {
  const coPos = new Map<number, number>();
  for (const l of coLists) l.forEach((id, i) => coPos.set(id, i));
  const u = new Universe(n);
  const order = u.emptyRel();
  const edge = (a: number, b: number): void => u.addPair(order, a, b);
  const ev = x.events;
  // po-loc
  const byThreadLoc = new Map<string, number[]>();
  for (const e of ev) {
    if (e.tid < 0 || !e.loc || (e.kind !== 'R' && e.kind !== 'W')) continue;
    const k = `${e.tid}/${e.loc}`;
    const l = byThreadLoc.get(k) ?? [];
    l.push(e.id);
    byThreadLoc.set(k, l);
  }
  for (const l of byThreadLoc.values()) {
    l.sort((a, b) => ev[a]!.poIndex - ev[b]!.poIndex);
    for (let i = 0; i + 1 < l.length; i++) edge(l[i]!, l[i + 1]!);
  }
  for (const l of coLists) for (let i = 0; i + 1 < l.length; i++) edge(l[i]!, l[i + 1]!);
  for (const [r, w] of rfOf) {
    edge(w, r);
    const list = coLists.find((l) => l.includes(w))!;
    const p = coPos.get(w)!;
    if (p + 1 < list.length) edge(r, list[p + 1]!);
  }
  // atomicity: the write of an RMW is the immediate co-successor of the read's source
  for (const [r, w] of x.rmw) {
    const src = rfOf.get(r)!;
    const list = coLists.find((l) => l.includes(w))!;
    if (coPos.get(w)! !== coPos.get(src)! + 1 || !list.includes(src)) return false;
  }
  return u.acyclic(order);
}

/** The LKMM model (the kernel's cat files run by src/axiomatic/lkmm). */
export async function loadLitmusModel(): Promise<LitmusModel> {
  const m = loadLkmm();
  return { name: 'LKMM', check: (x) => m.check(x) };
}
