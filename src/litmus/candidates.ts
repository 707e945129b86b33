// Stage 4 of the litmus pipeline: candidate executions. Computes the value domains (a bounded
// fixpoint: initial values plus what the writes of any path can store), takes every combination
// of thread paths, gives every ordinary read each rf source of the same location and value (minus
// the sources that violate coherence whatever co is: a po-later write of the same thread, or a
// po-earlier one that is itself overwritten in po before the read), builds the Execution record
// (src/engine/execution.ts) and hands it to the model, which returns its consistent completions.
import type { Execution, XEvent } from '../engine/execution.ts';
import type { LitmusModel, ModelOutcome } from './model.ts';
import { threadPaths, TooBig, type Path, type PathOptions } from './paths.ts';
import type { Setup } from './setup.ts';

export interface Candidate {
  x: Execution;
  paths: Path[];
}

export interface EnumOptions {
  maxPaths?: number;
  maxDomain?: number;
  maxCandidates?: number;
  ctrlAfterIf?: boolean;
}

/** Value domains per location: the least fixpoint, cut after a number of rounds (see below). */
export function valueDomains(s: Setup, o: EnumOptions = {}): Set<number>[] {
  const domains = s.init.map((v) => new Set([v]));
  // lock locations: their writes (LKW=1, UL=0) are values too, for reads of the lock word
  const maxDomain = o.maxDomain ?? 64;
  // Each round can only lengthen a chain of writes whose values depend on reads by one; a
  // realizable chain uses distinct write events, so the number of write sites bounds it.
  let rounds = 0;
  const limit = 2 + countWrites(s);
  while (true) {
    const opt: PathOptions = { domains, maxPaths: o.maxPaths ?? 200000, ctrlAfterIf: o.ctrlAfterIf };
    let changed = false;
    for (let t = 0; t < s.test.threads.length; t++) {
      for (const p of threadPaths(s, t, opt)) {
        for (const e of p.events) {
          if (e.kind === 'W' || e.kind === 'LKW' || e.kind === 'UL') {
            const d = domains[e.loc]!;
            if (!d.has(e.value)) {
              d.add(e.value);
              changed = true;
              if (d.size > maxDomain) throw new TooBig(`more than ${maxDomain} possible values for ${s.locs[e.loc]}`);
            }
          }
        }
      }
    }
    rounds++;
    if (!changed || rounds >= limit) break;
  }
  return domains;
}

function countWrites(s: Setup): number {
  let n = 0;
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      if (r.k === 'store' || r.k === 'call') n++;
      for (const v of Object.values(r)) if (typeof v === 'object') walk(v);
    }
  };
  walk(s.test.threads.map((t) => t.body));
  return n;
}

export interface Counted {
  /** One per consistent execution (model outcome). */
  outcomes: { cand: Candidate; out: ModelOutcome }[];
  candidates: number;
}

/**
 * Enumerates the candidates and calls `visit` with each consistent outcome.
 * Returns the number of candidates given to the model.
 */
