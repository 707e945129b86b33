// Sequential consistency: acyclic(po ∪ rf ∪ co ∪ fr), with atomicity kept by construction.
import { EvKind, type Ev, type Graph } from '../graph.ts';
import type { Successors } from './cycle.ts';
import type { MemoryModel } from './model.ts';

/** po successors: the next event of the thread, a spawned thread's first event, a joiner. */
export function poSuccessors(g: Graph, e: Ev, visit: (x: Ev) => void): void {
  if (e.tid < 0) return;
  const th = g.threads[e.tid];
  if (e.idx + 1 < th.length) visit(th[e.idx + 1]);
  if (e.kind === EvKind.Spawn) {
    const child = g.threads[e.val];
    if (child && child.length) visit(child[0]);
  } else if (e.kind === EvKind.End) {
    const js = g.joins;
    for (let i = 0; i < js.length; i++) if (js[i].val === e.tid) visit(js[i]);
  }
}

/** rf, co and fr successors of e (fr through the co-successor of a read's source). */
export function comSuccessors(g: Graph, e: Ev, visit: (x: Ev) => void): void {
  if (e.kind === EvKind.Write || e.kind === EvKind.Init) {
    const rs = e.readers as Ev[];
    for (let i = 0; i < rs.length; i++) visit(rs[i]);
    const list = g.co[e.loc];
    if (e.coPos + 1 < list.length) visit(list[e.coPos + 1]);
  } else if (e.kind === EvKind.Read && e.rf) {
    const list = g.co[e.loc];
    const p = e.rf.coPos + 1;
    if (p < list.length && list[p] !== e) visit(list[p]);
  }
}

// The cycle search of cycle.ts (onCycle), without its per-call closure: this runs once per
// non-maximal step, and under tsx (esbuild keepNames) every closure creation also costs an
// Object.defineProperty for its name. One module-level visitor shares this state instead.
let target: Ev | null = null;
let found = false;
let epoch = 0;
const stack: Ev[] = [];

function visit(x: Ev): void {
  if (x === target) found = true;
  else if (x.seen !== epoch) { x.seen = epoch; stack.push(x); }
}

/** True when some event of `changed` lies on a cycle of the relation given by `succ`. */
export function onCycleFast(g: Graph, changed: readonly Ev[], succ: Successors): boolean {
  for (let i = 0; i < changed.length; i++) {
    const c = changed[i];
    epoch++;
    target = c;
    found = false;
    succ(g, c, visit);
    while (!found && stack.length) succ(g, stack.pop() as Ev, visit);
    if (stack.length) stack.length = 0;
    target = null;
    if (found) return true;
  }
  return false;
}

const scSucc: Successors = (g, e, visit) => {
  poSuccessors(g, e, visit);
  comSuccessors(g, e, visit);
};

export const SC: MemoryModel = {
  name: 'sc',
  counts: 'execution graphs (po, rf, co) consistent under SC — equal to Mazurkiewicz traces',
  porfCoherent: true,
  consistentStep: (g, changed) => !onCycleFast(g, changed, scSucc),
  consistentComplete: null,
};
