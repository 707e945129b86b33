// `mmcheck herd7` / bin/mmcheck-herd7.js: herd7's command line in a tools/memory-model-like
// directory. The .cfg, .bell, .cat and .def are the user's (a changed model changes the result),
// options apply in order, and bad input (a missing or malformed file, an unknown option, a
// malformed test) is a clear message with exit 2, never a stack trace.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';
import { LKMM_MODEL_DIR } from '../../src/axiomatic/lkmm/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const HERD7 = join(ROOT, 'bin/mmcheck-herd7.js');

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh tools/memory-model-like directory: the kernel's model files and litmus-tests/. */
function tree(): string {
  const d = mkdtempSync(join(tmpdir(), 'mmcheck-herd7-'));
  made.push(d);
  for (const f of ['linux-kernel.cfg', 'linux-kernel.cat', 'linux-kernel.bell', 'linux-kernel.def', 'lock.cat']) cpSync(join(LKMM_MODEL_DIR, f), join(d, f));
  cpSync(join(CORPUS_ROOT, 'kernel/tools/memory-model/litmus-tests'), join(d, 'litmus-tests'), { recursive: true });
  return d;
}

function herd7(cwd: string, args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [HERD7, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const obs = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('Observation '));
const MP = 'litmus-tests/MP+fencewmbonceonce+fencermbonceonce.litmus';
const SB = 'litmus-tests/SB+fencembonceonces.litmus';

test('-conf linux-kernel.cfg from the current directory: herd7\'s output, byte for byte but the Time line', () => {
  const d = tree();
  const r = herd7(d, ['-conf', 'linux-kernel.cfg', SB, MP]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.deepEqual(obs(r.out), ['Observation SB+fencembonceonces Never 0 3', 'Observation MP+fencewmbonceonce+fencermbonceonce Never 0 3']);
  assert.match(r.out, /^Test SB\+fencembonceonces Allowed\nStates 3\n0:r0=0; 1:r0=1;\n/);
  // the same as `mmcheck litmus` on the bundled model
  const m = spawnSync(process.execPath, [join(ROOT, 'bin/mmcheck.js'), 'litmus', join(d, SB), join(d, MP)], { encoding: 'utf8' });
  const noTime = (s: string): string => s.replace(/^Time .*$/gm, '');
  assert.equal(noTime(r.out), noTime(m.stdout));
});

test("the user's model files are the ones used: an edited .cat, .def or .bell changes the result", () => {
  const d = tree();
  // Without the happens-before and propagation axioms, MP with wmb/rmb is no longer forbidden.
  const cat = readFileSync(join(d, 'linux-kernel.cat'), 'utf8');
  assert.ok(cat.includes('acyclic hb as happens-before'));
  writeFileSync(join(d, 'linux-kernel.cat'), cat.replace('acyclic hb as happens-before', '').replace('acyclic pb as propagation', ''));
  assert.deepEqual(obs(herd7(d, ['-conf', 'linux-kernel.cfg', MP]).out), ['Observation MP+fencewmbonceonce+fencermbonceonce Sometimes 1 3']);
  // -skipchecks on the kernel's own model does the same, as in herd7
  const d2 = tree();
  assert.deepEqual(obs(herd7(d2, ['-conf', 'linux-kernel.cfg', '-skipchecks', 'happens-before,propagation', MP]).out), ['Observation MP+fencewmbonceonce+fencermbonceonce Sometimes 1 3']);
  // -through all lets every execution through: SB's forbidden outcome appears
  assert.deepEqual(obs(herd7(d2, ['-conf', 'linux-kernel.cfg', '-through', 'all', SB]).out), ['Observation SB+fencembonceonces Sometimes 1 3']);
  // A .def where smp_mb() is a compiler barrier: SB is no longer ordered
  const d3 = tree();
  const def = readFileSync(join(d3, 'linux-kernel.def'), 'utf8');
  writeFileSync(join(d3, 'linux-kernel.def'), def.replace('smp_mb() { __fence{MB}; }', 'smp_mb() { __fence{barrier}; }'));
  assert.deepEqual(obs(herd7(d3, ['-conf', 'linux-kernel.cfg', SB]).out), ['Observation SB+fencembonceonces Sometimes 1 3']);
  // Options apply in order: a later -macros replaces the .cfg's, an earlier one is replaced by it.
  writeFileSync(join(d3, 'orig.def'), def);
  assert.deepEqual(obs(herd7(d3, ['-conf', 'linux-kernel.cfg', '-macros', 'orig.def', SB]).out), ['Observation SB+fencembonceonces Never 0 3']);
  assert.deepEqual(obs(herd7(d3, ['-macros', 'orig.def', '-conf', 'linux-kernel.cfg', SB]).out), ['Observation SB+fencembonceonces Sometimes 1 3']);
});

test('-bell, -cat, -macros, -variant and -I without a .cfg; files found through -I and $HERDLIB', () => {
  const d = tree();
  const model = join(d, 'model');
  mkdirSync(model);
  for (const f of ['linux-kernel.cat', 'linux-kernel.bell', 'linux-kernel.def', 'lock.cat']) cpSync(join(d, f), join(model, f));
  const work = join(d, 'work');
  mkdirSync(work);
  const args = ['-bell', 'linux-kernel.bell', '-cat', 'linux-kernel.cat', '-macros', 'linux-kernel.def', '-variant', 'lkmmv2', join(d, SB)];
  assert.deepEqual(obs(herd7(work, ['-I', '../model', ...args]).out), ['Observation SB+fencembonceonces Never 0 3']);
  assert.deepEqual(obs(herd7(work, args, { HERDLIB: model }).out), ['Observation SB+fencembonceonces Never 0 3']);
  // Without the variant, the kernel's bell flags the run (lkmmv2 is required), as herd7 does.
  const r = herd7(work, ['-I', '../model', ...args.filter((a) => a !== '-variant' && a !== 'lkmmv2')]);
  assert.match(r.out, /Flag this-model-requires-variant-higher-than-lkmmv1/);
});

test('-show prop -o DIR writes the witnesses as Graphviz graphs; -o - on standard output', () => {
  const d = tree();
  const r = herd7(d, ['-conf', 'linux-kernel.cfg', '-show', 'prop', '-o', 'figs', 'litmus-tests/MP+poonceonces.litmus']);
  assert.equal(r.code, 0, r.err);
  const dot = readFileSync(join(d, 'figs/MP+poonceonces.dot'), 'utf8');
  assert.match(dot, /^digraph G \{/);
  assert.match(dot, /subgraph cluster_proc1/);
  assert.match(dot, /\[label=rf, color=red/);
  assert.equal((dot.match(/^digraph/gm) ?? []).length, 1); // one witness: 1:r0=1, 1:r1=0
  const s = herd7(d, ['-conf', 'linux-kernel.cfg', '-show', 'all', '-o', '-', 'litmus-tests/MP+poonceonces.litmus']);
  assert.match(s.out, /\nDOTBEGIN MP\+poonceonces\ndigraph G/);
  assert.equal((s.out.match(/^digraph/gm) ?? []).length, 4);
  // without -o, -show draws nothing (as herd7)
  herd7(d, ['-conf', 'linux-kernel.cfg', '-show', 'prop', SB]);
  assert.ok(!existsSync(join(d, 'SB+fencembonceonces.dot')));
});

test('bad input: clear messages, exit 2, no stack trace', () => {
  const d = tree();
  const check = (args: string[], re: RegExp): void => {
    const r = herd7(d, args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /\n\s+at /);
  };
  check(['-conf', 'missing.cfg', SB], /cannot find configuration file missing\.cfg \(searched /);
  check(['-gv', SB], /unknown herd7 option -gv; mmcheck herd7 -help lists/);
  check(['--conf', 'linux-kernel.cfg', SB], /herd7's options take one dash: -conf/);
  check(['-show', 'sometimes', SB], /-show sometimes: expected one of prop, neg, cond, wit, all, none/);
  check(['-model', 'cav12', SB], /mmcheck implements only cat models/);
  check([SB], /no model: herd7's default model for C tests is c11_partialSC\.cat/);
  writeFileSync(join(d, 'bad.cfg'), 'macros linux-kernel.def\nfrobnicate yes\n');
  check(['-conf', 'bad.cfg', SB], /bad\.cfg:2:1: unknown key 'frobnicate'/);
  writeFileSync(join(d, 'badval.cfg'), 'show  sometimes\n');
  check(['-conf', 'badval.cfg', SB], /badval\.cfg:1:7: -show sometimes: expected one of/);
  writeFileSync(join(d, 'nocat.cfg'), 'bell linux-kernel.bell\nmodel nothere.cat\n');
  check(['-conf', 'nocat.cfg', SB], /cannot find cat file nothere\.cat/);
  writeFileSync(join(d, 'broken.cat'), readFileSync(join(d, 'linux-kernel.cat'), 'utf8').replace('acyclic hb as happens-before', 'acyclic hb as'));
  check(['-conf', 'linux-kernel.cfg', '-cat', 'broken.cat', SB], /broken\.cat:\d+:\d+: /);
  writeFileSync(join(d, 'broken.def'), 'READ_ONCE(X) __load{ONCE}(X\n');
  check(['-conf', 'linux-kernel.cfg', '-macros', 'broken.def', SB], /broken\.def:1:14: READ_ONCE: cannot read '__load\{ONCE\}\(X'/);
  // a malformed test: file:line:col, "(User error)" as herd7 says it; the next test is still checked
  writeFileSync(join(d, 'bad.litmus'), readFileSync(join(d, SB), 'utf8').replace('smp_mb();', 'smp_mb()'));
  const r = herd7(d, ['-conf', 'linux-kernel.cfg', 'bad.litmus', SB]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^bad\.litmus:\d+:\d+: expected .* \(User error\)\n$/);
  assert.deepEqual(obs(r.out), ['Observation SB+fencembonceonces Never 0 3']);
  // an unknown macro in the form judgelitmus.sh reads ("…: Unknown macro NAME (User error)")
  writeFileSync(join(d, 'um.litmus'), readFileSync(join(d, SB), 'utf8').replace('smp_mb();', 'smp_mb_new();'));
  assert.match(herd7(d, ['-conf', 'linux-kernel.cfg', 'um.litmus']).err, /^um\.litmus:\d+:\d+: Unknown macro smp_mb_new \(User error\): not defined in linux-kernel\.def\n$/);
});

test('-version, -libdir and -help exit 0; -timeout gives up with status 124', () => {
  const d = tree();
  assert.match(herd7(d, ['-version']).out, /^mmcheck herd7/);
  const lib = herd7(d, ['-libdir']).out.trim();
  assert.ok(existsSync(join(lib, 'cos-opt.cat')) && !existsSync(join(lib, 'linux-kernel.cat')), lib);
  const h = herd7(d, ['-help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /-conf FILE/);
  assert.match(h.out, /Accepted and ignored: .*-squished/);
  cpSync(join(CORPUS_ROOT, 'paulmckrcu-litmus/manual/kernel/C-seqlock.litmus'), join(d, 'seq.litmus'));
  const t = herd7(d, ['-conf', 'linux-kernel.cfg', '-timeout', '0.05', 'seq.litmus']);
  assert.equal(t.code, 124);
  assert.match(t.err, /seq\.litmus: gave up: timed out after .* \(-timeout 0\.05\): no result/);
});
