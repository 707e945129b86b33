// The signature of an explored leaf in the oracle's format: per read its source, per location
// the co list, and the threads that did not finish.
import { EvKind, type Graph } from '../../src/engine/graph.ts';

/**
 * Thread names independent of tids: a static thread is its tid, a spawned one `parent/k` (its
 * parent's k-th spawn), as the oracles name them.
 */
export function threadNames(g: Graph): string[] {
  const names: string[] = [];
  for (let t = 0; t < g.threads.length; t++) {
    const sp = g.slots[t].spawn;
    if (!sp) { names.push(String(t)); continue; }
    let k = 0;
    for (let i = 0; i < sp.idx; i++) if (g.threads[sp.tid][i].kind === EvKind.Spawn) k++;
    names.push(`${names[sp.tid]}/${k}`);
  }
  return names;
}

export function signature(g: Graph): string {
  const rf: string[] = [];
  const blocked: string[] = [];
  const names = threadNames(g);
  const at = (tid: number, idx: number): string => `${names[tid]}.${idx}`;
  g.threads.forEach((th, t) => {
    if (!g.exists(t)) return;
    for (const e of th) {
      if (e.kind === EvKind.Read) {
        const s = e.rf!;
        rf.push(`${at(t, e.idx)}<-${s.tid < 0 ? 'init' : at(s.tid, s.idx)}`);
      }
    }
    const last = th[th.length - 1];
    if (!last || last.kind !== EvKind.End) blocked.push(names[t]);
  });
  const co = g.co.map((list) => list.slice(1).map((w) => at(w.tid, w.idx)));
  return JSON.stringify({ rf: rf.sort(), co, blocked: blocked.sort() });
}

export function finalMemory(g: Graph): string {
  return g.co.map((list) => list[list.length - 1].val).join(',');
}