export function enumerate(
  s: Setup,
  model: LitmusModel,
  visit: (cand: Candidate, out: ModelOutcome) => void,
  o: EnumOptions = {},
): number {
  const domains = valueDomains(s, o);
  const opt: PathOptions = { domains, maxPaths: o.maxPaths ?? 200000, ctrlAfterIf: o.ctrlAfterIf };
  const paths = s.test.threads.map((_, t) => threadPaths(s, t, opt));
  const nT = paths.length;
  const maxCandidates = o.maxCandidates ?? 5_000_000;
  let ncand = 0;
  const chosen: Path[] = new Array(nT);

  const touched = new Set<number>();
  const build = (): void => {
    // event ids: init writes first (one per touched location), then threads in order
    touched.clear();
    for (const p of chosen) for (const e of p.events) if (e.loc >= 0) touched.add(e.loc);
    const locsSorted = [...touched].sort((a, b) => a - b);
    const events: XEvent[] = [];
    const initId = new Map<number, number>();
    for (const l of locsSorted) {
      initId.set(l, events.length);
      events.push({ id: events.length, tid: -1, poIndex: 0, kind: 'W', loc: s.locs[l]!, value: s.init[l]!, annot: '', atomic: false });
    }
    const base: number[] = [];
    for (const p of chosen) {
      base.push(events.length);
      p.events.forEach((e, i) => {
        events.push({ id: events.length, tid: p.tid, poIndex: i, kind: e.kind, loc: e.loc >= 0 ? s.locs[e.loc]! : null, value: e.value, annot: e.annot, atomic: e.atomic });
      });
    }
    const rmw: [number, number][] = [];
    const addr: [number, number][] = [];
    const data: [number, number][] = [];
    const ctrl: [number, number][] = [];
    chosen.forEach((p, t) => {
      const b = base[t]!;
      p.events.forEach((e, i) => {
        if (e.rmwW >= 0) rmw.push([b + i, b + e.rmwW]);
        for (const d of e.addr) addr.push([b + d, b + i]);
        for (const d of e.data) data.push([b + d, b + i]);
        for (const d of e.ctrl) ctrl.push([b + d, b + i]);
      });
    });
    // rf sources per read
    const reads: number[] = [];
    const sources: number[][] = [];
    for (let t = 0; t < nT; t++) {
      const p = chosen[t]!;
      const b = base[t]!;
      for (let i = 0; i < p.events.length; i++) {
        const e = p.events[i]!;
        if (e.kind !== 'R') continue;
        // last same-location write of this thread before the read
        let own = -1;
        for (let j = i - 1; j >= 0; j--) {
          const f = p.events[j]!;
          if (f.loc === e.loc && (f.kind === 'W' || f.kind === 'LKW' || f.kind === 'UL')) { own = j; break; }
        }
        const src: number[] = [];
        if (own >= 0) {
          const f = p.events[own]!;
          if (f.kind === 'W' && f.value === e.value) src.push(b + own);
        } else if (s.init[e.loc] === e.value) src.push(initId.get(e.loc)!);
        for (let u = 0; u < nT; u++) {
          if (u === t) continue;
          const q = chosen[u]!;
          const bu = base[u]!;
          q.events.forEach((f, j) => {
            if (f.kind === 'W' && f.loc === e.loc && f.value === e.value) src.push(bu + j);
          });
        }
        if (src.length === 0) return;
        reads.push(b + i);
        sources.push(src);
      }
    }
    const rf: [number, number][] = reads.map((r) => [-1, r]);
    const rec = (k: number): void => {
      if (k === reads.length) {
        if (++ncand > maxCandidates) throw new TooBig(`more than ${maxCandidates} candidate executions`);
        const x: Execution = { events, rf: rf.map((p) => [p[0], p[1]] as [number, number]), rmw, addr, data, ctrl };
        const cand: Candidate = { x, paths: chosen.slice() };
        for (const out of model.check(x)) visit(cand, out);
        return;
      }
      for (const w of sources[k]!) {
        rf[k]![0] = w;
        rec(k + 1);
      }
    };
    rec(0);
  };

  // Quick per-combination filter: every read value must be available from the initial value or
  // from a write of the chosen paths (checked as the threads are chosen, with the writes so far
  // plus what later threads may still write).
  const mayWrite: Set<string>[] = paths.map((ps) => {
    const set = new Set<string>();
    for (const p of ps) for (const e of p.events) if (e.kind === 'W') set.add(`${e.loc}/${e.value}`);
    return set;
  });
  const rec = (t: number): void => {
    if (t === nT) {
      build();
      return;
    }
    for (const p of paths[t]!) {
      chosen[t] = p;
      if (!readsPossible(p, t)) continue;
      rec(t + 1);
    }
  };
  const readsPossible = (p: Path, t: number): boolean => {
    for (const e of p.events) {
      if (e.kind !== 'R') continue;
      if (s.init[e.loc] === e.value) continue;
      const key = `${e.loc}/${e.value}`;
      let ok = false;
      for (let u = 0; u < nT && !ok; u++) {
        if (u < t) ok = chosen[u]!.events.some((f) => f.kind === 'W' && f.loc === e.loc && f.value === e.value);
        else if (u === t) ok = p.events.some((f) => f.kind === 'W' && f.loc === e.loc && f.value === e.value);
        else ok = mayWrite[u]!.has(key);
      }
      if (!ok) return false;
    }
    return true;
  };
  rec(0);
  return ncand;
}
