// Helpers for the tests of shared-out searches: a result without its timing, and a search run
// as N shards (in this process, one after the other) and merged.
import type { CheckResult } from '../../src/engine/index.ts';
import { checkSplit, mergeShards } from '../../src/engine/parallel/run.ts';
import type { SplitFile } from '../../src/engine/parallel/split-file.ts';
import type { Params, Program } from '../../src/engine/program.ts';

/** What a run prints, less the time it took. */
export function essence(r: CheckResult): unknown {
  return {
    verdict: r.verdict, executions: r.executions, blocked: r.blocked, rejected: r.rejected, cutBy: r.cutBy,
    unordered: r.unordered ?? null, unorderedCut: r.unorderedCut ?? null,
    flags: [...r.flags].sort(),
    violation: r.violation ? { property: r.violation.property, message: r.violation.message, schedule: r.violation.schedule } : null,
    violations: r.violations?.map((c) => ({ key: c.key, count: c.count, message: c.first.message, schedule: c.first.schedule })) ?? null,
  };
}

export interface ShardOptions {
  n: number;
  /** Split tasks to aim for (small: force a split even of a small search). */
  target?: number;
  model: string;
  allViolations: boolean;
  params?: Params;
}

/** Parts the last search `sharded` ran was split into (0: it was not split). */
export let lastParts = 0;

/** Shards n..1 of the search, each file through JSON as `mmcheck merge` reads it, merged. */
export async function sharded(program: Program, o: ShardOptions): Promise<CheckResult> {
  const files: { path: string; file: SplitFile }[] = [];
  for (let i = o.n; i >= 1; i--) {
    const { file } = await checkSplit(program, {
      model: o.model, allViolations: o.allViolations, params: o.params,
      jobs: 1, shard: { index: i, count: o.n }, target: o.target,
    });
    files.push({ path: `shard-${i}.json`, file: JSON.parse(JSON.stringify(file)) as SplitFile });
  }
  lastParts = files[0].file.plan.tasks;
  return mergeShards(program, files);
}
