// The viewer in a real browser: Debian's chromium (scripts/ensure-chromium.sh installs it when
// missing) driven by playwright-core, against `mmcheck view` serving traces the CLI wrote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, cli, launchBrowser, serve } from './harness.ts';

let dir = '';
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
const FIXTURE = join(import.meta.dirname, 'fixtures/MP+poonceonces.litmus-trace.json');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-viewer-'));
  ({ browser, close: closeBrowser } = await launchBrowser());
});
after(async () => {
  await closeBrowser?.();
  if (process.env.MMCHECK_KEEP_SCREENSHOTS) process.stderr.write(`screenshots kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
});

async function open(file: string): Promise<{ page: Page; stop: () => Promise<void> }> {
  const s = await serve(file);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(s.url);
  await page.waitForSelector('body:not([data-state="loading"])', { timeout: 15_000 });
  return {
    page,
    stop: async () => {
      await page.close();
      await s.stop();
      assert.deepEqual(errors, [], 'no script errors on the page');
    },
  };
}

function isPng(file: string): boolean {
  const b = readFileSync(file);
  return statSync(file).size > 1000 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

test('step through a catalog violation with the keyboard to the highlighted invariant', async () => {
  const trace = join(dir, 'gup.json');
  const r = cli(['check', 'gup-fast-vs-zap', '--variant', 'no-pte-recheck', '--trace', trace]);
  assert.equal(r.status, 1, r.stderr);
  const t = JSON.parse(readFileSync(trace, 'utf8'));
  const { page, stop } = await open(trace);
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    // One column per CPU, one row per step (plus the initial state).
    assert.deepEqual(await page.$$eval('#steps thead th > div:first-child', (ds) => ds.map((d) => d.textContent)), ['CPU0', 'CPU1', 'CPU2']);
    assert.equal(await page.locator('#steps tr.step-row').count(), t.steps.length + 1);
    assert.equal(await page.getAttribute('body', 'data-cursor'), '-1');
    // Arrow down to the violating step.
    const target = t.violation.step as number;
    for (let i = 0; i <= target; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('body', 'data-cursor'), String(target));
    assert.equal(await page.locator('#steps tr.current').getAttribute('data-index'), String(target));
    assert.match((await page.locator('#steps tr.current').getAttribute('class'))!, /violation/);
    const inv = await page.locator('#violation-here .invariant').textContent();
    assert.equal(inv, 'I8 — GUP validity.');
    assert.match((await page.locator('#violation-here .message').textContent())!, /^gup_fast on CPU0 returns page 1/);
    // The state panel: page table with the cleared PTE, the folio's refcount, CPU0 with IRQs off.
    assert.match((await page.locator('#pagetables').textContent())!, /PTE table T0\s*attached/);
    assert.equal(await page.locator('#pagetables [data-loc="T0[0]"]').textContent(), 'none');
    assert.equal(await page.locator('#folios [data-folio="F"] [data-loc="F._refcount"]').textContent(), '2');
    assert.match((await page.locator('#cpus [data-cpu="cpu0"]').textContent())!, /IRQs off/);
    await page.screenshot({ path: join(dir, 'violation.png') });
    assert.ok(isPng(join(dir, 'violation.png')), 'a non-empty PNG');
    // Up one step: the previous step's write is highlighted as changed.
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.getAttribute('body', 'data-cursor'), String(target - 1));
    assert.equal(await page.locator('#violation-here').count(), 0);
    // Clicking a row moves the cursor there; the step that cleared T0[0] highlights it.
    const xchg = t.steps.findIndex((s: { text: string }) => /xchg\(T0\[0\]\)/.test(s.text));
    await page.click(`#steps tr[data-index="${xchg}"]`);
    assert.equal(await page.getAttribute('body', 'data-cursor'), String(xchg));
    assert.match((await page.locator('#pagetables [data-loc="T0[0]"]').getAttribute('class'))!, /changed/);
    assert.match((await page.locator('#locks').textContent())!, /T0\.ptl\s*locked\s*by CPU1/);
    assert.match((await page.locator('#steps thead th[data-tid="1"] .th-state').textContent())!, /zap_pte_range · holds T0\.ptl/);
    assert.match((await page.locator('#steps thead th[data-tid="0"] .th-state').textContent())!, /IRQs off · RCU reader 1/);
    // A read marks the row of the write it read from: CPU0 reads T0[0] = none from CPU1's xchg.
    const reread = t.steps.findIndex((s: { tid: number; text: string }) => s.tid === 0 && /^T0\[0\] → none .*from CPU1/.test(s.text));
    await page.click(`#steps tr[data-index="${reread}"]`);
    assert.equal(await page.locator('#steps tr.rf-source').getAttribute('data-index'), String(xchg));
        // 'v' jumps to the violation; the replay command can be copied.
    await page.keyboard.press('v');
    assert.equal(await page.getAttribute('body', 'data-cursor'), String(target));
    assert.equal(await page.locator('#replay-cmd').textContent(), t.replay);
    await page.click('#copy-replay');
    await page.waitForSelector('body[data-copied]');
    assert.equal(await page.getAttribute('body', 'data-copied'), 'yes');
  } finally {
    await stop();
  }
});

