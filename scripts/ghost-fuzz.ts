// Differential run of ghosts (docs/design/exploration.md §3.2) on many random CAS-loop programs,
// beyond what test/engine/stall.test.ts runs each time: every program is explored with ghosts,
// with stalling alone and with neither, and compared with brute force (agree() in
// test/engine/cas-programs.ts). Prints each failing program and a summary; exit 1 on a failure.
// Usage: node --import tsx scripts/ghost-fuzz.ts [--threads 4] [--steps 8] [--seed 102] [--runs 500] [--model sc|tso]
//   [--max-leaves 5000]: skip a program whose search without stalling has more leaves (brute force is slow there)
import fc from 'fast-check';
import { agree, casPrograms } from '../test/engine/cas-programs.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const threads = Number(opt('threads', '4'));
const steps = Number(opt('steps', '8'));
const seed = Number(opt('seed', '102'));
const runs = Number(opt('runs', '500'));
const model = opt('model', 'sc') as 'sc' | 'tso';
const maxLeaves = Number(opt('max-leaves', '5000'));

const progs = fc.sample(casPrograms(threads, steps), { numRuns: runs, seed });
let failed = 0, skipped = 0, moreBlocked = 0;
const t0 = Date.now();
for (let i = 0; i < progs.length; i++) {
  try {
    if (!agree(progs[i], model, maxLeaves)) skipped++;
    if (process.env.FUZZ_PROGRESS && i % 50 === 49) console.log(`${i + 1} done, ${failed} failed, ${moreBlocked} with more blocked executions, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    const m = (e as Error).message.split('\n')[0];
    // The last two checks of agree() are about how many blocked executions are explored, not
    // about which: counted apart (every complete and blocked execution was checked before them).
    if (/explored more blocked executions/.test(m)) moreBlocked++;
    else failed++;
    console.log(`#${i}: ${m}`);
  }
}
console.log(`${model} threads<=${threads} steps<=${steps} seed ${seed}: ${progs.length} programs, ${skipped} skipped (over ${maxLeaves} leaves without stalling), ${failed} failed, ${moreBlocked} with more blocked executions, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
