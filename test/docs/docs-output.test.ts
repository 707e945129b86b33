// The command outputs pasted in README.md and docs/*.md are what mmcheck prints today
// (scripts/update-docs.ts finds them, explains what is normalized and rewrites them:
// `npm run docs:update`). One test per documented command, named by file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkCommand, compare, describeOutcome, findBlocks, normalize, parseBlocks, runInProcess, runSpawned,
  docFiles, ROOT,
} from '../../scripts/update-docs.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIncludes, sourceLines } from '../../scripts/doc-includes.ts';

const commands = findBlocks().flatMap((b) => b.commands);

test('the docs hold command blocks', () => {
  assert.ok(commands.filter((c) => c.args).length >= 20, `only ${commands.length} documented commands found`);
});

for (const cmd of commands) {
  const name = `${cmd.file}:${cmd.line} ${cmd.text.slice(2)}`;
  const skip = cmd.skip ?? (cmd.slow ? 'marked slow (checked by scripts/update-docs.ts only)' : undefined);
  test(name, { skip }, async () => {
    const o = await checkCommand(cmd, runInProcess);
    assert.ok(o.status === 'same', `${describeOutcome(o)}\n(if the new output is right: npm run docs:update, then review the prose around it)`);
  });
}

for (const inc of docFiles().flatMap((f) => parseIncludes(f, readFileSync(join(ROOT, f), 'utf8')))) {
  test(`${inc.file}:${inc.line} shows ${inc.path} as it is`, () => {
    assert.deepEqual(inc.documented, sourceLines(ROOT, inc), `${inc.file}:${inc.line} differs from ${inc.path} (npm run docs:update rewrites it)`);
  });
}

test('in-process runs print what node bin/mmcheck.js prints', async () => {
  // The shortest documented violation: a spawn costs ~1 s of start-up.
  const cmd = commands.filter((c) => c.args && c.output.some((l) => l.startsWith('VIOLATION')))
    .sort((x, y) => x.output.length - y.output.length)[0];
  assert.ok(cmd, 'no documented violation to compare');
  const [a, b] = [await runInProcess(cmd.args!), await runSpawned(cmd.args!)];
  assert.equal(a.code, b.code);
  assert.deepEqual(a.stdout.split('\n').map(normalize), b.stdout.split('\n').map(normalize));
});

test('the comparison ignores timings only', () => {
  const doc = [
    '```',
    '$ npx mmcheck check x --variant safe',
    'OK: no violation in all 17 executions, 4 blocked; 0.02 s.',
    'found after 8 executions in 0.01 s',
    'a  safe  §1  sc  ok  ok  7  0  0     0.10  as expected',
    '3 variants, 3 as expected, 0 unexpected; 4.4 s exploring.',
    'Time SB+fencembonceonces 0.01',
    '```',
  ].join('\n');
  const [block] = parseBlocks('x.md', doc);
  assert.equal(block.commands.length, 1);
  assert.equal(block.commands[0].line, 2);
  assert.deepEqual(block.commands[0].args, ['check', 'x', '--variant', 'safe']);
  const documented = block.commands[0].output;
  const timings = [
    'OK: no violation in all 17 executions, 4 blocked; 1.37 s.',
    'found after 8 executions in 12.50 s',
    'a  safe  §1  sc  ok  ok  7  0  0    10.25  as expected',
    '3 variants, 3 as expected, 0 unexpected; 61.0 s exploring.',
    'Time SB+fencembonceonces 2.37',
  ];
  assert.ok(compare(documented, timings).same);
  for (const [i, changed] of [[0, 'OK: no violation in all 18 executions, 4 blocked; 0.02 s.'], [1, 'found after 9 executions in 0.01 s'], [2, 'a  safe  §1  sc  ok  ok  7  1  0     0.10  as expected']] as const) {
    const now = [...documented];
    now[i] = changed;
    assert.ok(!compare(documented, now).same, `not caught: ${changed}`);
  }
  assert.ok(!compare(documented, documented.slice(0, 3)).same, 'a missing line is not caught');
});

test('an elided output checks its head and tail', () => {
  const documented = ['header', 'row 1', '...', 'total 3'];
  assert.ok(compare(documented, ['header', 'row 1', 'row 2', 'row 3', 'total 3']).same);
  const c = compare(documented, ['header', 'row 0', 'row 2', 'total 3']);
  assert.ok(!c.same);
  assert.deepEqual(c.replacement, ['header', 'row 0', '...', 'total 3']);
});

test('a rewrite keeps the documented timings of the lines that did not change', () => {
  const documented = ['mmcheck check x', 'found after 8 executions in 0.01 s', 'old line'];
  const c = compare(documented, ['mmcheck check x', 'found after 8 executions in 0.33 s', 'new line']);
  assert.ok(!c.same);
  assert.deepEqual(c.replacement, ['mmcheck check x', 'found after 8 executions in 0.01 s', 'new line']);
});