test('a freed page table is marked at the violation of table-free-vs-gup-fast', async () => {
  const trace = join(dir, 'free.json');
  assert.equal(cli(['check', 'table-free-vs-gup-fast', '--variant', 'immediate-pte-free', '--trace', trace]).status, 1);
  const { page, stop } = await open(trace);
  try {
    await page.keyboard.press('v');
    assert.equal(await page.locator('#violation-here .invariant').textContent(), 'I1 — No use-after-free of page-table pages.');
    assert.match((await page.locator('#violation-here .invariant').getAttribute('title'))!, /happens while the table is allocated/, 'the meaning, from the kernel model');
    assert.equal(await page.locator('#pagetables li.table[data-table="T0"] > .badge').textContent(), 'freed');
    // The step that freed T0's entry says so (the trace's lifetime effect of each step).
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    const e0 = t.locations.find((l: { name: string }) => l.name === 'T0[0]').id;
    const frees = t.steps.findIndex((st: { life: { freed: number[] } | null }) => st.life?.freed.includes(e0));
    await page.click(`#steps tr[data-index="${frees}"]`);
    assert.equal(await page.locator('#state .now .life.freed').count(), 1);
    await page.screenshot({ path: join(dir, 'freed.png') });
    assert.ok(isPng(join(dir, 'freed.png')));
  } finally {
    await stop();
  }
});

test('the litmus fixture renders as a graph with its po/rf/co/fr edges and a legend', async () => {
  const { page, stop } = await open(FIXTURE);
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    assert.equal(await page.locator('#verdict').textContent(), 'Sometimes');
    const edges = await page.$$eval('svg.litmus-graph g.edge', (gs) => gs.map((g) => `${g.getAttribute('data-type')}:${g.getAttribute('data-from')}->${g.getAttribute('data-to')}`));
    assert.deepEqual(edges.sort(), ['co:i0->a', 'co:i1->b', 'fr:d->a', 'po:a->b', 'po:c->d', 'rf:b->c', 'rf:i0->d']);
    assert.equal(await page.locator('svg.litmus-graph g.event').count(), 6);
    assert.deepEqual(await page.$$eval('svg.litmus-graph .legend-item', (xs) => xs.map((x) => x.getAttribute('data-type'))), ['po', 'rf', 'co', 'fr']);
    // Every arrow is drawn (a path with a length), not just present in the DOM.
    const lengths = await page.$$eval('svg.litmus-graph g.edge path', (ps) => ps.map((p) => (p as SVGPathElement).getTotalLength()));
    assert.ok(lengths.every((l) => l > 10), `edge lengths ${lengths}`);
    await page.screenshot({ path: join(dir, 'litmus.png') });
    assert.ok(isPng(join(dir, 'litmus.png')));
  } finally {
    await stop();
  }
});

test('a trace written by mmcheck litmus --trace DIR/ renders every edge it lists', async () => {
  const out = join(dir, 'litmus-out');
  const test = join(ROOT, 'test/fixtures/litmus/kernel/tools/memory-model/litmus-tests/SB+fencembonceonces.litmus');
  const src = existsSync(test) ? test : join(dir, 'SB.litmus');
  if (src !== test) {
    writeFileSync(src, 'C SB+fencembonceonces\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\tsmp_mb();\n\tr0 = READ_ONCE(*y);\n}\n\n' +
      'P1(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tsmp_mb();\n\tr0 = READ_ONCE(*x);\n}\n\nexists (0:r0=0 /\\ 1:r0=0)\n');
  }
  const r = cli(['litmus', src, '--trace', `${out}/`]);
  assert.equal(r.status, 0, r.stderr);
  const file = join(out, readdirSync(out).find((n) => n.endsWith('.json'))!);
  const t = JSON.parse(readFileSync(file, 'utf8'));
  const { page, stop } = await open(file);
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    assert.equal(await page.locator('#verdict').textContent(), 'Never');
    const want = t.executions.reduce((n: number, x: { edges: unknown[] }) => n + x.edges.length, 0);
    assert.ok(want > 0);
    assert.equal(await page.locator('svg.litmus-graph g.edge').count(), want);
    assert.ok(await page.locator('svg.litmus-graph g.event').count() >= 6, 'two writes, two fences, two reads (and the init writes)');
  } finally {
    await stop();
  }
});

