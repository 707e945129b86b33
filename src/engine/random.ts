// Random sampling's chooser (`mmcheck check --random N`): a random runnable thread and a random
// consistent choice at every step, from a seedable PRNG so a sample can be repeated.
import type { Chooser } from './explore.ts';
import type { Ev } from './graph.ts';

/** A small, seedable PRNG (mulberry32), so a sample can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random thread and random consistent choice at every step; spinning threads are parked. */
export class RandomChooser implements Chooser {
  readonly parks = true;
  constructor(private readonly rnd: () => number) {}
  thread(runnable: readonly number[]): number {
    return runnable[Math.floor(this.rnd() * runnable.length)];
  }
  order(_e: Ev, c: readonly Ev[]): readonly number[] {
    const idx = c.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx;
  }
}
