// The Linux-kernel memory model, executed from the kernel's own model files
// (linux-kernel.bell, linux-kernel.cat, lock.cat) by mmcheck's cat interpreter.
import { join } from 'node:path';
import type { Execution } from '../execution.ts';
import { CAT_LIBDIR, CatRuntimeError, loadCatModel, type CompiledModel, type LoadOptions, type CatVal, type Rejection, type RejectedBranch } from '../cat/index.ts';
import { Universe } from '../cat/bits.ts';
import { LKMM_MODEL_DIR } from './model-dir.ts';

export { LKMM_MODEL_DIR };

export const LKMM_DESCRIPTION =
  'LKMM (Linux-kernel memory model) as in the kernel\'s tools/memory-model: linux-kernel.bell + ' +
  'linux-kernel.cat + lock.cat, variant lkmmv2, run by mmcheck\'s cat interpreter; co (and the rf ' +
  'of lock events) enumerated by the model as herd7 does; axioms coherence, atomic, ' +
  'happens-before, propagation, rcu, plain-coherence (+ lock.cat\'s lock-nest, nested-is-locked, ' +
  'unmatched-locks); flags data-race, mixed-accesses and the bell/lock.cat validity flags.';

/** One consistent completion of a candidate execution. */
export interface CatOutcome {
  /** The full coherence order as the model computes it (transitive; includes init writes, LKW and UL). */
  co: [number, number][];
  /** The final rf: the given rf plus the rf edges of LKR, LF, RL and RU events. */
  rf: [number, number][];
  /** Flags raised for this execution, by name (e.g. 'data-race', 'mixed-accesses'). */
  flags: string[];
}

export interface LkmmModel {
  readonly description: string;
  /** Every consistent completion of x (one per choice of the model's `with` clauses). */
  check(x: Execution): CatOutcome[];
  /** True when x has at least one consistent completion (stops at the first). */
  consistent(x: Execution): boolean;
  /** Like check, and also counts, per check name, the completions it rejected. */
  explain(x: Execution): { outcomes: CatOutcome[]; rejectedBy: Map<string, number> };
  /**
   * The consistent completions of x whose coherence order is the given one (for an explorer
   * that has already chosen co): `co` lists [w1, w2] pairs over the writes (W and LKW events;
   * any pairs involving other events are ignored); it is transitively closed here. Returns at
   * most one outcome per choice of the lock-related rf (normally zero or one outcome).
   */
  checkWithCo(x: Execution, co: [number, number][]): CatOutcome[];
  /**
   * Whether x with the given co has a consistent completion: the flags of the first one
   * checkWithCo would list (the same choices tried in the same order, stopping there), or null
   * when it has none. For an explorer that needs only the verdict and the flags: the choices
   * after the first consistent one are not evaluated, and co and rf are not converted to pairs.
   */
  flagsWithCo(x: Execution, co: [number, number][]): string[] | null;
  /** The model's relations (any top-level name: 'ppo', 'hb', 'mb' …) in the completion of x
   * with the given co, as pairs; null when the model rejects that completion. */
  relationsWithCo(x: Execution, co: [number, number][]): ((name: string) => [number, number][]) | null;
  /** check without the forcedCoAcyclic prefilter (for testing that the prefilter is exact). */
  checkUnfiltered(x: Execution): CatOutcome[];
  /** The compiled model, for tools that want other bindings (e.g. hb, pb). */
  readonly compiled: CompiledModel;
}

/**
 * A cheap necessary condition for consistency, checked before the cat model runs: the
 * write-to-write order that per-location coherence forces (the edges cos-opt.cat adds to co0:
 * init write first; w1 po-loc w2; rf-source of r before w when r po-loc w; w before the
 * rf-source of r when w po-loc r; rf-sources of r1, r2 in order when r1 po-loc r2) must be
 * acyclic at every location. When it is not, the model's co enumeration is empty and the
 * candidate has no consistent completion, so skipping it changes nothing but the time.
 * Only ordinary R/W events take part (lock events are left to lock.cat).
 */
