// x86-TSO (docs/design/exploration.md §7.2): coherence, acyclic(po-loc ∪ rf ∪ co ∪ fr), and
// acyclic(ppo ∪ rfe ∪ co ∪ fr) where ppo drops only (plain write → plain read) pairs: a store
// may sit in the store buffer while later loads go ahead. Locked RMWs (lock and failed
// cmpxchg included) and smp_mb() order everything; smp_rmb()/smp_wmb() are compiler barriers.
import { EvKind, type Ev, type Graph } from '../graph.ts';
import { OpKind } from '../ops.ts';
import { onCycle, type Successors } from './cycle.ts';
import { comSuccessors, threadEdges } from './sc.ts';
import type { MemoryModel } from './model.ts';

function isPlainRead(e: Ev): boolean {
  return e.kind === EvKind.Read && (e.opKind === OpKind.Load || e.opKind === OpKind.Await);
}

function isPlainWrite(e: Ev): boolean {
  return e.kind === EvKind.Write && !e.excl;
}

/** Fences other than a full barrier are no-ops on x86 and carry no ordering of their own. */
function isNop(e: Ev): boolean {
  return e.kind === EvKind.Fence && e.tag !== 'mb';
}

/** ppo ∪ rfe ∪ co ∪ fr. ppo through two pointers whose closure is exactly TSO's ppo. */
const ghb: Successors = (g, e, visit) => {
  if (e.tid >= 0) {
    const th = g.threads[e.tid];
    const fromPlainWrite = isPlainWrite(e);
    let needRead = !fromPlainWrite;
    let needOther = true;
    for (let i = e.idx + 1; i < th.length && (needRead || needOther); i++) {
      const x = th[i];
      if (isNop(x)) continue;
      if (isPlainRead(x)) {
        if (needRead) { visit(x); needRead = false; }
      } else if (needOther) {
        visit(x);
        needOther = false;
      }
    }
    threadEdges(g, e, visit);
  }
  if (e.kind === EvKind.Write || e.kind === EvKind.Init) {
    for (const r of e.readers as Ev[]) if (r.tid !== e.tid) visit(r);
    const list = g.co[e.loc];
    if (e.coPos + 1 < list.length) visit(list[e.coPos + 1]);
  } else if (e.kind === EvKind.Read && e.rf) {
    const list = g.co[e.loc];
    if (e.rf.coPos + 1 < list.length) visit(list[e.rf.coPos + 1]);
  }
};

/** po-loc ∪ rf ∪ co ∪ fr (SC per location). */
export const coherence: Successors = (g, e, visit) => {
  if (e.tid >= 0 && e.loc >= 0) {
    const th = g.threads[e.tid];
    for (let i = e.idx + 1; i < th.length; i++) if (th[i].loc === e.loc && (th[i].kind === EvKind.Read || th[i].kind === EvKind.Write)) { visit(th[i]); break; }
  }
  comSuccessors(g, e, visit);
};

export const TSO: MemoryModel = {
  name: 'tso',
  counts: 'execution graphs (po, rf, co) consistent under x86-TSO',
  porfCoherent: true,
  consistentStep: (g, changed) => !onCycle(g, changed, coherence) && !onCycle(g, changed, ghb),
  consistentComplete: null,
};
