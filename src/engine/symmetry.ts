// Symmetry reduction: threads declared identical — the same body function, the same locations
// except each one's own (Builder.thread's `symmetric` and `owns`) — are counted and checked up
// to permuting them. Permuting such threads (with their own locations) maps every execution to
// an execution, so the executions fall into classes; the search counts and checks one per
// class, the ordered one (ordered). Two threads of a group are ordered as GenMC's symmetry
// reduction orders them (MPI-SWS/genmc v0.11 SymmetryChecker.cpp, isEcoBefore over the shared
// prefix): at the first event where they differ — after the same reads from the same writes, at
// the latest at their first shared write — the lower thread's event comes first in eco (it reads
// an earlier write, or is the earlier write). Every class has exactly one ordered execution
// (docs/scaling.md); test/engine/symmetry.test.ts counts the classes of the unreduced search by
// brute force and checks the reduced counts, final states and violations against them.
//
// The search is GenMC's SPORE (Kokologiannakis, Marmanis, Vafeiadis, PLDI 2024; GenMC v0.11
// SymmetryChecker.cpp), with one change: every event's prefix takes in its symmetric
// predecessor's event at the end of their shared prefix (symPredIdx; an RMW's read with its write
// part, which GenMC leaves out and so loses classes), what a backward revisit keeps, may take and
// asks maximality of is that prefix (Explorer.prefixOf), an RMW's read never reads what its
// predecessor's RMW read (rmwTaken, GenMC's filterSymmetricStoresSR), and every unordered graph
// is dropped at once (ordered): each class's ordered execution is reached through ordered graphs
// only, so the search reaches no leaf it does not count (docs/design/symmetry.md §2).
//
// The declaration is checked, never assumed: symmetryGroups refuses a group whose threads run
// different body functions or own different kinds of locations; the explorer refuses a thread
// that touches another thread's own location, a symmetric thread that spawns, joins or is
// joined, and a final-state check that looks at a symmetric thread's result or own location.
import { EvKind, type Ev, type Graph } from './graph.ts';
import { ModelError } from './errors.ts';
import { OpKind, type Loc, type Op } from './ops.ts';
import type { Instance, LocInfo, ObjInfo, ThreadInfo } from './program.ts';

/** A program whose symmetry declaration does not hold (exit 2, like any ModelError; never a rejected prefix). */
export class SymmetryError extends ModelError {}

/** One group of threads declared symmetric (Builder.thread's `symmetric`), in tid order. */
export interface SymmetryGroup {
  name: string;
  tids: number[];
  /** Per thread of the group, its own locations (the k-th of each corresponds). */
  owns: Loc[][];
}

