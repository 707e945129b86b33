// Stage 4 of the litmus pipeline: candidate executions, as herd7 builds them. For every
// combination of thread paths, every ordinary read gets each rf source of its location (minus the
// sources that violate coherence whatever co is: a po-later write of the same thread, the initial
// write or an earlier write when a po-later write of the thread precedes the read). The rf map
// fixes the values: each read takes the value of its source, whose expression is evaluated in
// turn (a cycle of values through rf is unsolvable and dropped, as in herd7). The path
// constraints (branches, compare-and-swap outcomes, addresses) must hold. Each surviving
// candidate becomes an Execution record (src/engine/execution.ts) for the model, which returns
// its consistent completions (co, and the rf of lock events).
import type { Execution, XEvent } from '../engine/execution.ts';
import type { LitmusModel, ModelOutcome } from './model.ts';
import { evalS, threadPaths, TooBig, type Path, type PathOptions } from './paths.ts';
import type { Setup } from './setup.ts';

export interface Candidate {
  x: Execution;
  paths: Path[];
  /** Value of register `reg` of thread `tid` in this candidate. */
  reg(tid: number, reg: string): number | undefined;
}

export interface EnumOptions {
  maxPaths?: number;
  maxCandidates?: number;
  ctrlAfterIf?: boolean;
  /** performance.now() value after which the enumeration gives up (TooBig). */
  deadline?: number;
  /** Skips a candidate before the model runs (the filter clause when it reads only registers). */
  prefilter?: (cand: Candidate) => boolean;
}

/** Undetermined (thin-air) values are the numbers SYMBOL_BASE - k. */
export const SYMBOL_BASE = -0x40000000;

const isWriteKind = (k: string): boolean => k === 'W';

/**
 * Enumerates the candidates and calls `visit` with each consistent outcome of the model.
 * Returns the number of candidates given to the model.
 */
