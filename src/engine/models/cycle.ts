// Cycle detection through the events a step changed: a new cycle in an acyclic relation must
// pass through a changed event, so a DFS from each changed event looking for itself suffices.
// Successors are given by a callback so SC, TSO and coherence share the search.
import type { Ev, Graph } from '../graph.ts';

let epoch = 1;
const stack: Ev[] = [];

/** Pushes the successors of e (in the model's relation) with `visit`. */
export type Successors = (g: Graph, e: Ev, visit: (x: Ev) => void) => void;

/** True when some event of `changed` lies on a cycle of the relation given by `succ`. */
export function onCycle(g: Graph, changed: readonly Ev[], succ: Successors): boolean {
  for (const c of changed) {
    const mark = ++epoch;
    let found = false;
    stack.length = 0;
    const visit = (x: Ev): void => {
      if (x === c) found = true;
      else if (x.mark !== mark) { x.mark = mark; stack.push(x); }
    };
    succ(g, c, visit);
    while (!found && stack.length) succ(g, stack.pop() as Ev, visit);
    stack.length = 0;
    if (found) return true;
  }
  return false;
}
