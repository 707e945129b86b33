// The viewer's pure parts in Node: trace checks, the state derived from the trace's typed objects
// and values (never from its display strings), and the litmus SVG. Traces come from the CLI
// (mmcheck check --trace), so these follow the kernel model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { checkTrace, type LitmusTrace, type ScenarioTrace } from '../../src/trace-format/index.ts';
import { deriveState, invariantHeading, rfSource, type StepState } from '../../src/viewer/state.ts';
import { litmusSvg } from '../../src/viewer/litmus-graph.ts';
import { CLI, ROOT } from './harness.ts';

const VARIANTS: [string, string][] = [
  ['gup-fast-vs-zap', 'no-pte-recheck'],
  ['table-free-vs-gup-fast', 'immediate-pte-free'],
  ['page-ref-freeze', 'freeze-load-compare-store'],
  ['filemap-lookup-vs-truncate', 'no-xas-reload'],
  ['table-free-vs-pte-offset-map', 'ipi-then-free'],
  ['hvo-vs-speculative-walker', 'no-synchronize-rcu'],
  ['pae-ptep-get-lockless', 'two-loads-low-high'],
  ['free-swap-and-cache-vs-swapoff', 'pre-fix'],
  ['table-free-vs-hardware-walker', 'free-before-flush'],
];
let dir = '';
const traces = new Map<string, ScenarioTrace>();