test('a forbidden outcome (mmcheck litmus --explain --trace) is drawn with the cycle that forbids it', async () => {
  const out = join(dir, 'explain-out');
  const src = join(ROOT, 'test/fixtures/litmus/kernel/tools/memory-model/litmus-tests/MP+fencewmbonceonce+fencermbonceonce.litmus');
  const r = cli(['litmus', '--explain', src, '--trace', `${out}/`]);
  assert.equal(r.status, 0, r.stderr);
  const file = join(out, 'MP+fencewmbonceonce+fencermbonceonce.json');
  const t = JSON.parse(readFileSync(file, 'utf8'));
  const want = t.executions.find((x: { kind: string }) => x.kind === 'forbidden').explanation.cycle as { rel: string }[];
  const { page, stop } = await open(file);
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    const sec = page.locator('section.execution[data-kind="forbidden"]');
    assert.equal(await sec.count(), 1);
    assert.match((await sec.locator('h2').textContent())!, /forbidden/);
    assert.match((await sec.locator('pre.explanation').textContent())!, /happens-before: acyclic hb fails/);
    assert.deepEqual(await sec.locator('g.cycle-edge').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-rel'))), want.map((c) => c.rel));
    assert.equal(await sec.locator('g.event.on-cycle').count(), 4, 'the two writes of P0 and the two reads of P1');
    const lengths = await sec.locator('g.cycle-edge path').evaluateAll((ps) => ps.map((p) => (p as SVGPathElement).getTotalLength()));
    assert.ok(lengths.every((l) => l > 10), `cycle edge lengths ${lengths}`);
    // the allowed executions carry no cycle
    assert.equal(await page.locator('section.execution:not([data-kind="forbidden"]) g.cycle-edge').count(), 0);
    await sec.screenshot({ path: join(dir, 'forbidden.png') });
    assert.ok(isPng(join(dir, 'forbidden.png')));
  } finally {
    await stop();
  }
});

test('a counterexample under the LKMM marks its stale read and the unordered pair', async () => {
  const trace = join(dir, 'lwc.json');
  const r = cli(['check', 'lockless-walk-counter', '--variant', 'no-mb-around-counter', '--model', 'lkmm', '--trace', trace]);
  assert.equal(r.status, 1, r.stderr);
  const t = JSON.parse(readFileSync(trace, 'utf8'));
  assert.equal(t.weakMemory.sc, false);
  assert.equal(t.weakMemory.staleReads.length, 2);
  const { page, stop } = await open(trace);
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    assert.match((await page.locator('#weak-memory pre').textContent())!, /not sequentially consistent/);
    assert.deepEqual(await page.locator('tr.step-row.stale-read').evaluateAll((rs) => rs.map((x) => Number(x.getAttribute('data-index')))),
      [...t.weakMemory.staleReads].sort((a: number, b: number) => a - b));
    const un = t.weakMemory.unordered[0];
    assert.match((await page.locator(`tr.step-row[data-index="${un.from}"] .row-weak.unordered`).textContent())!, new RegExp(`not ordered before step ${un.to}; smp_mb\\(\\)`));
  } finally {
    await stop();
  }
});

test('a trace of an unknown version is refused on the page with a clear message', async () => {
  const t = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const file = join(dir, 'v99.json');
  writeFileSync(file, JSON.stringify({ ...t, version: 99 }));
  const { page, stop } = await open(file);
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'refused');
    assert.match((await page.locator('#problem').textContent())!, /unsupported litmus trace version 99: this viewer reads version 1, 2/);
    assert.equal(await page.locator('svg.litmus-graph').count(), 0);
  } finally {
    await stop();
  }
});

test('mmcheck view DIR serves every trace in it with a picker (as mmcheck litmus --trace DIR/ writes them)', async () => {
  const d = join(dir, 'litmus-dir');
  mkdirSync(d);
  const mp = readFileSync(FIXTURE, 'utf8');
  writeFileSync(join(d, 'MP+poonceonces.json'), mp);
  writeFileSync(join(d, 'SB+poonceonces.json'), JSON.stringify({ ...JSON.parse(mp), test: 'SB+poonceonces' }));
  writeFileSync(join(d, 'results.json'), '{"results": []}');
  const { page, stop } = await open(d);
  try {
    assert.deepEqual(await page.$$eval('#trace-picker option', (os) => os.map((o) => o.textContent)),
      ['MP+poonceonces.json — litmus MP+poonceonces', 'SB+poonceonces.json — litmus SB+poonceonces']);
    assert.match((await page.locator('#title').textContent())!, /MP\+poonceonces/);
    await page.selectOption('#trace-picker', { index: 1 });
    await page.waitForFunction(() => /SB\+poonceonces/.test(document.querySelector('#title')?.textContent ?? ''));
    assert.equal(await page.locator('svg.litmus-graph g.edge').count(), 7);
  } finally {
    await stop();
  }
});

test('mmcheck view exits 2 with a clear message on a non-JSON file and on JSON that is not a trace', () => {
  const notJson = join(dir, 'notes.txt');
  writeFileSync(notJson, 'CPU0: local_irq_disable\n');
  const a = cli(['view', notJson]);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /is not a JSON file/);
  const notTrace = join(dir, 'results.json');
  writeFileSync(notTrace, JSON.stringify({ results: [] }));
  const b = cli(['view', notTrace]);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /is JSON but not an mmcheck trace/);
  const c = cli(['view', join(dir, 'missing.json')]);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /cannot read .*no such file/);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const e = cli(['view', empty]);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /holds no mmcheck trace/);
  const d = cli(['view']);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /usage: mmcheck view/);
});