/** The groups of symmetric threads the setup declared, after checking that they are. */
export function symmetryGroups(program: string, threads: ThreadInfo[], locs: LocInfo[], locObj: readonly number[], objects: readonly ObjInfo[]): SymmetryGroup[] {
  /** What an own location's object is, as far as the search can tell objects apart: kind, invariant, initially unallocated. */
  const objOf = (l: Loc): string => {
    const o = locObj[l] ?? -1;
    return o < 0 ? 'no object' : JSON.stringify([objects[o].kind, objects[o].invariant, objects[o].unallocated !== null]);
  };
  const owner = new Map<Loc, number>();
  threads.forEach((t, tid) => {
    for (const l of t.owns) {
      if ((l >>> 0) !== l || l >= locs.length) throw new SymmetryError(`${program}: thread ${t.name} owns ${String(l)}, which is not a location of this program`);
      const o = owner.get(l);
      if (o !== undefined) throw new SymmetryError(`${program}: ${locs[l].name} is owned by two threads (${threads[o].name} and ${t.name}); a thread's own location belongs to it alone`);
      owner.set(l, tid);
    }
  });
  const groups = new Map<string, SymmetryGroup>();
  threads.forEach((t, tid) => {
    if (t.symmetric === null) return;
    let g = groups.get(t.symmetric);
    if (!g) groups.set(t.symmetric, (g = { name: t.symmetric, tids: [], owns: [] }));
    g.tids.push(tid);
    g.owns.push(t.owns);
  });
  for (const g of groups.values()) {
    const first = threads[g.tids[0]];
    for (let k = 1; k < g.tids.length; k++) {
      const t = threads[g.tids[k]];
      const why = `${program}: threads ${first.name} and ${t.name} are declared symmetric ('${g.name}') but`;
      if (t.body !== first.body) {
        throw new SymmetryError(`${why} run different body functions: a group shares one body function, ` +
          'created once (not one closure per thread), and gives each thread its own locations with { owns } (the body reads them from t.owned)');
      }
      if (t.owns.length !== first.owns.length) throw new SymmetryError(`${why} own ${first.owns.length} and ${t.owns.length} locations`);
      for (let i = 0; i < t.owns.length; i++) {
        const a = first.owns[i], b = t.owns[i];
        if (locs[a].init !== locs[b].init) throw new SymmetryError(`${why} their own locations ${locs[a].name} and ${locs[b].name} start with different values (${locs[a].init}, ${locs[b].init})`);
        if (objOf(a) !== objOf(b)) throw new SymmetryError(`${why} their own locations ${locs[a].name} and ${locs[b].name} belong to different kinds of objects (${objOf(a)}, ${objOf(b)})`);
      }
    }
  }
  return [...groups.values()];
}

/** What a search of inst with symmetry reduction counts up to, or null (no group of two threads). */
export function symmetryWords(inst: Instance): string | null {
  const s = Symmetry.of(inst.symmetry, inst.threads.map((t) => t.name), inst.locs.map((l) => l.name));
  return s ? s.describe() : null;
}

/**
 * The search's side of symmetry: per thread the other threads of its group, per location its
 * owner. Built only when a group has two threads or more (Symmetry.of).
 */
/**
 * Is th[i] an RMW's read: a read followed by its write part (an exclusive write to the same
 * location; GenMC's ReadLabel::isRMW)? A failed compare-and-swap's read has no write part.
 */
function rmwRead(th: readonly Ev[], i: number): boolean {
  const r = th[i], w = i + 1 < th.length ? th[i + 1] : null;
  return r.kind === EvKind.Read && w !== null && w.kind === EvKind.Write && w.excl && w.loc === r.loc;
}

export class Symmetry {
  /** Per static tid: the other threads of its group, ascending (empty: not symmetric). */
  private readonly others: number[][];
  /** Per location: the thread that owns it (in a group of two or more), or -1. */
  private readonly owner: Int32Array;
  /** Per owned location: its index in its owner's `owns`. */
  private readonly ownIdx: Int32Array;
  /** The groups of two or more threads. */
  readonly groups: SymmetryGroup[];
  /** Per static tid: the thread of its group just before it (its symmetric predecessor), or -1. */
  readonly pred: Int32Array;

  static of(groups: SymmetryGroup[], names: string[], locNames: string[]): Symmetry | null {
    const real = groups.filter((g) => g.tids.length > 1);
    return real.length ? new Symmetry(real, names, locNames) : null;
  }

  private constructor(groups: SymmetryGroup[], private readonly names: string[], private readonly locNames: string[]) {
    const nthreads = names.length, nlocs = locNames.length;
    this.groups = groups;
    this.others = Array.from({ length: nthreads }, () => []);
    this.owner = new Int32Array(nlocs).fill(-1);
    this.ownIdx = new Int32Array(nlocs).fill(-1);
    this.pred = new Int32Array(nthreads).fill(-1);
    for (const g of groups) {
      g.tids.forEach((t, k) => {
        this.others[t] = g.tids.filter((u) => u !== t);
        if (k > 0) this.pred[t] = g.tids[k - 1];
        g.owns[k].forEach((l, i) => { this.owner[l] = t; this.ownIdx[l] = i; });
      });
    }
  }

