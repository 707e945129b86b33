// The structures a compiled model runs on. A top-level binding lives in a Cell: a value, or a
// thunk computed on first use (so a binding no check needs is never computed); locals
// (function parameters, `let ... in`) live in LocalFrames resolved at compile time. Rt is one
// branch of one run: the cells it sees, and where the values shared with other branches and
// other runs are kept (see run.ts for when they are shared).
import type { Pat, Pos } from './ast.ts';
import type { EvalCtx } from './eval-ctx.ts';
import { err } from './ops.ts';
import { typeName, type CatVal } from './values.ts';

/** The values of the locals of one function call or `let ... in`, and the enclosing frame. */
export interface LocalFrame {
  vals: CatVal[];
  up: LocalFrame | null;
}

export interface Cell {
  v: CatVal | undefined;
  f: ((rt: Rt, fr: null) => CatVal) | null;
  rt: Rt | null;
  busy: boolean;
}

export interface Rt {
  cells: (Cell | undefined)[];
  c: EvalCtx;
  /** Values of level-1 hoisted subexpressions, shared by all branches of a run. */
  hoisted: Map<number, CatVal>;
  /** Cells of steps that do not depend on any `with` choice, shared by all branches of a run. */
  shared: (Cell[] | undefined)[];
  /** The level-2 values of this run's static part (shared with other runs of the same part). */
  st: StaticEntry;
}

/** What level-2 (static) bindings computed for one static part of an execution. */
export interface StaticEntry {
  cells: (Cell[] | undefined)[];
  builtins: Cell[] | null;
  hoisted: Map<number, CatVal>;
  /** The context level-2 thunks run in: only level-2 cells, a memo of its own, so that a
   * remembered entry does not keep the values of the run that created it alive. */
  rt: Rt | null;
}

/** A compiled expression. */
export type Code = (rt: Rt, fr: LocalFrame | null) => CatVal;

export function valueCell(v: CatVal): Cell {
  return { v, f: null, rt: null, busy: false };
}

export function thunkCell(rt: Rt, f: (rt: Rt, fr: null) => CatVal): Cell {
  return { v: undefined, f, rt, busy: false };
}

/** The value of a cell, computing it on first use. */
export function force(cell: Cell | undefined, pos: Pos | null, name: string): CatVal {
  if (!cell) return err(pos, `name '${name}' is not yet defined here`);
  if (cell.v !== undefined) return cell.v;
  if (cell.busy) return err(pos, `'${name}' is defined in terms of itself (use let rec)`);
  cell.busy = true;
  try {
    const v = cell.f!(cell.rt!, null);
    cell.v = v;
    cell.f = null;
    cell.rt = null;
    return v;
  } finally {
    cell.busy = false;
  }
}

/** The names a list of patterns binds, in order (`_` for an anonymous one). */
export function patNames(pats: Pat[]): string[] {
  const out: string[] = [];
  for (const p of pats) {
    if (p.k === 'var') out.push(p.name ?? '_');
    else for (const n of p.elems) out.push(n ?? '_');
  }
  return out;
}

/** Appends to vals what pattern p binds when matched against v. */
export function bindPat(p: Pat, v: CatVal, vals: CatVal[], pos: Pos): void {
  if (p.k === 'var') {
    vals.push(v);
    return;
  }
  if (v.k !== 'tuple' || v.elems.length !== p.elems.length)
    err(pos, `expected a tuple of ${p.elems.length} values, got a ${typeName(v)}`);
  for (const x of v.elems) vals.push(x);
}

/** The cells of a top-level `let p1 = e1 and p2 = e2 …`: one per name, tuples split lazily. */
export function letCells(rt: Rt, pats: Pat[], codes: Code[], counts: number[]): Cell[] {
  const cells: Cell[] = [];
  for (let i = 0; i < pats.length; i++) {
    const p = pats[i]!;
    const code = codes[i]!;
    if (p.k === 'var') cells.push(thunkCell(rt, code));
    else {
      let tuple: CatVal | undefined;
      const get = (r: Rt): CatVal[] => {
        if (!tuple) tuple = code(r, null);
        if (tuple.k !== 'tuple' || tuple.elems.length !== counts[i]) err(null, 'tuple pattern mismatch');
        return tuple.elems;
      };
      for (let j = 0; j < counts[i]!; j++) cells.push(thunkCell(rt, (r) => get(r)[j]!));
    }
  }
  return cells;
}
