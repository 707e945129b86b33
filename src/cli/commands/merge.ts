// `mmcheck merge shard-*.json`: the result one run of the whole search would print, from the
// files its shards wrote (check --shard I/N --out FILE). It refuses shards of another program,
// parameters, model or mode, and a set with a shard missing or given twice (exit 2, naming the file).
import { mergeShards } from '../../engine/parallel/run.ts';
import { readSplitFile, SplitFileError } from '../../engine/parallel/split-file.ts';
import { UsageError, type Parsed } from '../options.ts';
import { resolveTarget } from '../targets.ts';
import { jsonOf, out, printResult, writeTrace } from '../print.ts';

export async function mergeCmd(p: Parsed): Promise<number> {
  if (p.positional.length === 0) throw new UsageError('usage: mmcheck merge <shard-1.json> … <shard-N.json>');
  const files = p.positional.map((path) => ({ path, file: readSplitFile(path) }));
  const src = files[0].file.source as { target?: string; variant?: string | null };
  if (typeof src.target !== 'string') throw new SplitFileError(`${files[0].path} does not say which program it is of`, files[0].path);
  const [run] = await resolveTarget(src.target, src.variant ?? undefined, false);
  for (const { path, file } of files) {
    const s = file.source as { target?: string; variant?: string | null };
    if (s.target !== src.target || (s.variant ?? null) !== (src.variant ?? null)) {
      throw new SplitFileError(`${path} is a shard of ${s.target}${s.variant ? ` --variant ${s.variant}` : ''}, not of ${src.target}${src.variant ? ` --variant ${src.variant}` : ''}`, path);
    }
  }
  const r = mergeShards(run.program, files);
  const b = { params: r.params, timeout: undefined, maxExecutions: undefined };
  if (p.opts.json) out(JSON.stringify({ results: [jsonOf(run, r, b)] }, null, 2));
  else printResult(run, r, b);
  if (typeof p.opts.trace === 'string' && r.violation) {
    const v = r.violation;
    writeTrace(p.opts.trace, run, r.model, r.params, { instance: r.instance, graph: v.graph, order: v.order, threadNames: v.threadNames, violation: v, schedule: v.schedule });
  }
  return r.verdict === 'violation' ? 1 : 0;
}
