/// <reference lib="dom" />
// The trace viewer page: loads a trace (./trace.json as `mmcheck view` serves it, ?trace=URL, or a
// file the user opens or drops), refuses unknown schemas/versions, and renders a scenario trace
// as a step table with a cursor and the model's state, or a litmus trace as execution graphs.
import { checkTrace, type AnyTrace, type LitmusTrace, type ScenarioTrace } from '../trace-format/index.ts';
import { deriveState, invariantHeading, pteNone, rfSource, type Cell, type StepState, type WaitView } from './state.ts';
import { litmusSvg } from './litmus-graph.ts';

const esc = (s: unknown): string => String(s ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const lockClass = (c: Cell): string => (c.data === true ? 'locked' : '');
const $ = <T extends HTMLElement = HTMLElement>(sel: string): T | null => document.querySelector<T>(sel);

function setStatus(state: 'loading' | 'ready' | 'refused' | 'error'): void {
  document.body.dataset.state = state;
}

function showProblem(kind: 'refused' | 'error', title: string, detail: string): void {
  const app = $('#app')!;
  app.innerHTML = `<div class="problem ${kind}" id="problem" role="alert"><h2>${esc(title)}</h2><p class="detail">${esc(detail)}</p>` +
    '<p class="hint">Open another file with the button above, or drop one on the page.</p></div>';
  $('#title')!.textContent = 'mmcheck trace viewer';
  setStatus(kind);
}

function load(text: string, source: string): void {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    showProblem('error', `${source} is not JSON`, (e as Error).message);
    return;
  }
  const r = checkTrace(data);
  if (!r.ok) {
    showProblem('refused', `Cannot show ${source}`, r.error);
    return;
  }
  render(r.trace);
}

function render(t: AnyTrace): void {
  document.onkeydown = null;
  if (t.kind === 'scenario') renderScenario(t);
  else renderLitmus(t);
  setStatus('ready');
}

// ---- scenario traces -------------------------------------------------------------------------

function val(c: Cell | null, extra = ''): string {
  if (!c) return '<span class="val missing">—</span>';
  const cls = ['val', c.changed ? 'changed' : '', c.read ? 'read' : '', extra].filter(Boolean).join(' ');
  const title = `${c.name}${c.changed && c.before !== null ? `: was ${c.before}` : ''}${c.read ? ' (read by this step)' : ''}`;
  return `<span class="${cls}" data-loc="${esc(c.name)}" title="${esc(title)}">${esc(c.value)}</span>`;
}

function kv(label: string, c: Cell | null, extra = ''): string {
  return `<span class="kv"><span class="k">${esc(label)}</span> ${val(c, extra)}</span>`;
}

function cellsTable(cells: Cell[]): string {
  return `<table class="cells">${cells.map((c) => `<tr><th>${esc(c.label || c.name)}</th><td>${val(c)}</td></tr>`).join('')}</table>`;
}

function section(id: string, title: string, body: string): string {
  return body ? `<section class="panel" id="${id}"><h3>${esc(title)}</h3>${body}</section>` : '';
}

function rfLine(t: ScenarioTrace, cursor: number): string {
  const src = rfSource(t, cursor);
  const s = t.steps[cursor];
  if (src === null || !s.readsFrom && src !== -1) return '';
  if (src === -1) return '<div class="rf">reads the initial value</div>';
  const w = t.steps[src];
  return `<div class="rf">reads the value ${esc(w.thread)} wrote at step ${src}${w.fn ? ` (<code>${esc(w.fn)}</code>)` : ''}</div>`;
}

function waitDetail(w: WaitView): string {
  const here = w.returnsFrom ? ` — the wait on ${esc(w.returnsFrom)} returns at this step` : '';
  if (w.waitingFor.length) return `${here} — held up by ${esc(w.waitingFor.join(', '))}`;
  if (!w.pending) return here;
  if (w.kind === 'IPI' || w.kind === 'TLB flush') return `${here} — no other CPU has IRQs off, so the IPI is taken at once (RCU readers with IRQs on do not hold it up)`;
  if (w.kind === 'broadcast invalidation') return `${here} — no other CPU has a hardware access in flight, so the invalidation completes at once`;
  return `${here} — no reader seen so far`;
}