export function forcedCoAcyclic(x: Execution): boolean {
  const es = x.events;
  const n = es.length;
  const src = new Int32Array(n).fill(-1);
  for (const [w, r] of x.rf) src[r] = w;
  const u = new Universe(n);
  const forced = u.emptyRel();
  const edge = (a: number, b: number) => u.addPair(forced, a, b);
  // group the ordinary accesses by location
  const byLoc = new Map<string, number[]>();
  for (const e of es) {
    if ((e.kind !== 'R' && e.kind !== 'W') || e.loc === null) continue;
    let g = byLoc.get(e.loc);
    if (!g) byLoc.set(e.loc, (g = []));
    g.push(e.id);
  }
  for (const g of byLoc.values()) {
    for (const a of g) {
      const A = es[a]!;
      for (const b of g) {
        if (a === b) continue;
        const B = es[b]!;
        if (A.tid < 0) {
          if (A.kind === 'W' && B.kind === 'W' && B.tid >= 0) edge(a, b);
          continue;
        }
        if (B.tid !== A.tid || A.poIndex >= B.poIndex) continue;
        const sa = A.kind === 'R' ? src[a]! : a;
        const sb = B.kind === 'R' ? src[b]! : b;
        if (sa < 0 || sb < 0) continue;
        if (A.kind === 'W' && B.kind === 'R' && sa === sb) continue; // reads its own po-earlier write
        if (A.kind === 'R' && B.kind === 'R' && sa === sb) continue; // both read the same write
        edge(sa, sb); // includes the self-loop of a read whose source is po-after it
      }
    }
  }
  return u.acyclic(forced);
}


let cached: LkmmModel | null = null;

/** The bundled LKMM (the kernel's files in model/). Parsed and compiled once; later calls return the same object. */
export function loadLkmm(): LkmmModel {
  cached ??= loadLkmmFiles([join(LKMM_MODEL_DIR, 'linux-kernel.bell'), join(LKMM_MODEL_DIR, 'linux-kernel.cat')], {
    searchPath: [LKMM_MODEL_DIR, CAT_LIBDIR],
    variants: ['lkmmv2'],
  }, LKMM_DESCRIPTION);
  return cached;
}

/**
 * An LKMM-style model from the given bell and cat files (evaluated in order, as herd7 does with
 * -bell then -cat), e.g. a kernel tree's own linux-kernel.bell/.cat for `mmcheck herd7`. The
 * model must define co and rf as the kernel's does (lock.cat + cos-opt.cat). Throws
 * CatSyntaxError / CatRuntimeError for a malformed or missing file.
 */
export function loadLkmmFiles(files: string[], opts: LoadOptions, description = `cat model ${files.join(' + ')}`): LkmmModel {
  const compiled = loadCatModel(files, opts);
  const toPairs = (x: Execution, v: CatVal, name: string): [number, number][] => {
    if (v.k === 'empty') return [];
    if (v.k !== 'rel') throw new CatRuntimeError(null, `${description}: ${name} must be a relation (as the kernel's lock.cat and cos-opt.cat define it), got ${v.k}`);
    return new Universe(x.events.length).pairs(v.b);
  };
  const convert = (x: Execution, raws: ReturnType<CompiledModel['run']>): CatOutcome[] =>
    raws.map((r) => ({ co: toPairs(x, r.get('co'), 'co'), rf: toPairs(x, r.get('rf'), 'rf'), flags: r.flags }));
  return {
    description,
    compiled,
    check: (x) => (forcedCoAcyclic(x) ? convert(x, compiled.run(x)) : []),
    consistent: (x) => forcedCoAcyclic(x) && compiled.run(x, { stopAtFirst: true }).length > 0,
    explain: (x) => {
      const rejectedBy = new Map<string, number>();
      if (!forcedCoAcyclic(x)) return { outcomes: [], rejectedBy: new Map([['coherence (forced co is cyclic)', 1]]) };
      const outcomes = convert(x, compiled.run(x, { failures: rejectedBy }));
      return { outcomes, rejectedBy };
    },
    checkUnfiltered: (x) => convert(x, compiled.run(x)),
    // No forcedCoAcyclic prefilter here: with co fixed, the model checks one completion, and
    // its coherence axiom rejects what the prefilter would (the explorer's leaves are coherent).
    checkWithCo: (x, co) => convert(x, compiled.run(x, { fix: fixCo(x, co) })),
    flagsWithCo: (x, co) => {
      const [o] = compiled.run(x, { fix: fixCo(x, co), stopAtFirst: true });
      return o ? o.flags : null;
    },
    relationsWithCo: (x, co) => {
      const [o] = compiled.run(x, { fix: fixCo(x, co), stopAtFirst: true });
      return o ? (name) => toPairs(x, o.get(name), name) : null;
    },
  };
}

