// The SVG drawing of one litmus execution: one column of events per thread (init writes in a
// column of their own on the left), events top to bottom in program order, one arrow per edge,
// coloured by type (po, rf, co, fr), with a legend. A forbidden execution's cycle (the edges of
// the model's relations that close it: wmb, rfe, ppo …) is drawn over it, thick, each edge
// labelled with its relation, and the events on it outlined. Returns SVG markup; pure (tested
// in Node).
import type { LitmusEdgeType, LitmusEvent, LitmusExecution } from '../trace-format/index.ts';

export const EDGE_COLORS: Record<LitmusEdgeType, string> = { po: '#555', rf: '#d62728', co: '#1f5fbf', fr: '#e08a00' };
export const CYCLE_COLOR = '#a0128f';
const EDGE_BEND: Record<LitmusEdgeType, number> = { po: 0, rf: 28, co: -34, fr: 40 };
const EDGE_HELP: Record<LitmusEdgeType, string> = {
  po: 'program order', rf: 'reads-from (write → read)', co: 'coherence order (write → later write)', fr: 'from-read (read → overwriting write)',
};

const LEGEND_ITEM = (t: LitmusEdgeType): number => 72 + (t.length + 2 + EDGE_HELP[t].length) * 8;
const BOX_W = 180;
const BOX_H = 40;
const COL_W = 250;
const ROW_H = 100;
const TOP = 70;
const LEFT = 30;

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function eventLabel(e: LitmusEvent): string {
  const ann = e.annotation ? `[${e.annotation}]` : '';
  if (e.kind === 'F') return `${e.id}: F${ann}`;
  return `${e.id}: ${e.kind}${ann} ${e.loc ?? '?'}=${e.value ?? '?'}`;
}

export interface Layout { x: number; y: number }

export function layoutEvents(x: LitmusExecution, threadNames?: string[]): { pos: Map<string, Layout>; columns: { title: string; x: number }[]; width: number; height: number } {
  const tids = [...new Set(x.events.map((e) => e.tid))].sort((a, b) => a - b);
  const col = new Map(tids.map((t, i) => [t, i]));
  const pos = new Map<string, Layout>();
  let maxRow = 0;
  // Rows by rank of poIndex within each thread (poIndex may have gaps).
  for (const t of tids) {
    const evs = x.events.filter((e) => e.tid === t).sort((a, b) => a.poIndex - b.poIndex);
    evs.forEach((e, r) => {
      pos.set(e.id, { x: LEFT + col.get(t)! * COL_W + BOX_W / 2, y: TOP + r * ROW_H + BOX_H / 2 });
      maxRow = Math.max(maxRow, r);
    });
  }
  const columns = tids.map((t) => ({ title: t < 0 ? 'init' : threadNames?.[t] ?? `P${t}`, x: LEFT + col.get(t)! * COL_W + BOX_W / 2 }));
  return { pos, columns, width: LEFT * 2 + Math.max(1, tids.length) * COL_W, height: TOP + (maxRow + 1) * ROW_H + 60 };
}