function renderState(t: ScenarioTrace, s: StepState): string {
  const out: string[] = [];
  const step = s.step;
  // What this step did.
  if (!step) {
    out.push('<div class="now"><div class="now-title">Initial state</div><div class="now-text">before any step</div></div>');
  } else {
    const changes = step.wrote.map((l) => {
      const before = step.index > 0 ? t.steps[step.index - 1].memory[l] : t.locations[l].initText;
      // What the step did to the memory's lifetime: t.free() ends it, t.alloc() starts a new one.
      const life = step.life?.freed.includes(l) ? ' <span class="life freed">memory freed</span>'
        : step.life?.allocated.includes(l) ? ' <span class="life allocated">memory allocated</span>' : '';
      return `<li><code>${esc(t.locations[l].name)}</code>: ${esc(before)} → <b>${esc(step.memory[l])}</b>${life}</li>`;
    });
    out.push(`<div class="now"><div class="now-title">Step ${step.index} · ${esc(step.thread)}${step.fn ? ` · <code>${esc(step.fn)}</code>` : ''}</div>` +
      `<div class="now-text">${esc(step.text)}</div>` +
      rfLine(t, step.index) +
      (changes.length ? `<ul class="changes">${changes.join('')}</ul>` : '') + '</div>');
    if (step.violation && t.violation) {
      out.push(`<div class="violation-here" id="violation-here"><div class="invariant" title="${esc(t.violation.meaning ?? '')}">${esc(invariantHeading(t.violation) ?? t.violation.property)}</div>` +
        `<div class="message">${esc(t.violation.message)}</div></div>`);
    }
  }
  // Page tables.
  const pt: string[] = [];
  const shown = new Set<string>();
  const tableHtml = (name: string): string => {
    const tv = s.tables.find((x) => x.name === name);
    if (!tv) return `<li class="table missing"><b>${esc(name)}</b> (not modelled)</li>`;
    shown.add(name);
    return `<li class="table status-${esc(tv.status.split(' ').join('-'))}" data-table="${esc(name)}"><span class="tname">${tv.kind === 'pte' ? 'PTE table ' : ''}${esc(name)}</span> <span class="badge">${esc(tv.status)}</span> ` +
      (tv.ptl ? kv('ptl', tv.ptl, lockClass(tv.ptl)) : '') +
      tv.fields.map((f) => kv(f.label, f)).join('') +
      `<ul class="entries">${tv.entries.map((e) => `<li class="entry">${esc(e.label)} ${val(e, pteNone(e) ? 'none' : '')}</li>`).join('')}</ul></li>`;
  };
  for (const p of s.pmds) {
    pt.push(`<li class="pmd"><span class="tname">PMD entry <code>${esc(p.cell.name)}</code></span> ${val(p.cell, `pmd-${p.kind}`)} ` +
      (p.lock ? kv('pmd_lock', p.lock, lockClass(p.lock)) : '') +
      (p.table ? `<ul>${tableHtml(p.table)}</ul>` : '') + '</li>');
  }
  const loose = s.tables.filter((x) => !shown.has(x.name) && x.status !== 'kernel page table');
  if (loose.length) pt.push(`<li class="loose"><span class="tname">not reachable from a PMD</span><ul>${loose.map((x) => tableHtml(x.name)).join('')}</ul></li>`);
  for (const k of s.tables.filter((x) => x.status === 'kernel page table')) pt.push(tableHtml(k.name));
  for (const e of s.split) {
    pt.push(`<li class="split" data-entry="${esc(e.name)}"><span class="tname">${esc(e.name)}</span> <span class="badge">64-bit entry as two 32-bit words (PAE)</span> ` +
      kv('high', e.high) + kv('low', e.low) + '</li>');
  }
  out.push(section('pagetables', 'Page tables', pt.length ? `<ul class="tree">${pt.join('')}</ul>` : ''));
  // Folios.
  out.push(section('folios', 'Folios', s.folios.map((f) =>
    `<div class="folio status-${f.status}" data-folio="${esc(f.name)}"><span class="fname">${esc(f.name)}</span> <span class="badge">${f.status === 'free' ? 'in the allocator' : f.status}</span> ` +
    kv('refcount', f.refcount) + (f.pincount !== null ? `<span class="kv"><span class="k">pins</span> <span class="val derived" title="refcount / GUP_PIN_COUNTING_BIAS">${f.pincount}</span></span>` : '') +
    kv('frozen', f.frozen, f.status === 'frozen' ? 'frozen' : '') + (f.freed ? kv('state', f.freed) : '') + (f.gen ? kv('gen', f.gen) : '') +
    f.fields.map((c) => kv(c.label, c)).join('') + '</div>').join('')));
  // CPUs.
  out.push(section('cpus', 'CPUs: IRQs, RCU readers, TLB', s.cpus.map((c) => {
    const irq = c.irqsOff === null ? '' : `<span class="badge ${c.irqsOff ? 'irqs-off' : 'irqs-on'}">IRQs ${c.irqsOff ? 'off' : 'on'}</span>`;
    const rcu = c.readerDepth === null ? '' : c.readerDepth > 0
      ? `<span class="badge reader">RCU reader, depth ${c.readerDepth}${c.readerSince !== null ? ` since step ${c.readerSince}` : ''}</span>` : '<span class="badge quiescent">quiescent</span>';
    return `<div class="cpu" data-cpu="${esc(c.name)}"><span class="cname">${esc(c.name)}</span>${c.thread ? ` <span class="thread">${esc(c.thread)}</span>` : ''} ` +
      `<span class="fn">${c.done ? 'returned' : c.fn ? `in <code>${esc(c.fn)}</code>` : 'not started'}</span> ${irq} ${rcu} ` +
      kv('rcu_irq', c.rcu) + (c.tlb ? kv('TLB', c.tlb) : '') + c.fields.map((f) => kv(f.label, f)).join('') + '</div>';
  }).join('') + (s.waits.length ? `<div class="waits" id="waits"><b>Grace periods / IPIs / TLB flushes</b><ul>${s.waits.map((w) =>
    `<li class="${w.pending ? 'pending' : 'ending'}"><b>${esc(w.thread)}</b> in <code>${esc(w.fn)}</code> since step ${w.since}: ${esc(w.kind)} ${w.pending ? 'pending' : 'completes here'}` +
    waitDetail(w) + '</li>').join('')}</ul></div>` : '')));
  // Locks.
  out.push(section('locks', 'Locks', s.locks.length ? `<ul class="locks">${s.locks.map((l) =>
    `<li class="${l.held ? 'held' : 'free'}"><code>${esc(l.cell.name)}</code> ${val(l.cell, l.held ? 'locked' : '')}${l.held && l.holder ? ` by <b>${esc(l.holder)}</b>${l.since !== null ? ` (since step ${l.since})` : ''}` : ''}</li>`).join('')}</ul>` : ''));
  // Page caches.
  out.push(section('pagecache', 'Page cache', s.mappings.map((m) =>
    `<div class="mapping"><span class="fname">mapping ${esc(m.name)}</span> ${m.fields.map((f) => kv(f.label, f, lockClass(f))).join('')}` +
    `<ul class="entries">${m.slots.map((e) => `<li class="entry">${esc(e.label)} ${val(e)}</li>`).join('')}</ul></div>`).join('')));
  // struct pages.
  out.push(section('pages', 'struct pages', s.pages.map((p) =>
    `<div class="pages"><span class="fname">${esc(p.name)}</span><table class="cells"><tr><th></th>${p.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>` +
    p.rows.map((r) => `<tr><th>page[${esc(r.index)}]</th>${r.cells.map((c) => `<td>${val(c)}</td>`).join('')}</tr>`).join('') + '</table></div>').join('')));
  out.push(section('other', 'Other state', s.other.map((g) => `<div class="group"><span class="fname">${esc(g.group)}</span>${cellsTable(g.cells)}</div>`).join('')));
  if (s.ghost.length) out.push(section('ghost', 'Ghost state (checker bookkeeping)', cellsTable(s.ghost)));
  return out.join('');
}

