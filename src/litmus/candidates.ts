// Stage 4 of the litmus pipeline: candidate executions, as herd7 builds them. For every
// combination of thread paths, every ordinary read gets each rf source of its location (minus the
// sources that violate coherence whatever co is: a po-later write of the same thread, the initial
// write or an earlier write when a po-later write of the thread precedes the read). While the rf
// map is built, partial maps are cut as soon as the co order they force is cyclic, or two RMWs
// read from the same write (the model would reject every completion). The rf map fixes the
// values: each read takes the value of its source, whose expression is evaluated in turn (thin-air
// cycles: see solveCycles). The path constraints (branches, compare-and-swap outcomes, addresses)
// must hold. Each surviving candidate becomes an Execution record (src/axiomatic/execution.ts) for
// the model, which returns its consistent completions (co, and the rf of lock events).
import type { Execution, XEvent } from '../axiomatic/execution.ts';
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
  /** Every rf herd7 would try (any write of the location, the initial one included), with no
   * coherence or atomicity pruning: for explaining why an outcome is forbidden, the candidates
   * the pruning skips are the ones whose rejection explains it. */
  unpruned?: boolean;
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
        if (o.unpruned) {
          src.push([-1, e.loc]);
          for (let j = 0; j < p.events.length; j++) if (j !== i && p.events[j]!.loc === e.loc && isWriteKind(p.events[j]!.kind)) src.push([t, j]);
        } else if (own >= 0) {
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
    let coh: CoherencePruner;
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
          throw new TooBig(`timed out after ${((performance.now() - t0) / 1000).toFixed(1)} s`, true);
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
        if (rmwRead && !o.unpruned) {
          key = `${src[c]![0]}/${src[c]![1]}`;
          if (rmwSources.has(key)) continue;
          rmwSources.add(key);
        }
        choice[k] = c;
        if (coh.push(k, c)) rec(k + 1);
        coh.pop(k);
        if (rmwRead && !o.unpruned) rmwSources.delete(key);
      }
    };
    const isRmwRead = new Uint8Array(nR);
    for (let r = 0; r < nR; r++) if (chosen[readT[r]!]!.events[readI[r]!]!.rmwW >= 0) isRmwRead[r] = 1;
    const rmwSources = new Set<string>();
    coh = o.unpruned ? { push: () => true, pop: () => {} } : coherencePruner(chosen, readT, readI, sources);
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

interface CoherencePruner {
  /** Adds the co edges forced by giving read k its source c; false if they close a cycle. */
  push(k: number, c: number): boolean;
  /** Removes what push(k, ·) added. */
  pop(k: number): void;
}

/**
 * Incremental check of the write-to-write order that coherence forces once rf is (partly)
 * fixed, per location: the initial write first; w1 before w2 when w1 po-loc w2; src(r) before w
 * when r po-loc w (so an RMW write follows its read's source); w before src(r) when w po-loc r;
 * src(r1) before src(r2) when r1 po-loc r2. A cycle means no co can make the candidate coherent
 * (the model would find no consistent completion), so every extension of the partial rf map
 * can be skipped. The reads are assigned in thread and po order.
 */
function coherencePruner(chosen: Path[], readT: number[], readI: number[], sources: [number, number][][]): CoherencePruner {
  const nR = readT.length;
  // nodes per location: 0 = initial write, then the W events of the chosen paths
  const nodeOf = new Map<string, number>();
  const nNodes = new Map<number, number>();
  const writesOf = new Map<number, { t: number; i: number; node: number }[]>();
  chosen.forEach((p, t) => {
    p.events.forEach((e, i) => {
      if (e.kind !== 'W') return;
      const n = (nNodes.get(e.loc) ?? 1);
      nNodes.set(e.loc, n + 1);
      nodeOf.set(`${t}/${i}`, n);
      let l = writesOf.get(e.loc);
      if (!l) writesOf.set(e.loc, (l = []));
      l.push({ t, i, node: n });
    });
  });
  const locOfRead = readT.map((t, r) => chosen[t]!.events[readI[r]!]!.loc);
  const adj = new Map<number, Int32Array>();
  const size = (loc: number): number => nNodes.get(loc) ?? 1;
  const mat = (loc: number): Int32Array => {
    let m = adj.get(loc);
    if (!m) {
      const n = size(loc);
      m = new Int32Array(n * n);
      for (let b = 1; b < n; b++) m[b] = 1; // init before every write
      const ws = writesOf.get(loc) ?? [];
      for (let a = 0; a < ws.length; a++) {
        for (let b = a + 1; b < ws.length; b++) {
          const A = ws[a]!;
          const B = ws[b]!;
          if (A.t === B.t) m[A.i < B.i ? A.node * n + B.node : B.node * n + A.node]! += 1;
        }
      }
      adj.set(loc, m);
    }
    return m;
  };
  const srcNode = (k: number, c: number): number => {
    const [u, j] = sources[k]![c]!;
    return u < 0 ? 0 : nodeOf.get(`${u}/${j}`)!;
  };
  const added: number[][] = Array.from({ length: nR }, () => []);
  const chosenSrc = new Int32Array(nR).fill(-1);
  // earlier reads of the same thread and location, per read
  const before: number[][] = Array.from({ length: nR }, () => []);
  for (let r = 0; r < nR; r++) {
    for (let q = 0; q < r; q++) if (readT[q] === readT[r] && locOfRead[q] === locOfRead[r]) before[r]!.push(q);
  }
  const acyclic = (m: Int32Array, n: number): boolean => {
    const color = new Uint8Array(n);
    const dfs = (u: number): boolean => {
      color[u] = 1;
      for (let v = 0; v < n; v++) {
        if (m[u * n + v] === 0) continue;
        if (color[v] === 1) return false;
        if (color[v] === 0 && !dfs(v)) return false;
      }
      color[u] = 2;
      return true;
    };
    for (let u = 0; u < n; u++) if (color[u] === 0 && !dfs(u)) return false;
    return true;
  };
  return {
    push(k, c) {
      const loc = locOfRead[k]!;
      const n = size(loc);
      const m = mat(loc);
      const sr = srcNode(k, c);
      chosenSrc[k] = sr;
      const list = added[k]!;
      list.length = 0;
      const edge = (a: number, b: number): void => {
        if (a === b) return;
        m[a * n + b]! += 1;
        list.push(a * n + b);
      };
      const t = readT[k]!;
      const i = readI[k]!;
      for (const w of writesOf.get(loc) ?? []) {
        if (w.t !== t) continue;
        if (w.i > i) edge(sr, w.node);
        else edge(w.node, sr);
      }
      for (const q of before[k]!) edge(chosenSrc[q]!, sr);
      return acyclic(m, n);
    },
    pop(k) {
      const m = mat(locOfRead[k]!);
      for (const x of added[k]!) m[x]! -= 1;
      added[k]!.length = 0;
      chosenSrc[k] = -1;
    },
  };
}