/** Where the segment from the box centre c towards p leaves the box. */
function exitPoint(c: Layout, p: Layout): Layout {
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : (BOX_W / 2 + 3) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (BOX_H / 2 + 3) / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

export function litmusSvg(x: LitmusExecution, threadNames?: string[]): string {
  const { pos, columns, width: w0, height: h0 } = layoutEvents(x, threadNames);
  const width = Math.ceil(Math.max(w0, legendWidth()));
  const legendY = h0 - 30;
  const height = h0 + (x.explanation ? 24 : 0);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="litmus-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, monospace" font-size="13">`);
  parts.push('<defs>');
  for (const [t, c] of Object.entries(EDGE_COLORS)) {
    parts.push(`<marker id="arrow-${t}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`);
  }
  parts.push(`<marker id="arrow-cycle" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${CYCLE_COLOR}"/></marker>`);
  parts.push('</defs>');
  for (const c of columns) parts.push(`<text class="thread-title" x="${c.x}" y="${TOP - 28}" text-anchor="middle" font-weight="bold">${esc(c.title)}</text>`);
  // Edges first, boxes on top. Each edge is a quadratic curve; its bend is the first of a few
  // candidates whose curve crosses no other event's box (so arrows route around columns).
  const boxes = x.events.map((ev) => ({ id: ev.id, p: pos.get(ev.id)! }));
  const hits = (from: string, to: string, s: Layout, c: Layout, t: Layout): number => {
    let n = 0;
    // Samples of the curve that fall inside another event's box (fewer: the arrow only clips a corner).
    for (let i = 1; i < 40; i++) {
      const u = i / 40;
      const px = (1 - u) * (1 - u) * s.x + 2 * (1 - u) * u * c.x + u * u * t.x;
      const py = (1 - u) * (1 - u) * s.y + 2 * (1 - u) * u * c.y + u * u * t.y;
      for (const b of boxes) {
        if (b.id === from || b.id === to) continue;
        if (Math.abs(px - b.p.x) < BOX_W / 2 + 6 && Math.abs(py - b.p.y) < BOX_H / 2 + 6) n++;
      }
      if (px < 0 || py < 20) n++;
    }
    return n;
  };
  const sameCount = new Map<string, number>();
  /** The curve of an edge: straight when it can be, else the first bend that avoids other boxes. */
  const route = (e: { from: string; to: string }, type: LitmusEdgeType | 'cycle', at = 0.5): { d: string; lx: number; ly: number } | null => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) return null;
    const key = [e.from, e.to].sort().join('|');
    const k = sameCount.get(key) ?? 0;
    sameCount.set(key, k + 1);
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const nx = -(b.y - a.y) / len;
    const ny = (b.x - a.x) / len;
    const sameCol = a.x === b.x;
    const bend0 = type === 'cycle' ? -14 : EDGE_BEND[type];
    const base = sameCol && type !== 'po' ? (type === 'fr' ? -1 : 1) * (BOX_W / 2 + 30 + k * 14) : bend0 + k * 18;
    const candidates = type === 'po' && sameCol && k === 0 ? [0]
      : [base, ...[20, 40, 55, 70, 100, 140, 190].flatMap((d) => [Math.sign(base || 1) * d, -Math.sign(base || 1) * d])];
    let best = { bend: base, n: Infinity, s: a, t: b, ctrl: { x: mx, y: my } };
    for (const bend of candidates) {
      const ctrl = { x: mx + nx * bend * 2, y: my + ny * bend * 2 };
      const s0 = exitPoint(a, bend === 0 ? b : ctrl);
      const t0 = exitPoint(b, bend === 0 ? a : ctrl);
      const n = hits(e.from, e.to, s0, ctrl, t0);
      if (n < best.n) best = { bend, n, s: s0, t: t0, ctrl };
      if (n === 0) break;
    }
    const { bend, s, t, ctrl } = best;
    const d = bend === 0 ? `M${s.x.toFixed(1)},${s.y.toFixed(1)} L${t.x.toFixed(1)},${t.y.toFixed(1)}` : `M${s.x.toFixed(1)},${s.y.toFixed(1)} Q${ctrl.x.toFixed(1)},${ctrl.y.toFixed(1)} ${t.x.toFixed(1)},${t.y.toFixed(1)}`;
    // the label at `at` along the curve (the middle for base edges; cycle labels sit earlier, so
    // that they do not fall on the base edges' labels where the two cross)
    const lx = bend === 0 ? mx + 10 : (1 - at) * (1 - at) * s.x + 2 * (1 - at) * at * ctrl.x + at * at * t.x;
    const ly = bend === 0 ? my : (1 - at) * (1 - at) * s.y + 2 * (1 - at) * at * ctrl.y + at * at * t.y;
    return { d, lx, ly };
  };
  for (const e of x.edges) {
    const r = route(e, e.type);
    if (!r) continue;
    const { d, lx, ly } = r;
    parts.push(`<g class="edge edge-${e.type}" data-type="${e.type}" data-from="${esc(e.from)}" data-to="${esc(e.to)}">` +
      `<title>${e.type}: ${esc(e.from)} → ${esc(e.to)}</title>` +
      `<path d="${d}" fill="none" stroke="${EDGE_COLORS[e.type]}" stroke-width="${e.type === 'po' ? 1.5 : 2}"${e.type === 'fr' ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow-${e.type})"/>` +
      `<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" fill="${EDGE_COLORS[e.type]}" font-size="12" font-weight="bold" text-anchor="middle" dy="4" paint-order="stroke" stroke="#fff" stroke-width="3">${e.type}</text></g>`);
  }
  const onCycle = new Set<string>();
  for (const c of x.explanation?.cycle ?? []) {
    onCycle.add(c.from);
    onCycle.add(c.to);
  }
  for (const ev of x.events) {
    const p = pos.get(ev.id)!;
    const fill = ev.tid < 0 ? '#f2f2f2' : ev.kind === 'W' ? '#fff4e5' : ev.kind === 'R' ? '#e9f2ff' : '#eeeeee';
    const stroke = onCycle.has(ev.id) ? `stroke="${CYCLE_COLOR}" stroke-width="3"` : 'stroke="#333"';
    parts.push(`<g class="event${onCycle.has(ev.id) ? ' on-cycle' : ''}" data-id="${esc(ev.id)}" data-tid="${ev.tid}"><rect x="${p.x - BOX_W / 2}" y="${p.y - BOX_H / 2}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill}" ${stroke}/>` +
      `<text x="${p.x}" y="${p.y + 4}" text-anchor="middle">${esc(eventLabel(ev))}</text></g>`);
  }
  // The cycle, over the boxes: an edge within a thread runs straight down the right edge of the
  // column (over the fences it goes through); between threads it takes a curve like any edge.
  for (const c of x.explanation?.cycle ?? []) {
    const a = pos.get(c.from);
    const b = pos.get(c.to);
    if (!a || !b) continue;
    let d: string;
    let lx: number;
    let ly: number;
    if (a.x === b.x) {
      const xo = a.x + BOX_W / 2 - 14;
      const down = b.y > a.y ? 1 : -1;
      const y0 = a.y + down * (BOX_H / 2 + 2);
      const y1 = b.y - down * (BOX_H / 2 + 3);
      d = `M${xo.toFixed(1)},${y0.toFixed(1)} L${xo.toFixed(1)},${y1.toFixed(1)}`;
      lx = xo + 22;
      ly = (y0 + y1) / 2;
    } else {
      const r = route(c, 'cycle', 0.3);
      if (!r) continue;
      ({ d, lx, ly } = r);
    }
    parts.push(`<g class="cycle-edge" data-rel="${esc(c.rel)}" data-from="${esc(c.from)}" data-to="${esc(c.to)}">` +
      `<title>${esc(c.rel)}: ${esc(c.from)} → ${esc(c.to)} (on the cycle that ${esc(x.explanation!.axiom)} forbids)</title>` +
      `<path d="${d}" fill="none" stroke="${CYCLE_COLOR}" stroke-width="3.5" stroke-opacity="0.8" marker-end="url(#arrow-cycle)"/>` +
      `<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" fill="${CYCLE_COLOR}" font-size="13" font-weight="bold" text-anchor="middle" dy="4" paint-order="stroke" stroke="#fff" stroke-width="4">${esc(c.rel)}</text></g>`);
  }
  // Legend.
  let lx = LEFT;
  parts.push('<g class="legend">');
  for (const t of Object.keys(EDGE_COLORS) as LitmusEdgeType[]) {
    parts.push(`<g class="legend-item" data-type="${t}"><line x1="${lx}" y1="${legendY}" x2="${lx + 34}" y2="${legendY}" stroke="${EDGE_COLORS[t]}" stroke-width="2"${t === 'fr' ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow-${t})"/>` +
      `<text x="${lx + 42}" y="${legendY + 4}">${t}: ${esc(EDGE_HELP[t])}</text></g>`);
    lx += LEGEND_ITEM(t);
  }
  if (x.explanation) {
    parts.push(`<g class="legend-item" data-type="cycle"><line x1="${LEFT}" y1="${legendY + 22}" x2="${LEFT + 34}" y2="${legendY + 22}" stroke="${CYCLE_COLOR}" stroke-width="4" marker-end="url(#arrow-cycle)"/>` +
      `<text x="${LEFT + 42}" y="${legendY + 26}">the cycle ${esc(x.explanation.axiom)} forbids (acyclic ${esc(x.explanation.relation)}), in the model's relations</text></g>`);
  }
  parts.push('</g></svg>');
  return parts.join('');
}

/** Width the legend needs (so the page can widen a narrow graph). */
export function legendWidth(): number {
  return LEFT + (Object.keys(EDGE_HELP) as LitmusEdgeType[]).reduce((n, t) => n + LEGEND_ITEM(t), 0);
}