export function enumerate(
  s: Setup,
  model: LitmusModel,
  visit: (cand: Candidate, out: ModelOutcome) => void,
  o: EnumOptions = {},
): number {
  const opt: PathOptions = { maxPaths: o.maxPaths ?? 100000, ctrlAfterIf: o.ctrlAfterIf };
  const paths = s.test.threads.map((_, t) => threadPaths(s, t, opt));
  const nT = paths.length;
  const maxCandidates = o.maxCandidates ?? 2_000_000;
  let ncand = 0;
  let ticks = 0;
  const deadline = o.deadline;
  const t0 = performance.now();
  const chosen: Path[] = new Array(nT);

  const build = (): void => {
    const touched = new Set<number>();
    for (const p of chosen) for (const e of p.events) if (e.loc >= 0) touched.add(e.loc);
    const locsSorted = [...touched].sort((a, b) => a - b);
    const initId = new Map<number, number>();
    let nInit = 0;
    for (const l of locsSorted) initId.set(l, nInit++);
    const base: number[] = [];
    let n = nInit;
    for (const p of chosen) {
      base.push(n);
      n += p.events.length;
    }
    // reads and their possible sources: [thread, index] (thread -1: initial write)
    const readT: number[] = [];
    const readI: number[] = [];
    const sources: [number, number][][] = [];
    for (let t = 0; t < nT; t++) {
      const p = chosen[t]!;
      for (let i = 0; i < p.events.length; i++) {
        const e = p.events[i]!;
        if (e.kind !== 'R') continue;
        let own = -1;
        for (let j = i - 1; j >= 0; j--) {
          const f = p.events[j]!;
          if (f.loc === e.loc && (f.kind === 'W' || f.kind === 'LKW' || f.kind === 'UL')) { own = j; break; }
        }
        const src: [number, number][] = [];
        if (own >= 0) {
          if (isWriteKind(p.events[own]!.kind)) src.push([t, own]);
        } else src.push([-1, e.loc]);
        for (let u = 0; u < nT; u++) {
          if (u === t) continue;
          const q = chosen[u]!;
          for (let j = 0; j < q.events.length; j++) {
            const f = q.events[j]!;
            if (f.loc === e.loc && isWriteKind(f.kind)) src.push([u, j]);
          }
        }
        if (src.length === 0) return;
        readT.push(t);
        readI.push(i);
        sources.push(src);
      }
    }
    const nR = readT.length;
    // read index lookup per thread
    const readNo: Int32Array[] = chosen.map((p) => new Int32Array(p.events.length).fill(-1));
    for (let r = 0; r < nR; r++) readNo[readT[r]!]![readI[r]!] = r;
    const choice = new Int32Array(nR);
    // value solving, memoised per rf map
    const val = new Float64Array(nR);
    const state = new Uint8Array(nR); // 0 unknown, 1 in progress, 2 done, 3 undetermined
    const readVal = (r: number): number | undefined => {
      const st = state[r]!;
      if (st === 2) return val[r]!;
      if (st === 1 || st === 3) return undefined;
      state[r] = 1;
      const [u, j] = sources[r]![choice[r]!]!;
      let v: number | undefined;
      if (u < 0) v = s.init[j]!;
      else v = evalS(chosen[u]!.events[j]!.value, varOf(u));
      if (v === undefined) {
        state[r] = 3;
        return undefined;
      }
      state[r] = 2;
      val[r] = v;
      return v;
    };
    const varFns = chosen.map((_, t) => (ev: number): number | undefined => {
      const r = readNo[t]![ev]!;
      return r < 0 ? undefined : readVal(r);
    });
    const varOf = (t: number): ((ev: number) => number | undefined) => varFns[t]!;

    // Values left undetermined by a cycle through rf (out of thin air). herd7 solves equations
    // `v1 = v2` by unification, so a cycle of plain copies leaves one free symbol and the
    // candidate is kept; any other undetermined equation is unsolvable and the candidate is
    // dropped (returns false). Symbols are numbers below SYMBOL_BASE.
    const solveCycles = (): boolean => {
      const parent = new Int32Array(nR).map((_, i) => i);
      const find = (a: number): number => {
        while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
        return a;
      };
      for (let r = 0; r < nR; r++) {
        if (state[r] === 2) continue;
        const [u, j] = sources[r]![choice[r]!]!;
        if (u < 0) continue;
        const v = chosen[u]!.events[j]!.value;
        if (typeof v !== 'number' && v.op === 'var') {
          const r2 = readNo[u]![v.ev]!;
          if (r2 >= 0 && state[r2] !== 2) {
            parent[find(r)] = find(r2);
            continue;
          }
        }
        return false;
      }
      for (let r = 0; r < nR; r++) {
        if (state[r] === 2) continue;
        state[r] = 2;
        val[r] = SYMBOL_BASE - find(r);
      }
      return true;
    };

    const finish = (): void => {
      state.fill(0);
      let undetermined = false;
      for (let r = 0; r < nR; r++) if (readVal(r) === undefined) undetermined = true;
      if (undetermined && !solveCycles()) return;
      for (let t = 0; t < nT; t++) {
        for (const c of chosen[t]!.constraints) {
          const v = evalS(c.e, varOf(t));
          if (v === undefined || (v !== 0) !== c.want) return;
        }
      }
      // the Execution record
      const events: XEvent[] = new Array(n);
      for (const l of locsSorted) {
        const id = initId.get(l)!;
        events[id] = { id, tid: -1, poIndex: 0, kind: 'W', loc: s.locs[l]!, value: s.init[l]!, annot: '', atomic: false };
      }
      const rmw: [number, number][] = [];
      const addr: [number, number][] = [];
      const data: [number, number][] = [];
      const ctrl: [number, number][] = [];
      chosen.forEach((p, t) => {
        const b = base[t]!;
        const vf = varOf(t);
        p.events.forEach((e, i) => {
          const id = b + i;
          events[id] = { id, tid: p.tid, poIndex: i, kind: e.kind, loc: e.loc >= 0 ? s.locs[e.loc]! : null, value: evalS(e.value, vf)!, annot: e.annot, atomic: e.atomic };
          if (e.rmwW >= 0) rmw.push([id, b + e.rmwW]);
          for (const d of e.addr) addr.push([b + d, id]);
          for (const d of e.data) data.push([b + d, id]);
          for (const d of e.ctrl) ctrl.push([b + d, id]);
        });
      });
      const rf: [number, number][] = [];
      for (let r = 0; r < nR; r++) {
        const [u, j] = sources[r]![choice[r]!]!;
        rf.push([u < 0 ? initId.get(j)! : base[u]! + j, base[readT[r]!]! + readI[r]!]);
      }
      const x: Execution = { events, rf, rmw, addr, data, ctrl };
      const regCache = new Map<string, number | undefined>();
      const paths = chosen.slice();
      const cand: Candidate = {
        x,
        paths,
        reg: (tid, reg) => {
          const key = `${tid}:${reg}`;
          if (regCache.has(key)) return regCache.get(key);
          const sv = paths[tid]?.regs.get(reg);
          const v = sv === undefined ? undefined : evalS(sv, (ev) => {
            const rr = readNo[tid]![ev]!;
            return rr < 0 ? undefined : val[rr]!;
          });
          regCache.set(key, v);
          return v;
        },
      };
      if (o.prefilter && !o.prefilter(cand)) return;
      if (++ncand > maxCandidates) throw new TooBig(`more than ${maxCandidates} candidate executions`);
      for (const out of model.check(x)) visit(cand, out);
    };
    const rec = (k: number): void => {
      if (k === nR) {
        if (deadline !== undefined && (++ticks & 63) === 0 && performance.now() > deadline) {
          throw new TooBig(`timed out after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
        finish();
        return;
      }
      const src = sources[k]!;
      const rmwRead = isRmwRead[k] === 1;
      for (let c = 0; c < src.length; c++) {
        // Atomicity: the writes of two successful RMWs cannot both immediately follow the
        // write they read from, so two RMW reads never share an rf source.
        let key = '';
        if (rmwRead) {
          key = `${src[c]![0]}/${src[c]![1]}`;
          if (rmwSources.has(key)) continue;
          rmwSources.add(key);
        }
        choice[k] = c;
        rec(k + 1);
        if (rmwRead) rmwSources.delete(key);
      }
    };
    const isRmwRead = new Uint8Array(nR);
    for (let r = 0; r < nR; r++) if (chosen[readT[r]!]!.events[readI[r]!]!.rmwW >= 0) isRmwRead[r] = 1;
    const rmwSources = new Set<string>();
    rec(0);
  };

  const rec = (t: number): void => {
    if (t === nT) {
      build();
      return;
    }
    for (const p of paths[t]!) {
      chosen[t] = p;
      rec(t + 1);
    }
  };
  rec(0);
  return ncand;
}