/** The `with co from …` choice fixed to the given co (transitively closed, writes only). */
function fixCo(x: Execution, co: [number, number][]): Map<string, (u: Universe) => CatVal> {
  const isW = (i: number) => x.events[i]?.kind === 'W' || x.events[i]?.kind === 'LKW';
  return new Map([['co', (u: Universe): CatVal => ({ k: 'rel', b: u.plus(u.relOf(co.filter(([a, b]) => isW(a) && isW(b)))) })]]);
}

/** One completion of a candidate (one choice of the model's `with` clauses), kept or rejected. */
export interface LkmmBranch {
  /** null when the model keeps the branch; otherwise what rejected it (LkmmExplainer.explain). */
  rejected: RejectedBranch | null;
  /** co and rf as far as the branch got (null when it was rejected before binding them). */
  co: [number, number][] | null;
  rf: [number, number][] | null;
  flags: string[];
}

export interface LkmmExplainer {
  /** Every completion of x that herd7 would try (every co with the initial writes first, as
   * herd's cos.cat enumerates them: the variant "all-co" of cos-opt.cat), the rejected ones included. */
  branches(x: Execution): LkmmBranch[];
  /** Why the model rejects a branch: the failing axiom, its cycle, each edge derived. */
  explain(r: RejectedBranch): Rejection;
}

let explainer: LkmmExplainer | null = null;

/** The bundled LKMM for explanations (compiled once, on first use: a second compilation). */
export function loadLkmmExplainer(): LkmmExplainer {
  if (explainer) return explainer;
  const compiled = loadCatModel([join(LKMM_MODEL_DIR, 'linux-kernel.bell'), join(LKMM_MODEL_DIR, 'linux-kernel.cat')], {
    searchPath: [LKMM_MODEL_DIR, CAT_LIBDIR],
    variants: ['lkmmv2', 'all-co'],
  });
  const pairs = (x: Execution, get: () => CatVal): [number, number][] | null => {
    let v: CatVal;
    try {
      v = get();
    } catch (e) {
      if (e instanceof CatRuntimeError) return null;
      throw e;
    }
    return v.k === 'rel' ? new Universe(x.events.length).pairs(v.b) : v.k === 'empty' ? [] : null;
  };
  explainer = {
    branches(x) {
      const rejected: RejectedBranch[] = [];
      const kept = compiled.run(x, { onReject: (r) => rejected.push(r) });
      return [
        ...kept.map((o) => ({ rejected: null, co: pairs(x, () => o.get('co')), rf: pairs(x, () => o.get('rf')), flags: o.flags })),
        ...rejected.map((r) => ({ rejected: r, co: pairs(x, () => r.get('co')), rf: pairs(x, () => r.get('rf')), flags: [] })),
      ];
    },
    explain: (r) => compiled.explain(r),
  };
  return explainer;
}