function renderScenario(t: ScenarioTrace): void {
  const title = t.scenario ? `${t.scenario}${t.variant ? ` / ${t.variant}` : ''}` : t.target;
  $('#title')!.textContent = `mmcheck · ${title}`;
  document.title = `${title} — mmcheck trace`;
  const v = t.violation;
  const head: string[] = [];
  if (t.model !== 'sc') {
    head.push(`<div class="model-note">Under ${esc(t.model.toUpperCase())} the state panel shows, per location, the coherence-latest write so far; a CPU may still read an older value (the step text says which write each read returned).</div>`);
  }
  head.push(`<div class="meta">model <b>${esc(t.model.toUpperCase())}</b> · ${t.steps.length} steps · ${t.threads.length} threads` +
    (Object.keys(t.params).length ? ` · params ${esc(Object.entries(t.params).map(([k, x]) => `${k}=${x}`).join(' '))}` : '') + '</div>');
  if (v) {
    head.push(`<div class="violation-banner" id="violation-banner"><b>VIOLATION</b> (${esc(v.property)})${v.step !== null ? ` at step ${v.step}` : ''}: ` +
      `<span class="invariant" title="${esc(v.meaning ?? '')}">${esc(invariantHeading(v) ?? '')}</span> <span class="message">${esc(v.message)}</span>` +
      (v.step !== null ? ' <button id="goto-violation" type="button">Go to the violation (v)</button>' : '') + '</div>');
  } else {
    head.push('<div class="ok-banner">No violation in this trace.</div>');
  }
  const wm = t.weakMemory;
  if (wm) head.push(`<details class="weak-memory" id="weak-memory"${wm.sc ? '' : ' open'}><summary>${wm.sc ? 'weak memory: none needed (sequentially consistent)' : 'weak memory: stale reads and missing ordering'}</summary><pre>${esc(wm.text.join('\n'))}</pre></details>`);
  const stale = new Set(wm && !wm.sc ? wm.staleReads : []);
  const unorderedFrom = new Map((wm && !wm.sc ? wm.unordered : []).map((u) => [u.from, u]));
  if (t.replay) {
    head.push(`<div class="replay"><span class="k">replay</span> <code id="replay-cmd">${esc(t.replay)}</code> <button id="copy-replay" type="button">Copy</button> <span id="copy-status" aria-live="polite"></span></div>`);
  }
  const threads = t.threads;
  const rows: string[] = [];
  rows.push(`<tr class="step-row init" data-index="-1"><td class="idx">init</td><td colspan="${threads.length}" class="init-cell">initial state</td></tr>`);
  const lastFn = new Map<number, string | null>();
  for (const s of t.steps) {
    const cells = threads.map((th) => {
      if (th.tid !== s.tid) return '<td class="empty"></td>';
      const repeated = s.fn !== null && lastFn.get(s.tid) === s.fn;
      lastFn.set(s.tid, s.fn);
      const text = s.kind === 'end' ? 'returns' : s.text;
      const un = unorderedFrom.get(s.index);
      return `<td class="act kind-${s.kind}">${s.fn ? `<div class="fn${repeated ? ' repeated' : ''}">${esc(s.fn)}</div>` : ''}<div class="text">${esc(text)}</div>` +
        (stale.has(s.index) ? '<div class="row-weak stale">stale read: an overwritten value (weak memory)</div>' : '') +
        (un ? `<div class="row-weak unordered">not ordered before step ${un.to}; ${esc(un.fixes.join(', '))} would order it</div>` : '') +
        (s.violation && v ? `<div class="row-invariant">${esc(invariantHeading(v) ?? v.property)}</div>` : '') + '</td>';
    });
    rows.push(`<tr class="step-row${s.violation ? ' violation' : ''}${stale.has(s.index) ? ' stale-read' : ''}" data-index="${s.index}" data-tid="${s.tid}"><td class="idx">${s.index}</td>${cells.join('')}</tr>`);
  }
  $('#app')!.innerHTML = `<div class="scenario-head">${head.join('')}</div>` +
    '<div class="help">Click a row or use ↑/↓ (also j/k), Home/End, v for the violation. Changed values are <span class="val changed">highlighted</span>, the location read is <span class="val read">outlined</span>, the row of the write it read from is marked <span class="rf-mark">▸</span>.</div>' +
    '<div class="layout"><div class="steps-wrap"><table class="steps" id="steps"><thead><tr><th>#</th>' +
    threads.map((th) => `<th data-tid="${th.tid}"><div>${esc(th.name)}</div><div class="th-state"></div></th>`).join('') + `</tr></thead><tbody>${rows.join('')}</tbody></table></div>` +
    '<aside class="state" id="state"></aside></div>';

  let cursor = -1;
  const rowEls = [...document.querySelectorAll<HTMLTableRowElement>('#steps tr.step-row')];
  const go = (i: number): void => {
    cursor = Math.max(-1, Math.min(t.steps.length - 1, i));
    const src = rfSource(t, cursor);
    for (const r of rowEls) {
      r.classList.toggle('current', Number(r.dataset.index) === cursor);
      r.classList.toggle('rf-source', Number(r.dataset.index) === src);
    }
    const cur = rowEls[cursor + 1];
    cur?.scrollIntoView({ block: 'nearest' });
    const st = deriveState(t, cursor);
    $('#state')!.innerHTML = renderState(t, st);
    // Each CPU column's header: what that CPU is doing at the cursor.
    for (const th of document.querySelectorAll<HTMLElement>('#steps thead th[data-tid]')) {
      const c = st.cpus.find((x) => x.thread === t.threads[Number(th.dataset.tid)]?.name);
      const box = th.querySelector<HTMLElement>('.th-state')!;
      if (!c) { box.textContent = ''; continue; }
      const bits = [c.done ? 'returned' : c.fn ?? 'not started'];
      if (c.irqsOff) bits.push('IRQs off');
      if ((c.readerDepth ?? 0) > 0) bits.push(`RCU reader ${c.readerDepth}`);
      const held = st.locks.filter((l) => l.held && l.holder === c.thread).map((l) => l.cell.name);
      if (held.length) bits.push(`holds ${held.join(', ')}`);
      box.textContent = bits.join(' · ');
    }
    document.body.dataset.cursor = String(cursor);
  };
  $('#steps')!.addEventListener('click', (e) => {
    const tr = (e.target as HTMLElement).closest<HTMLTableRowElement>('tr.step-row');
    if (tr) go(Number(tr.dataset.index));
  });
  document.onkeydown = (e: KeyboardEvent): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if ((e.target as HTMLElement | null)?.closest?.('input, select, textarea')) return;
    const k = e.key;
    if (k === 'ArrowDown' || k === 'ArrowRight' || k === 'j') go(cursor + 1);
    else if (k === 'ArrowUp' || k === 'ArrowLeft' || k === 'k') go(cursor - 1);
    else if (k === 'Home') go(-1);
    else if (k === 'End') go(t.steps.length - 1);
    else if (k === 'PageDown') go(cursor + 10);
    else if (k === 'PageUp') go(cursor - 10);
    else if ((k === 'v' || k === 'V') && v && v.step !== null) go(v.step);
    else return;
    e.preventDefault();
  };
  $('#goto-violation')?.addEventListener('click', () => { if (v && v.step !== null) go(v.step); });
  $('#copy-replay')?.addEventListener('click', () => { void copyReplay(t.replay ?? ''); });
  go(-1);
}

