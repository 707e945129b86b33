// `mmcheck list [--json]`: the scenario catalog (with its variants) and the benchmark programs.
import { catalog } from '../../kernel/catalog.ts';
import { benchmarks } from '../../programs/index.ts';
import type { Parsed } from '../options.ts';
import { catalogJson, out, printCatalog } from '../print.ts';

export function listCmd(p: Parsed): number {
  if (p.opts.json) out(JSON.stringify(catalogJson(catalog, benchmarks), null, 2));
  else printCatalog(catalog, benchmarks);
  return 0;
}
