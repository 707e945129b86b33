// A compiled model run on one candidate execution: the steps of the Program in order, branching
// at each `with x from S` (one branch per element of S), pruning a branch at the first check it
// fails, and reporting the flags of the branches that pass every check (herd reports flags of
// consistent executions only).
//
// What is shared, so that explorers that check thousands of similar executions pay once:
// * cells of level 1 (independent of `with` choices) are made once per run, for all branches;
// * cells of level 2 (depending only on the static part: events, po, dependencies) and the
//   static builtins are kept in a StaticEntry, remembered for the last STATIC_CACHE_SIZE static
//   parts seen (explorers alternate between a few shapes).
import type { CatFile } from './ast.ts';
import { fmtPos } from './ast.ts';
import type { Universe } from './bits.ts';
import { compileModel, type Program, type Step } from './compile.ts';
import { makeEvalCtx, type EvalCtx } from './eval-ctx.ts';
import { elementsOf, err, nz, testHolds, valEq } from './ops.ts';
import { withMembership } from './orders.ts';
import { force, thunkCell, valueCell, type Cell, type Rt, type StaticEntry } from './runtime.ts';
import type { CatVal } from './values.ts';
import type { Execution } from '../execution.ts';
import { explainRejection, type Rejection } from './explain.ts';

/** Static parts remembered (most recently used last). */
const STATIC_CACHE_SIZE = 16;

export interface CatOutcomeRaw {
  /** Values of the named top-level bindings at the end of the model (lazy). */
  get(name: string): CatVal;
  flags: string[];
}

export interface RunOptions {
  /** Stop after the first consistent completion. */
  stopAtFirst?: boolean;
  /** Counts, per check name, the branches that the check rejected. */
  failures?: Map<string, number>;
  /** For `with name from S`: explore only the choices equal to the given value (computed from
   * the run's universe). Used to check one given completion, e.g. a co chosen elsewhere. */
  fix?: Map<string, (u: Universe) => CatVal>;
  /** Called for each branch that a check rejects, or that ends at a `with` with no choice:
   * CompiledModel.explain tells why. (Without it, rejected branches are dropped silently.) */
  onReject?: (r: RejectedBranch) => void;
}

/** A branch the model rejected, as it stood at the failing step. */
export interface RejectedBranch {
  /** The failing test, or the `with` that had no choice. */
  step: Step & { k: 'test' | 'with' };
  /** The step's place in the model (later checks have larger numbers). */
  order: number;
  /** The value of a top-level binding in this branch (bound before the failing step). */
  get(name: string): CatVal;
  /** @internal the branch's runtime, for explain.ts */
  readonly rt: Rt;
}

type FlagStep = Step & { k: 'test' };

export class CompiledModel {
  private readonly p: Program;
  private staticCache = new Map<string, StaticEntry>();
  /** Names of tests that reject candidates, in order (for diagnostics). */
  readonly checkNames: string[];

  constructor(
    files: CatFile[],
    parse: (name: string, from: string) => CatFile,
    readonly variants: ReadonlySet<string>,
  ) {
    this.p = compileModel(files, parse);
    this.checkNames = this.p.checkNames;
  }

  /** Evaluates the model on one execution; returns one raw outcome per surviving branch. */
  run(x: Execution, opts?: RunOptions): CatOutcomeRaw[] {
    const p = this.p;
    const c = makeEvalCtx(x, this.variants);
    const st = this.staticEntry(x);
    const rt: Rt = { cells: new Array(p.nslots), c, shared: [], hoisted: new Map(), st };
    const fresh = !st.builtins;
    if (fresh) {
      st.builtins = [];
      const c2: EvalCtx = { u: c.u, x, values: c.values, locId: c.locId, variants: this.variants, memo: new Map() };
      st.rt = { cells: new Array(p.nslots), c: c2, shared: [], hoisted: new Map(), st };
    }
    const srt = st.rt!;
    c.st = srt.c;
    let k = 0;
    for (const [s, b] of p.builtinSlots) {
      if (p.dyn2[s]) rt.cells[s] = thunkCell(rt, b);
      else {
        if (fresh) st.builtins!.push((srt.cells[s] = thunkCell(srt, b)));
        rt.cells[s] = st.builtins![k++];
      }
    }
    const out: CatOutcomeRaw[] = [];
    this.exec(0, rt, [], out, opts);
    return out;
  }

