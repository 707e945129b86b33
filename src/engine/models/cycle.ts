// Cycle detection through the events a step changed: a new cycle in an acyclic relation must
// pass through a changed event, so a DFS from each changed event looking for itself suffices.
// Successors are given by a callback so SC, TSO and coherence share the search.
//
// The search runs once per non-maximal step, so it allocates nothing: one module-level visitor
// shares the state below instead of a closure per call (under tsx, esbuild's keepNames makes
// every closure creation also cost an Object.defineProperty for its name). Visited events carry
// the search's epoch in Ev.mark.
import type { Ev, Graph } from '../graph.ts';

/** Pushes the successors of e (in the model's relation) with `visit`. */
export type Successors = (g: Graph, e: Ev, visit: (x: Ev) => void) => void;

let target: Ev | null = null;
let found = false;
let epoch = 0;
const stack: Ev[] = [];

function visit(x: Ev): void {
  if (x === target) found = true;
  else if (x.mark !== epoch) { x.mark = epoch; stack.push(x); }
}

/** True when some event of `changed` lies on a cycle of the relation given by `succ`. */
export function onCycle(g: Graph, changed: readonly Ev[], succ: Successors): boolean {
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