function run(args: string[]): Promise<number> {
  return new Promise((ok) => spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'ignore' }).on('exit', (c) => ok(c ?? -1)));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-viewer-state-'));
  // Two at a time (the machines have two cores).
  for (let i = 0; i < VARIANTS.length; i += 2) {
    await Promise.all(VARIANTS.slice(i, i + 2).map(async ([s, v]) => {
      const f = join(dir, `${s}--${v}.json`);
      assert.equal(await run(['check', s, '--variant', v, '--trace', f]), 1, `${s} --variant ${v} violates`);
      traces.set(`${s}/${v}`, JSON.parse(readFileSync(f, 'utf8')) as ScenarioTrace);
    }));
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('checkTrace accepts the CLI traces and the litmus fixture, refuses unknown schema, kind and version', () => {
  for (const t of traces.values()) assert.equal(checkTrace(t).ok, true);
  const mp = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/MP+poonceonces.litmus-trace.json'), 'utf8'));
  assert.equal(checkTrace(mp).ok, true);
  const t = traces.get('gup-fast-vs-zap/no-pte-recheck')!;
  const v3 = checkTrace({ ...t, version: 3 });
  assert.equal(v3.ok, false);
  assert.match((v3 as { error: string }).error, /unsupported scenario trace version 3: this viewer reads version 2/);
  // Version 1 (no typed objects) is refused with the command that writes the trace again.
  const v1 = checkTrace({ ...t, version: 1 });
  assert.match((v1 as { error: string }).error, /unsupported scenario trace version 1: .*write the trace again with this mmcheck: mmcheck replay gup-fast-vs-zap .*--trace FILE/);
  const badObj = structuredClone(t);
  badObj.objects[0].fields.extra = 9999;
  assert.match((checkTrace(badObj) as { error: string }).error, /names a location that does not exist/);
  assert.match((checkTrace({ ...t, kind: 'movie' }) as { error: string }).error, /unknown trace kind "movie"/);
  assert.match((checkTrace({ ...t, schema: 'other' }) as { error: string }).error, /not an mmcheck trace/);
  assert.match((checkTrace([1, 2]) as { error: string }).error, /not a JSON object/);
  const badEdge = structuredClone(mp);
  badEdge.executions[0].edges.push({ type: 'rf', from: 'a', to: 'zz' });
  assert.match((checkTrace(badEdge) as { error: string }).error, /names an event that does not exist/);
  const hb = structuredClone(mp);
  hb.executions[0].edges.push({ type: 'hb', from: 'a', to: 'b' });
  assert.match((checkTrace(hb) as { error: string }).error, /unsupported edge type "hb"/);
});

test('gup-fast-vs-zap: page table, folio, CPUs and locks at the violation', () => {
  const t = traces.get('gup-fast-vs-zap/no-pte-recheck')!;
  const vs = t.violation!.step!;
  const s = deriveState(t, vs);
  assert.equal(s.step!.violation, true);
  assert.deepEqual(s.pmds.map((p) => [p.cell.name, p.table, p.lock?.name]), [['*pmd', 'T0', 'pmd_lock']]);
  assert.equal(s.tables.length, 1);
  assert.equal(s.tables[0].status, 'attached');
  assert.equal(s.tables[0].entries[0].value, 'none');
  const f = s.folios.find((x) => x.name === 'F')!;
  assert.equal(f.refcount!.value, '2');
  assert.equal(f.pincount, 0);
  assert.equal(f.status, 'allocated');
  const cpu0 = s.cpus.find((c) => c.name === 'cpu0')!;
  assert.equal(cpu0.irqsOff, true);
  assert.equal(cpu0.readerDepth, 1);
  assert.equal(cpu0.thread, 'CPU0');
  assert.ok(s.locks.some((l) => l.cell.name === 'T0.ptl'));
  assert.deepEqual(s.other, [], 'everything in this scenario is recognised');
  assert.equal(invariantHeading(t.violation), 'I8 — GUP validity.');
  assert.match(t.violation!.meaning!, /GUP-fast returns/, 'the invariant\'s meaning comes from the kernel model');
  assert.deepEqual(t.objects.map((o) => o.kind).sort(), ['cpu', 'cpu', 'cpu', 'folio', 'mm', 'pagetable']);
});

test('the state marks what a step changed and who holds a lock', () => {
  const t = traces.get('gup-fast-vs-zap/no-pte-recheck')!;
  const ptl = t.locations.find((l) => l.name === 'T0.ptl')!.id;
  const lockStep = t.steps.findIndex((st) => st.op === 'lock' && st.loc === ptl);
  assert.ok(lockStep >= 0);
  const s = deriveState(t, lockStep);
  const l = s.locks.find((x) => x.cell.name === 'T0.ptl')!;
  assert.equal(l.held, true);
  assert.equal(l.holder, t.steps[lockStep].thread);
  assert.equal(l.cell.changed, true);
  assert.equal(l.cell.before, 'unlocked');
  const init = deriveState(t, -1);
  assert.equal(init.step, null);
  assert.ok(init.tables[0].entries.every((e) => !e.changed));
});

test('freed tables, frozen folios, page caches and struct pages are recognised', () => {
  const freed = traces.get('table-free-vs-gup-fast/immediate-pte-free')!;
  const s1 = deriveState(freed, freed.violation!.step!);
  assert.equal(s1.tables.find((x) => x.name === 'T0')!.status, 'freed');
  // The step that freed T0's entries says so, and the violation names the access it is reported at.
  const T0 = freed.objects.find((o) => o.kind === 'pagetable' && o.name === 'T0')!;
  assert.equal(T0.invariant, 'I1');
  const freeing = freed.steps.filter((st) => st.life?.freed.some((l) => (T0.fields.entries as number[]).includes(l)));
  assert.ok(freeing.length > 0 && freeing.every((st) => st.op === 'free'));
  assert.equal(freed.violation!.at, freed.violation!.step);
  const frz = traces.get('page-ref-freeze/freeze-load-compare-store')!;
  const frozenAt = frz.steps.findIndex((_, i) => deriveState(frz, i).folios.some((f) => f.status === 'frozen'));
  assert.ok(frozenAt >= 0);
  const F = frz.objects.find((o) => o.kind === 'folio' && o.name === 'F')!;
  assert.equal(typeof frz.steps[frozenAt].values[F.fields.frozen_by as number], 'number', 'frozen_by decodes to the freezing CPU');
  assert.ok('order' in F.fields, 'the scenario\'s F.order is a field of the folio');
  const pc = traces.get('filemap-lookup-vs-truncate/no-xas-reload')!;
  const s3 = deriveState(pc, -1);
  assert.ok(s3.mappings.some((m) => m.name === 'A' && m.slots.length > 0));
  const hvo = traces.get('hvo-vs-speculative-walker/no-synchronize-rcu')!;
  const s4 = deriveState(hvo, hvo.violation!.step!);
  assert.ok(s4.pages.some((p) => p.name === 'vmemmap page A' && p.columns.includes('_refcount')));
  // Whatever is not recognised still renders, as a plain group.
  assert.equal(s4.tables.find((x) => x.name === 'vmemmap_pte')?.status, 'kernel page table');
  const pae = traces.get('pae-ptep-get-lockless/two-loads-low-high')!;
  const s5 = deriveState(pae, -1);
  assert.deepEqual(s5.split.map((e) => [e.name, e.high.value, e.low.value]), [['pte', '0x1', '0x11 (present)']]);
  assert.deepEqual(s5.other, []);
});

test('a kernel trace names the file of every function its steps are in (the functions table)', () => {
  for (const [name, t] of traces) {
    for (const st of t.steps) {
      if (st.fn === null || /^\(.+\)$/.test(st.fn)) continue;
      assert.match(t.functions?.[st.fn]?.file ?? '', /^(arch|fs|include|kernel|lib|mm)\/.+\.[ch]$/, `${name}: step ${st.index} in ${st.fn}`);
    }
  }
});

test('waits: a thread inside an IPI/grace-period wait is listed with the readers it waits for', () => {
  const t = traces.get('table-free-vs-pte-offset-map/ipi-then-free')!;
  const w = t.steps.findIndex((st) => st.op === 'await');
  assert.ok(w >= 0);
  const s = deriveState(t, w);
  assert.equal(s.waits.length, 1, JSON.stringify(s.waits));
  assert.equal(s.waits[0].fn, 'smp_call_function'); // tlb_remove_table_sync_one()'s IPI
  assert.equal(s.waits[0].kind, 'IPI');
  assert.equal(s.waits[0].pending, true);
  // The IPI completes although CPU0 is still in rcu_read_lock(): IRQs on, it takes the IPI at once.
  assert.equal(deriveState(t, w - 2).waits[0].since, w - 2);
  assert.equal(s.waits[0].returnsFrom, 'cpu0', 'the wait on cpu0 returns at this step');
  const hvo = traces.get('hvo-vs-speculative-walker/no-synchronize-rcu')!;
  const cpu0word = hvo.locations.find((l) => l.name === 'cpu0.rcu_irq')!.id;
  const flush = hvo.steps.findIndex((st) => st.fn === 'flush_tlb_kernel_range' && st.op === 'await' && st.loc === cpu0word);
  const before = deriveState(hvo, flush - 1).waits.find((x) => x.fn === 'flush_tlb_kernel_range')!;
  assert.equal(before.pending, true);
  // CPU0 is inside rcu_read_lock() with IRQs on: the IPI does not wait for it (the variant's bug).
  const cpu0 = deriveState(hvo, flush - 1).cpus.find((c) => c.name === 'cpu0')!;
  assert.equal(cpu0.readerDepth! > 0 && cpu0.irqsOff === false, true);
  assert.deepEqual(before.waitingFor, []);
});

test('swap devices, swap caches, folio locks and MMU caches are typed objects too', () => {
  const t = traces.get('free-swap-and-cache-vs-swapoff/pre-fix')!;
  const s = deriveState(t, t.violation!.step!);
  // The swap cache is an address space that swapoff() freed (I17): its slots are freed memory.
  const cache = t.objects.find((o) => o.name === 'swapper_spaces[0]')!;
  assert.deepEqual([cache.kind, cache.invariant], ['mapping', 'I17']);
  assert.ok(s.mappings.find((m) => m.name === 'swapper_spaces[0]')!.slots.every((c) => c.data === null));
  // si->lock and the folio's PG_locked are lock words; the folio's swap fields are its fields.
  assert.ok(['swap_info[0].lock', 'A.PG_locked'].every((n) => s.locks.some((l) => l.cell.name === n)));
  assert.ok(['PG_swapcache', 'swap', '_mapcount'].every((f) => s.folios.find((x) => x.name === 'A')!.fields.some((c) => c.label === f)));
  assert.deepEqual(t.objects.filter((o) => ['swap_info', 'swap_map', 'percpu_ref'].includes(o.kind)).map((o) => o.name).sort(),
    ['swap_info[0]', 'swap_info[0].swap_map', 'swap_info[0].users']);
  // An arm64 broadcast invalidation waits for the hardware access in flight on CPU0's MMU.
  const hw = traces.get('table-free-vs-hardware-walker/free-before-flush')!;
  const cpu0 = hw.objects.find((o) => o.kind === 'cpu' && o.name === 'cpu0')!;
  assert.ok('walk_cache' in cpu0.fields && 'hw_access' in cpu0.fields, 'the MMU caches are fields of the CPU');
  const waiting = hw.steps.map((_, i) => deriveState(hw, i).waits.find((w) => w.kind === 'broadcast invalidation' && w.pending));
  assert.ok(waiting.some((w) => w?.waitingFor.includes('cpu0 (access in flight)')), 'the flush is held up by CPU0\'s access');
});

test('rfSource finds the step whose write a read returned', () => {
  const t = traces.get('gup-fast-vs-zap/no-pte-recheck')!;
  const e0 = t.locations.find((l) => l.name === 'T0[0]')!.id;
  const xchg = t.steps.findIndex((st) => st.op === 'rmw' && st.loc === e0);
  const reread = t.steps.findIndex((st) => st.tid === 0 && st.op === 'load' && st.loc === e0 && st.readsFrom?.tid === 1);
  assert.equal(rfSource(t, reread), xchg);
  assert.equal(rfSource(t, 1), -1, 'step 1 reads *pmd from init');
  assert.equal(rfSource(t, xchg - 1), -1, 'spin_lock(T0.ptl) is an rmw of the initial value');
  assert.equal(rfSource(t, t.steps.findIndex((st) => st.kind === 'write')), null, 'a plain write reads nothing');
});

/** What the state means, without the texts it shows. */
function meaning(s: StepState): unknown {
  return {
    pmds: s.pmds.map((p) => [p.kind, p.table, p.lock?.data]),
    tables: s.tables.map((x) => [x.name, x.status, x.pointedBy, x.entries.map((e) => e.data)]),
    folios: s.folios.map((f) => [f.name, f.status, f.pincount, f.refcount?.data]),
    cpus: s.cpus.map((c) => [c.name, c.thread, c.fn, c.done, c.irqsOff, c.readerDepth, c.gen, c.readerSince]),
    locks: s.locks.map((l) => [l.held, l.holder, l.since]),
    mappings: s.mappings.map((m) => m.slots.map((c) => c.data)),
    pages: s.pages.map((p) => p.rows.map((r) => r.cells.map((c) => c?.data))),
    waits: s.waits.map((w) => [w.kind, w.fn, w.since, w.pending, w.waitingFor.length, w.returnsFrom]),
    split: s.split.map((e) => [e.low.data, e.high.data]),
    other: s.other.map((g) => [g.group, g.cells.map((c) => c.data)]),
  };
}

test('rewording every display string changes nothing the viewer understands', () => {
  const reword = (x: string): string => `«${[...x].reverse().join('')}»`;
  for (const [name, t] of traces) {
    const r = structuredClone(t);
    for (const l of r.locations) l.initText = reword(l.initText);
    for (const st of r.steps) {
      st.text = reword(st.text);
      st.memory = st.memory.map(reword);
      if (st.read) st.read.text = reword(st.read.text);
    }
    for (let c = -1; c < t.steps.length; c++) assert.deepEqual(meaning(deriveState(r, c)), meaning(deriveState(t, c)), `${name} at step ${c}`);
  }
});

test('litmus SVG: one arrow per edge, a legend entry per type, a column per thread', () => {
  const mp = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/MP+poonceonces.litmus-trace.json'), 'utf8')) as LitmusTrace;
  const svg = litmusSvg(mp.executions[0], mp.threads);
  const edges = [...svg.matchAll(/class="edge edge-(\w+)" data-type="\w+" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}->${m[3]}`);
  assert.deepEqual(edges.sort(), mp.executions[0].edges.map((e) => `${e.type}:${e.from}->${e.to}`).sort());
  for (const ty of ['po', 'rf', 'co', 'fr']) assert.match(svg, new RegExp(`class="legend-item" data-type="${ty}"`));
  assert.deepEqual([...svg.matchAll(/class="thread-title"[^>]*>([^<]+)</g)].map((m) => m[1]), ['init', 'P0', 'P1']);
});