async function copyReplay(text: string): Promise<void> {
  const status = $('#copy-status');
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    ok = document.execCommand('copy');
    ta.remove();
  }
  if (status) status.textContent = ok ? 'copied' : 'copy failed: select the command by hand';
  document.body.dataset.copied = ok ? 'yes' : 'no';
}

// ---- litmus traces ---------------------------------------------------------------------------

function renderLitmus(t: LitmusTrace): void {
  $('#title')!.textContent = `mmcheck · litmus ${t.test}`;
  document.title = `${t.test} — mmcheck litmus`;
  const parts: string[] = [];
  parts.push(`<div class="scenario-head"><div class="meta">litmus test <b>${esc(t.test)}</b> · <code>${esc(t.path)}</code>${t.model ? ` · model <b>${esc(t.model)}</b>` : ''}` +
    ` · verdict <b class="verdict" id="verdict">${esc(t.verdict)}</b></div>` +
    (t.condition ? `<div class="condition">condition <code>${esc(t.condition)}</code></div>` : '') + '</div>');
  if (t.executions.length === 0) parts.push('<p>No execution to show.</p>');
  t.executions.forEach((x, i) => {
    const fin = x.final ? Object.entries(x.final).map(([k, v]) => `${k}=${v}`).join('; ') : '';
    parts.push(`<section class="execution" data-kind="${esc(x.kind)}"><h2>Execution ${i + 1}: ${esc(x.kind)}${x.label ? ` — <code>${esc(x.label)}</code>` : ''}</h2>` +
      (fin ? `<div class="final">final: <code>${esc(fin)}</code></div>` : '') +
      (x.explanation ? `<pre class="explanation">${esc(x.explanation.text.join('\n'))}</pre>` : '') +
      `<div class="graph">${litmusSvg(x, t.threads)}</div></section>`);
  });
  $('#app')!.innerHTML = parts.join('');
}

