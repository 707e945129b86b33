// Where a handed-off part of a search (steal.ts) stands in the order one run explores the tree.
//
// A task is the root search, or alternatives an explorer handed off (Explorer.handOff) while
// exploring a task: its path is its parent's path plus the number of the hand-off (1, 2, … in the
// parent task). An explorer always hands off the alternatives it would explore last, so everything
// it explores itself afterwards comes before them, and the later a hand-off, the earlier its
// subtrees: one run explores task T's own part (what T's explorer explored itself), then T's
// hand-offs from the last to the first, each with its own hand-offs in the same way.

/**
 * <0 if task a's own part comes before task b's in the search order, >0 if after, 0 if a is b.
 * A task's own part comes before its hand-offs; of two hand-offs of one task, the later first.
 */
export function cmpTask(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; ; i++) {
    if (i === a.length) return i === b.length ? 0 : -1;
    if (i === b.length) return 1;
    if (a[i] !== b[i]) return a[i] > b[i] ? -1 : 1;
  }
}
