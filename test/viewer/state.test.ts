// The viewer's pure parts in Node: trace checks, the state derived from location names, and the
// litmus SVG. Traces come from the CLI (mmcheck check --trace), so these follow the kernel model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { checkTrace, type LitmusTrace, type ScenarioTrace } from '../../src/trace-format/index.ts';
import { deriveState, parseRcu, rfSource } from '../../src/viewer/state.ts';
import { litmusSvg } from '../../src/viewer/litmus-graph.ts';
import { invariantTitle } from '../../src/viewer/invariants.ts';
import { CLI, ROOT } from './harness.ts';

const VARIANTS: [string, string][] = [
  ['gup-fast-vs-zap', 'no-pte-recheck'],
  ['table-free-vs-gup-fast', 'immediate-pte-free'],
  ['page-ref-freeze', 'freeze-load-compare-store'],
  ['filemap-lookup-vs-truncate', 'no-xas-reload'],
  ['table-free-vs-pte-offset-map', 'ipi-then-free'],
  ['hvo-vs-speculative-walker', 'no-synchronize-rcu'],
  ['pae-ptep-get-lockless', 'two-loads-low-high'],
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
  const v2 = checkTrace({ ...t, version: 2 });
  assert.equal(v2.ok, false);
  assert.match((v2 as { error: string }).error, /unsupported scenario trace version 2/);
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
  assert.deepEqual(s.pmds.map((p) => [p.cell.name, p.table]), [['*pmd', 'T0']]);
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
  assert.equal(invariantTitle(t.violation!.invariant), 'I8 — GUP validity.');
});

test('the state marks what a step changed and who holds a lock', () => {
  const t = traces.get('gup-fast-vs-zap/no-pte-recheck')!;
  const lockStep = t.steps.findIndex((st) => /spin_lock\(T0\.ptl\)/.test(st.text));
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
  const frz = traces.get('page-ref-freeze/freeze-load-compare-store')!;
  const frozenAt = frz.steps.findIndex((st) => st.memory.some((m) => /^frozen by/.test(m)));
  assert.ok(frozenAt >= 0);
  assert.ok(deriveState(frz, frozenAt).folios.some((f) => f.status === 'frozen'));
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
  const w = t.steps.findIndex((st) => /^wait on/.test(st.text));
  assert.ok(w >= 0);
  const s = deriveState(t, w);
  assert.equal(s.waits.length, 1, JSON.stringify(s.waits));
  assert.equal(s.waits[0].fn, 'smp_call_function'); // tlb_remove_table_sync_one()'s IPI
  assert.equal(s.waits[0].kind, 'IPI');
  assert.equal(s.waits[0].pending, true);
  // The IPI completes although CPU0 is still in rcu_read_lock(): IRQs on, it takes the IPI at once.
  assert.equal(deriveState(t, w - 2).waits[0].since, w - 2);
  const hvo = traces.get('hvo-vs-speculative-walker/no-synchronize-rcu')!;
  const flush = hvo.steps.findIndex((st) => st.fn === 'flush_tlb_kernel_range' && /^wait on cpu0/.test(st.text));
  const before = deriveState(hvo, flush - 1).waits.find((x) => x.fn === 'flush_tlb_kernel_range')!;
  assert.equal(before.pending, true);
  // CPU0 is inside rcu_read_lock() with IRQs on: the IPI does not wait for it (the variant's bug).
  const cpu0 = deriveState(hvo, flush - 1).cpus.find((c) => c.name === 'cpu0')!;
  assert.equal(cpu0.readerDepth! > 0 && cpu0.irqsOff === false, true);
  assert.deepEqual(before.waitingFor, []);
});

test('rfSource finds the step whose write a read returned', () => {
  const t = traces.get('gup-fast-vs-zap/no-pte-recheck')!;
  const xchg = t.steps.findIndex((st) => /xchg\(T0\[0\]\)/.test(st.text));
  const reread = t.steps.findIndex((st) => st.tid === 0 && /^T0\[0\] → none .*from CPU1/.test(st.text));
  assert.equal(rfSource(t, reread), xchg);
  assert.equal(rfSource(t, 1), -1, 'step 1 reads *pmd from init');
  assert.equal(rfSource(t, xchg - 1), -1, 'spin_lock(T0.ptl) is an rmw of the initial value');
  assert.equal(rfSource(t, t.steps.findIndex((st) => st.kind === 'write')), null, 'a plain write reads nothing');
});

test('parseRcu reads the per-CPU word', () => {
  assert.deepEqual(parseRcu('gen 2, IRQs off, reader depth 1'), { gen: 2, irqsOff: true, depth: 1 });
  assert.deepEqual(parseRcu('gen 0, quiescent'), { gen: 0, irqsOff: false, depth: 0 });
  assert.equal(parseRcu('weird'), null);
});

test('litmus SVG: one arrow per edge, a legend entry per type, a column per thread', () => {
  const mp = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/MP+poonceonces.litmus-trace.json'), 'utf8')) as LitmusTrace;
  const svg = litmusSvg(mp.executions[0], mp.threads);
  const edges = [...svg.matchAll(/class="edge edge-(\w+)" data-type="\w+" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}->${m[3]}`);
  assert.deepEqual(edges.sort(), mp.executions[0].edges.map((e) => `${e.type}:${e.from}->${e.to}`).sort());
  for (const ty of ['po', 'rf', 'co', 'fr']) assert.match(svg, new RegExp(`class="legend-item" data-type="${ty}"`));
  assert.deepEqual([...svg.matchAll(/class="thread-title"[^>]*>([^<]+)</g)].map((m) => m[1]), ['init', 'P0', 'P1']);
});
