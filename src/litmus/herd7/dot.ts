// herd7's `-show`/`-o`: the executions of a test that `-show` selects, as Graphviz dot graphs
// (one `digraph` per execution; events in one cluster per thread, with po, rf, co and fr edges
// as graphOf builds them for the viewer). herd7's figure-layout options (the `graph`, `squished`,
// `fontsize`, `edgeattr` … lines of linux-kernel.cfg) are accepted and not applied.
import type { Quantifier } from '../ast.ts';
import type { Capture } from '../run.ts';
import type { Setup } from '../setup.ts';
import { graphOf, keptOf, type Kept } from '../trace.ts';
import type { LitmusExecution } from '../../trace-format/index.ts';

export type ShowMode = 'none' | 'prop' | 'neg' | 'cond' | 'wit' | 'all';
export const SHOW_MODES: readonly ShowMode[] = ['prop', 'all', 'neg', 'cond', 'none', 'wit'];

/** Whether herd7 shows an execution (herd/top_herd.ml): `ok` = it satisfies the proposition. */
export function shown(mode: ShowMode, quant: Quantifier, ok: boolean): boolean {
  switch (mode) {
    case 'prop': return ok;
    case 'neg': return !ok;
    case 'cond': return quant === '~exists' ? !ok : ok;
    case 'wit': return quant === 'forall' ? !ok : ok;
    case 'all': return true;
    case 'none': return false;
  }
}

/** Keeps the executions `mode` selects (at most `limit`, herd7's -nshow). */
export class DotCollector {
  readonly kept: Kept[] = [];
  private setup: Setup | null = null;
  constructor(
    private readonly mode: ShowMode,
    private readonly limit: number | null,
  ) {}
  readonly capture: Capture = (sat, x, out, look, s) => {
    this.setup = s;
    if (!shown(this.mode, s.test.quant, sat)) return;
    if (this.limit !== null && this.kept.length >= this.limit) return;
    this.kept.push(keptOf(sat, x, out, look, s));
  };

  /** The dot text of the kept executions of test `name`. */
  dot(name: string): string {
    const s = this.setup;
    if (!s) return '';
    return this.kept.map((k, i) => graphDot(`${name}${this.kept.length > 1 ? ` (${i + 1}/${this.kept.length})` : ''}`, graphOf(s, k, 'execution'))).join('\n');
  }
}

const COLOR: Record<string, string> = { po: 'black', rf: 'red', co: 'blue', fr: '"#ffa040"' };
const q = (s: string): string => JSON.stringify(s);

function graphDot(title: string, g: LitmusExecution): string {
  const lines = ['digraph G {', `  label=${q(`${title}: ${g.label ?? ''}`)};`, '  node [shape=none];'];
  const byThread = new Map<number, LitmusExecution['events']>();
  for (const e of g.events) byThread.set(e.tid, [...(byThread.get(e.tid) ?? []), e]);
  const letter = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : `e${i}`);
  const label = new Map<string, string>();
  g.events.forEach((e, i) => {
    const what = e.kind === 'F' ? `F[${e.annotation}]` : `${e.kind}[${e.annotation}]${e.loc ?? ''}=${e.value}`;
    label.set(e.id, `${letter(i)}: ${what}`);
  });
  for (const [tid, evs] of [...byThread].sort((a, b) => a[0] - b[0])) {
    if (tid < 0) {
      for (const e of evs) lines.push(`  ${e.id} [label=${q(label.get(e.id)!)}];`);
      continue;
    }
    lines.push(`  subgraph cluster_proc${tid} { label=${q(`P${tid}`)};`);
    for (const e of evs.slice().sort((a, b) => a.poIndex - b.poIndex)) lines.push(`    ${e.id} [label=${q(label.get(e.id)!)}];`);
    lines.push('  }');
  }
  for (const ed of g.edges) lines.push(`  ${ed.from} -> ${ed.to} [label=${ed.type}, color=${COLOR[ed.type]}, fontcolor=${COLOR[ed.type]}];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
