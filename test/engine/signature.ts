// The signature of an explored leaf in the oracle's format: per read its source, per location
// the co list, and the threads that did not finish.
import { EvKind, type Graph } from '../../src/engine/graph.ts';

export function signature(g: Graph): string {
  const rf: string[] = [];
  const blocked: number[] = [];
  g.threads.forEach((th, t) => {
    if (!g.exists(t)) return;
    for (const e of th) {
      if (e.kind === EvKind.Read) {
        const s = e.rf!;
        rf.push(`${t}.${e.idx}<-${s.tid < 0 ? 'init' : `${s.tid}.${s.idx}`}`);
      }
    }
    const last = th[th.length - 1];
    if (!last || last.kind !== EvKind.End) blocked.push(t);
  });
  const co = g.co.map((list) => list.slice(1).map((w) => `${w.tid}.${w.idx}`));
  return JSON.stringify({ rf: rf.sort(), co, blocked });
}

export function finalMemory(g: Graph): string {
  return g.co.map((list) => list[list.length - 1].val).join(',');
}
