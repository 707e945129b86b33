// The registry of built-in programs: GenMC's classic SMC benchmark families, each with the sizes
// `npm run bench` runs and GenMC's SC (`-sc`, with `-mo`) complete-execution counts for them, as
// listed in docs/design/benchmarks.md §1 (GenMC v0.11 tests/correct/synthetic/<name>/expected.sc.mo.in).
import type { Params, Program } from '../engine/program.ts';
import lastzero from './genmc/lastzero.ts';
import readers from './genmc/readers.ts';
import indexer from './genmc/indexer.ts';
import casrot from './genmc/casrot.ts';
import ainc from './genmc/ainc.ts';
import binc from './genmc/binc.ts';
import cinc from './genmc/cinc.ts';
import wcas from './genmc/wcas.ts';
import nWriters from './genmc/n-writers.ts';
import rw from './genmc/rw.ts';
import inc from './genmc/inc.ts';
import casw from './genmc/casw.ts';
import coa from './genmc/coa.ts';
import fibBench from './genmc/fib-bench.ts';
import big0 from './genmc/big0.ts';
import szymanski from './genmc/szymanski.ts';
import peterson from './genmc/peterson.ts';
import petersonSc from './genmc/peterson-sc.ts';
import big1 from './genmc/big1.ts';
import big2 from './genmc/big2.ts';

export interface Benchmark {
  program: Program;
  /** The sizes of docs/design/benchmarks.md §1 that `npm run bench` runs. */
  sizes: Params[];
  /** GenMC's SC complete-execution counts for those sizes (docs/design/benchmarks.md §1), in the same order. */
  expected: number[];
  /** Takes minutes (millions of executions): a bench may leave it out unless asked for. */
  heavy?: boolean;
  /** The size `mmcheck bench --jobs N` times on one thread and on N (issue 11's speed-up programs). */
  jobsSize?: Params;
}

const ns = (...n: number[]): Params[] => n.map((N) => ({ N }));

export const benchmarks: Benchmark[] = [
  { program: lastzero, sizes: ns(5, 10, 15), expected: [64, 3_328, 147_456], jobsSize: { N: 15 } },
  { program: readers, sizes: ns(2, 8, 13), expected: [4, 256, 8_192], jobsSize: { N: 15 } },
  { program: indexer, sizes: ns(12, 15), expected: [8, 4_096] },
  { program: casrot, sizes: ns(2, 3, 4, 5, 6, 7, 8, 9), expected: [2, 5, 14, 43, 144, 523, 2_048, 8_597] },
  { program: ainc, sizes: ns(2, 3, 4, 5, 6, 7), expected: [2, 6, 24, 120, 720, 5_040] },
  { program: binc, sizes: ns(2, 3, 4), expected: [4, 36, 576] },
  { program: cinc, sizes: ns(2, 3, 4), expected: [8, 216, 13_824] },
  { program: wcas, sizes: ns(2, 3, 4, 5, 6, 7, 8, 9), expected: [5, 13, 33, 81, 193, 449, 1_025, 2_305] },
  { program: nWriters, sizes: ns(4), expected: [720] },
  { program: rw, sizes: ns(2, 3, 4), expected: [4, 36, 576] },
  { program: inc, sizes: ns(2, 3, 4), expected: [4, 36, 576] },
  { program: casw, sizes: ns(2, 3, 4, 5), expected: [6, 66, 1_200, 32_880] },
  { program: coa, sizes: ns(1, 2, 3, 4, 5), expected: [4, 15, 130, 2_028, 49_776] },
  { program: fibBench, sizes: [{ NUM: 5 }], expected: [218_243], jobsSize: { NUM: 5 } },
  { program: big0, sizes: [{}], expected: [69_112] },
  { program: szymanski, sizes: [{ N: 1 }], expected: [6] },
  { program: peterson, sizes: [{}], expected: [4] },
  { program: petersonSc, sizes: [{}], expected: [4] },
  // Throughput programs (docs/design/benchmarks.md §2): minutes, not seconds.
  { program: big1, sizes: [{}], expected: [1_820_474], heavy: true, jobsSize: {} },
  { program: big2, sizes: [{}], expected: [5_284_890], heavy: true },
];

export const programs: Program[] = benchmarks.map((b) => b.program);

/** A program by its name (as `mmcheck check <name>` takes it). */
export function findProgram(name: string): Program | undefined {
  return programs.find((p) => p.name === name);
}