  /** "up to permuting the 4 walker threads" (and the other groups), for the counts line. */
  describe(): string {
    return `up to permuting the ${this.groups.map((g) => `${g.tids.length} ${g.name} threads`).join(' and the ')}`;
  }

  /** Is thread t in a group (of two or more)? */
  isSymmetric(t: number): boolean {
    return t < this.others.length && this.others[t].length > 0;
  }

  /**
   * Refuses what would break the symmetry as thread t is about to do `op`: an access to a
   * location another thread owns, a spawn by a symmetric thread (its child would have a tid of
   * its own), a join of a symmetric thread.
   */
  step(t: number, op: Op): void {
    const k = op.kind;
    if (k === OpKind.Fence || k === OpKind.Assume || k === OpKind.Assert) return;
    if (k === OpKind.Spawn || k === OpKind.Join) {
      const who = this.isSymmetric(t) ? t : k === OpKind.Join && this.isSymmetric(op.a) ? op.a : -1;
      if (who >= 0) {
        throw new SymmetryError(`thread ${this.name(who)} is declared symmetric but ${who !== t ? `is joined by ${this.name(t)}` : k === OpKind.Spawn ? 'spawns a thread' : 'joins a thread'}: ` +
          'symmetric threads may not spawn, join or be joined (or run with --no-symmetry)');
      }
      return;
    }
    const o = this.owner[op.loc];
    if (o >= 0 && o !== t) {
      throw new SymmetryError(`thread ${this.name(t)} accesses ${this.locName(op.loc)}, which thread ${this.name(o)} owns: ` +
        'a symmetric thread\'s own locations may be accessed by it alone (or run with --no-symmetry)');
    }
  }

  /** A final-state check reads location `loc`: refused if a symmetric thread owns it. */
  finalValue(loc: Loc): void {
    const o = this.owner[loc];
    if (o >= 0) {
      throw new SymmetryError(`a final-state check reads ${this.locName(loc)}, which the symmetric thread ${this.name(o)} owns: ` +
        'under symmetry reduction a final check may not tell symmetric threads apart (or run with --no-symmetry)');
    }
  }

  /** A final-state check reads thread t's result: refused if t is symmetric. */
  finalResult(t: number): void {
    if (this.isSymmetric(t)) {
      throw new SymmetryError(`a final-state check reads the result of ${this.name(t)}, which is declared symmetric: ` +
        'under symmetry reduction a final check may not tell symmetric threads apart (or run with --no-symmetry)');
    }
  }

  private name(t: number): string {
    return this.names[t] ?? `thread${t}`;
  }

  private locName(l: Loc): string {
    return this.locNames[l] ?? `location ${l}`;
  }

  /** The location of thread b matching location l of thread a (l itself unless a owns it). */
  private match(l: Loc, a: number, b: number): number {
    return this.owner[l] === a ? this.ownOf(b, this.ownIdx[l]) : l;
  }

  private ownOf(t: number, i: number): number {
    for (const g of this.groups) {
      const k = g.tids.indexOf(t);
      if (k >= 0) return g.owns[k][i];
    }
    return -1;
  }

  /**
   * Do a's and b's events at the same index match, as far as the shared prefix goes? The same
   * kind; a read from the same write (or the same event of its own thread, or the initial value
   * of matching own locations); a write only to its own location (a shared write ends the prefix).
   */
  private same(x: Ev, y: Ev, a: number, b: number): boolean {
    if (x.kind !== y.kind) return false;
    if (x.kind === EvKind.Read) {
      const sx = x.rf as Ev, sy = y.rf as Ev;
      if (sx === sy) return true;
      if (sx.tid === a && sy.tid === b) return sx.idx === sy.idx;
      return sx.tid < 0 && sy.tid < 0 && this.owner[sx.loc] === a && this.match(sx.loc, a, b) === sy.loc;
    }
    if (x.kind === EvKind.Write) return this.owner[x.loc] === a && this.match(x.loc, a, b) === y.loc;
    return true;
  }