// ---- loading ---------------------------------------------------------------------------------

async function start(): Promise<void> {
  setStatus('loading');
  const input = $<HTMLInputElement>('#file-input');
  input?.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void f.text().then((s) => load(s, f.name));
  });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files?.[0];
    if (f) void f.text().then((s) => load(s, f.name));
  });
  const params = new URLSearchParams(location.search);
  if (location.protocol === 'file:' && !params.has('trace')) {
    showProblem('error', 'No trace loaded', 'Open a trace file (written by mmcheck check --trace FILE) with the button above, or run: mmcheck view FILE');
    return;
  }
  // `mmcheck view DIR` serves several traces: traces.json lists them, and a picker switches.
  let url = params.get('trace');
  try {
    const r = await fetch('traces.json', { cache: 'no-store' });
    if (r.ok) {
      const list = (await r.json()) as { name: string; title: string; url: string }[];
      url ??= list[0]?.url ?? null;
      if (list.length > 1) picker(list, url);
    }
  } catch {
    // A plain static host: just trace.json.
  }
  url ??= 'trace.json';
  try {
    const r = await fetch(url, { cache: 'no-store' });
    if (!r.ok) throw new Error(`HTTP ${r.status} for ${url}`);
    load(await r.text(), r.headers.get('x-trace-name') ?? url);
  } catch (e) {
    showProblem('error', 'Could not load the trace', (e as Error).message);
  }
}

function picker(list: { name: string; title: string; url: string }[], current: string | null): void {
  const sel = document.createElement('select');
  sel.id = 'trace-picker';
  sel.title = 'traces in this directory';
  for (const t of list) {
    const o = document.createElement('option');
    o.value = t.url;
    o.textContent = `${t.name} — ${t.title}`;
    o.selected = t.url === current;
    sel.appendChild(o);
  }
  sel.addEventListener('change', () => {
    location.search = `?trace=${encodeURIComponent(sel.value)}`;
  });
  $('header.top h1')!.after(sel);
}

void start();
