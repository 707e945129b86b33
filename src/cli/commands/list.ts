// `mmcheck list [--json]`: the scenario catalog (with its variants) and the benchmark programs.
import { bugs, catalog } from '../../kernel/catalog.ts';
import { invariants } from '../../kernel/invariants.ts';
import { kernelFunctions } from '../../kernel/kfn.ts';
import { bugListJson, printBugList } from '../bug-table.ts';
import { benchmarks } from '../../programs/index.ts';
import type { Parsed } from '../options.ts';
import { catalogJson, out, printCatalog } from '../print.ts';

export function listCmd(p: Parsed): number {
  if (p.opts.bugs) {
    if (p.opts.json) out(JSON.stringify(bugListJson(bugs), null, 2));
    else printBugList(bugs);
  } else if (p.opts.invariants) {
    const all = invariants();
    if (p.opts.json) out(JSON.stringify({ invariants: all }, null, 2));
    else for (const i of all) out(`${i.id.padEnd(4)} ${i.title}\n     ${i.meaning}`);
  } else if (p.opts.functions) {
    const all = kernelFunctions();
    if (p.opts.json) out(JSON.stringify({ functions: all }, null, 2));
    else {
      const w = Math.max(...all.map((f) => f.name.length));
      const fw = Math.max(...all.map((f) => f.file.length));
      for (const f of all) out(`${f.file.padEnd(fw)}  ${f.name.padEnd(w)}  ${f.version}${f.note ? `  (${f.note})` : ''}`);
      out(`\n${all.length} kernel functions modeled.`);
    }
  } else if (p.opts.json) out(JSON.stringify(catalogJson(catalog, benchmarks), null, 2));
  else printCatalog(catalog, benchmarks);
  return 0;
}