  /**
   * SPORE (docs/design/symmetry.md §2.2): the index in thread p = pred[e.tid] of the event whose
   * prefix e's prefix takes in (GenMC v0.11 SymmetryChecker.cpp, calcLargestSymmPrefixBeforeSR
   * and updatePrefixWithSymmetries): with si = min(e.idx, |p| - 1), si itself when p and e's
   * thread match (same) below si, else the last index before their first difference; -1: none.
   */
  symPredIdx(g: Graph, e: Ev): number {
    const b = e.tid, a = b < this.pred.length ? this.pred[b] : -1;
    if (a < 0) return -1;
    const ta = g.threads[a];
    const si = Math.min(e.idx, ta.length - 1);
    const j = this.matchBelow(g, a, b, si);
    const k = j < si ? j - 1 : si;
    // An RMW's read brings its write part (GenMC's prefixes take the read alone, which loses
    // classes: docs/design/symmetry.md §3).
    return k >= 0 && rmwRead(ta, k) ? k + 1 : k;
  }

  /**
   * SPORE's filterSymmetricStoresSR (GenMC v0.11 GenMCDriver.cpp): may read r not read from w?
   * True when r's thread and its predecessor p match below r's index and p's event there is an
   * RMW's read of the same location reading w: the graph where r reads w and p's RMW reads later
   * is the permuted one of a graph where p's reads w.
   */
  rmwTaken(g: Graph, r: Ev, w: Ev): boolean {
    const b = r.tid, a = b < this.pred.length ? this.pred[b] : -1;
    if (a < 0) return false;
    const ta = g.threads[a];
    const i = r.idx;
    if (ta.length <= i) return false;
    const p = ta[i];
    return p.loc === r.loc && p.rf === w && rmwRead(ta, i) && this.matchBelow(g, a, b, i) === i;
  }

  /**
   * Where threads a and b of a group first differ in g: the index of their first events that are
   * not the same (same), or -1 if one thread's events so far are a prefix of the other's.
   */
  private firstDifference(g: Graph, a: number, b: number): number {
    // Its own loop, not matchBelow's: ordered() runs it at every step of a symmetric thread, and
    // the call through matchBelow cost walkers=4 about 5% of its CPU.
    const ta = g.threads[a], tb = g.threads[b];
    const n = Math.min(ta.length, tb.length);
    for (let j = 0; j < n; j++) if (!this.same(ta[j], tb[j], a, b)) return j;
    return -1;
  }

  /** The first index below n where a's and b's events are not the same (same); n if none is. */
  private matchBelow(g: Graph, a: number, b: number, n: number): number {
    const ta = g.threads[a], tb = g.threads[b];
    for (let j = 0; j < n; j++) if (!this.same(ta[j], tb[j], a, b)) return j;
    return n;
  }

  /**
   * Is g the ordered execution of its class: for every two threads of a group, at the first
   * event where they differ (after matching reads, at the latest at their first shared write),
   * the lower thread's event comes first in eco (or the two are unrelated)? Exactly one
   * execution of each class under permuting the groups is (docs/scaling.md, symmetry).
   */
  ordered(g: Graph): boolean {
    for (const grp of this.groups) {
      const ts = grp.tids;
      for (let x = 0; x < ts.length; x++) {
        for (let y = x + 1; y < ts.length; y++) {
          const a = ts[x], b = ts[y];
          const j = this.firstDifference(g, a, b);
          if (j >= 0 && this.ecoBefore(g.threads[b][j], g.threads[a][j])) return false;
        }
      }
    }
    return true;
  }

  /** hi comes first in eco: it reads an earlier write than lo at the same location, or is co-before lo. */
  private ecoBefore(hi: Ev, lo: Ev): boolean {
    if (hi.kind !== lo.kind || hi.loc !== lo.loc) return false;
    if (hi.kind !== EvKind.Read && hi.kind !== EvKind.Write) return false;
    if (hi.kind === EvKind.Read) return (lo.rf as Ev).coPos > (hi.rf as Ev).coPos;
    return hi.coPos < lo.coPos;
  }
}
