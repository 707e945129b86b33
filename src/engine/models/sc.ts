// Sequential consistency: acyclic(po ∪ rf ∪ co ∪ fr), with atomicity kept by construction.
import { EvKind, type Ev, type Graph } from '../graph.ts';
import { onCycle, type Successors } from './cycle.ts';
import type { MemoryModel } from './model.ts';

/** Cross-thread po edges: a spawn to the child's first event, a thread's end to its joiners. */
export function threadEdges(g: Graph, e: Ev, visit: (x: Ev) => void): void {
  if (e.kind === EvKind.Spawn) {
    const child = g.threads[e.val];
    if (child && child.length) visit(child[0]);
  } else if (e.kind === EvKind.End) {
    const js = g.joins;
    for (let i = 0; i < js.length; i++) if (js[i].val === e.tid) visit(js[i]);
  }
}

/** po successors: the next event of the thread, a spawned thread's first event, a joiner. */
export function poSuccessors(g: Graph, e: Ev, visit: (x: Ev) => void): void {
  if (e.tid < 0) return;
  const th = g.threads[e.tid];
  if (e.idx + 1 < th.length) visit(th[e.idx + 1]);
  threadEdges(g, e, visit);
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

const scSucc: Successors = (g, e, visit) => {
  poSuccessors(g, e, visit);
  comSuccessors(g, e, visit);
};

export const SC: MemoryModel = {
  name: 'sc',
  counts: 'execution graphs (po, rf, co) consistent under SC — equal to Mazurkiewicz traces',
  porfCoherent: true,
  consistentStep: (g, changed) => !onCycle(g, changed, scSucc),
  consistentComplete: null,
};