  /** The remembered static part of x, or a fresh one (then remembered, evicting the least
   * recently used). */
  private staticEntry(x: Execution): StaticEntry {
    const key = staticKeyOf(x);
    let st = this.staticCache.get(key);
    if (st) {
      this.staticCache.delete(key);
    } else {
      st = { cells: [], builtins: null, hoisted: new Map(), rt: null };
      if (this.staticCache.size >= STATIC_CACHE_SIZE) this.staticCache.delete(this.staticCache.keys().next().value as string);
    }
    this.staticCache.set(key, st);
    return st;
  }

  private exec(from: number, rt: Rt, flags: { step: FlagStep; rt: Rt }[], out: CatOutcomeRaw[], opts?: RunOptions): boolean {
    const steps = this.p.steps;
    for (let i = from; i < steps.length; i++) {
      const st = steps[i]!;
      switch (st.k) {
        case 'cells': {
          let cells: Cell[];
          if (st.level === 2) {
            const sc = rt.st.cells[i];
            if (sc) cells = sc;
            else {
              const srt = rt.st.rt!;
              cells = rt.st.cells[i] = st.mk(srt);
              for (let j = 0; j < st.slots.length; j++) srt.cells[st.slots[j]!] = cells[j];
            }
          }
          else if (st.level === 1) cells = rt.shared[i] ??= st.mk(rt);
          else cells = st.mk(rt);
          for (let j = 0; j < st.slots.length; j++) rt.cells[st.slots[j]!] = cells[j];
          break;
        }
        case 'test': {
          if (st.mode === 'flag') {
            flags = [...flags, { step: st, rt }];
            break;
          }
          const holds = testHolds(rt.c.u, st.test, st.code(rt, null), st.pos) !== st.negated;
          if (!holds) {
            if (opts?.failures) {
              const k = st.name ?? fmtPos(st.pos);
              opts.failures.set(k, (opts.failures.get(k) ?? 0) + 1);
            }
            if (opts?.onReject) opts.onReject(this.rejected(st, rt, i));
            return false;
          }
          break;
        }
        case 'with': {
          const fixed = opts?.fix?.get(st.name);
          const s = fixed ? withMembership(() => st.code(rt, null)) : st.code(rt, null);
          let choices: CatVal[];
          if (fixed && s.k === 'vset' && s.member) {
            // a set that answers membership: no need to enumerate it
            const want = nz(fixed(rt.c.u));
            choices = s.member(want) ? [want] : [];
          } else choices = elementsOf(rt.c.u, s, st.pos);
          if (fixed && !(s.k === 'vset' && s.member)) {
            const want = fixed(rt.c.u);
            choices = choices.filter((ch) => valEq(ch, want));
          }
          if (choices.length === 0 && opts?.onReject) opts.onReject(this.rejected(st, rt, i));
          for (const ch of choices) {
            const rt2: Rt = { cells: rt.cells.slice(), c: rt.c, shared: rt.shared, hoisted: rt.hoisted, st: rt.st };
            rt2.cells[st.slot] = valueCell(ch);
            if (this.exec(i + 1, rt2, flags, out, opts) && opts?.stopAtFirst) return true;
          }
          return out.length > 0;
        }
      }
    }
    const fired: string[] = [];
    for (const { step, rt: frt } of flags) {
      const holds = testHolds(frt.c.u, step.test, step.code(frt, null), step.pos) !== step.negated;
      if (holds) fired.push(step.name ?? fmtPos(step.pos));
    }
    out.push({ flags: fired, get: (name) => this.get(rt, name) });
    return true;
  }

  private get(rt: Rt, name: string): CatVal {
    const slot = this.p.slotOf.get(name);
    if (slot === undefined) return err(null, `no top-level binding '${name}'`);
    return force(rt.cells[slot], null, name);
  }

  private rejected(step: Step & { k: 'test' | 'with' }, rt: Rt, order: number): RejectedBranch {
    return { step, order, rt, get: (name) => this.get(rt, name) };
  }

  /** Why the model rejected a branch: the failing check, and a witness (a cycle, a pair) of its
   * relation, each edge derived from the model's named relations (explain.ts). */
  explain(r: RejectedBranch): Rejection {
    return explainRejection(this.p, r.step, r.rt);
  }
}

/** The part of an execution that level-2 (static) bindings may depend on. */
function staticKeyOf(x: Execution): string {
  let k = '';
  for (const e of x.events) k += `${e.tid},${e.poIndex},${e.kind},${e.loc},${e.annot},${e.atomic ? 1 : 0};`;
  const rel = (r: [number, number][]) => {
    let t = '';
    for (const [a, b] of r) t += a + '>' + b + ',';
    return t;
  };
  return k + '|' + rel(x.rmw) + '|' + rel(x.addr) + '|' + rel(x.data) + '|' + rel(x.ctrl);
}
