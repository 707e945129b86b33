// Keeps the command outputs pasted in the documentation true to what mmcheck prints.
//
//   node --import tsx scripts/update-docs.ts            rewrite every documented output that drifted
//   node --import tsx scripts/update-docs.ts --check    rewrite nothing; exit 1 listing each drifted
//                                                      output (file:line and a short diff)
//   (npm run docs:update [-- --check])
//
// What it looks at: every fenced code block in README.md and docs/**/*.md whose first non-empty line
// starts with `$ npx mmcheck ` (or `$ node bin/mmcheck.js `, the same command spelt for a
// checkout). A block may hold several commands: each `$ ` line starts one, the lines after it up
// to the next `$ ` line are its output, and one blank line separates a command's output from the
// next command. Each command runs as `node bin/mmcheck.js <args>` from the repository root; its
// stdout (stderr is not part of the documented output) replaces the documented lines.
//
// Exploration is deterministic, so everything is compared exactly (execution and blocked
// counts, traces, schedules, messages, column layout) except the figures that measure the
// machine, which are normalized for the comparison only (see `normalize`):
//   - durations with a fractional part followed by " s": "; 0.02 s.", "in 0.05 s",
//     "1.2 s exploring", "(0.51 s)";
//   - the seconds column of a `check --all`/`--all-variants` table (the number just before
//     "as expected" / "finding" / "UNEXPECTED" / "n/a"), whatever its padding;
//   - rates "N/s" (executions per second);
//   - the seconds of herd7's `Time <test> 0.05` line in litmus output.
// An output that differs only in those is left as it is in the docs (no churn); one that differs
// in anything else is rewritten with the real output, timings included, so the docs stay readable.
//
// Long outputs: a documented output may elide its middle with a line holding only `...` (or
// `…`): the lines before it must be the first lines printed, the lines after it the last ones,
// and a rewrite keeps the same number of lines on each side. Use it for `check --all`,
// `mmcheck list` and the like rather than pasting 70 rows that every new variant would change.
//
// Not checked (reported as skipped, never rewritten):
//   - commands whose output is not deterministic beyond timings: `bench` (seconds, exec/s, peak
//     memory columns), `view` (a server that does not exit) and anything run with `--timeout`
//     (how far exploration gets depends on the machine); `--random` is deterministic (the seed
//     defaults to 1) and is checked;
//   - `$ ` lines that are not an mmcheck command, or use shell syntax (pipes, redirections);
//   - a block preceded by `<!-- update-docs: skip -->` (say why after "skip").
// A fenced block after `<!-- include: PATH -->` holds the file PATH and is rewritten from it
// (scripts/doc-includes.ts): the worked examples shown are the files the tests run.
//
// A block preceded by `<!-- update-docs: slow -->` (a run of more than a few seconds) is checked
// and rewritten by this script but skipped by the test suite (test/docs/docs-output.test.ts),
// which must stay fast. A command that exits 2 or 3 (bad input, internal error) is an error: it
// is reported and its documented output left untouched.
//
// The test suite uses `runInProcess` (mmcheck's `main()` in the test process, stdout captured)
// instead of spawning `node bin/mmcheck.js` per command: the same code, without ~1 s of start-up
// per command; the test also checks that the two runners agree on one command.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rewriteIncludes } from './doc-includes.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PREFIXES = ['$ npx mmcheck ', '$ node bin/mmcheck.js '];
const ELISION = /^\s*(\.\.\.|…)\s*$/;
const MARKER = /^<!--\s*update-docs:\s*(skip|slow)\b\s*(.*?)\s*-->\s*$/;

export interface DocCommand {
  file: string;
  /** 1-based line of the `$ ` line. */
  line: number;
  /** The `$ ` line as written. */
  text: string;
  /** Arguments after `mmcheck`; undefined when the command is skipped. */
  args?: string[];
  skip?: string;
  slow?: boolean;
  /** The documented output (lines after the `$ ` line, trailing blank lines removed). */
  output: string[];
}

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** 0-based indices of the block's content lines in the file: [start, end). */
  start: number;
  end: number;
  commands: DocCommand[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}
export type Runner = (args: string[]) => Promise<RunResult>;

/** The documentation files: README.md and every .md file under docs/, relative to the repository root. */
export function docFiles(root = ROOT): string[] {
  const walk = (dir: string): string[] => readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(`${dir}/${d.name}`) : d.name.endsWith('.md') ? [`${dir}/${d.name}`] : []);
  return ['README.md', ...walk('docs').sort()];
}

/** Splits a command line into words: whitespace-separated, '…' and "…" quoting. Undefined for shell syntax. */
export function splitArgs(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === '"') {
      const j = s.indexOf(c, i + 1);
      if (j < 0) return undefined;
      cur += s.slice(i + 1, j);
      has = true;
      i = j;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else if ('|&;<>`$()#'.includes(c)) {
      return undefined;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function skipReason(args: string[]): string | undefined {
  if (args[0] === 'bench') return '`bench` measures the machine (seconds, exec/s, peak memory)';
  if (args[0] === 'view') return '`view` runs a server';
  if (args.some((a) => a === '--timeout' || a.startsWith('--timeout='))) return '--timeout: how far exploration gets depends on the machine';
  return undefined;
}

/** Finds the command blocks of one Markdown text. */
export function parseBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = /^(\s*)(`{3,}|~{3,})/.exec(lines[i]);
    if (!open) { i++; continue; }
    const fence = open[2];
    let j = i + 1;
    while (j < lines.length && !(lines[j].trimStart().startsWith(fence[0].repeat(fence.length)) && lines[j].trim().replace(/[`~]/g, '') === '')) j++;
    const start = i + 1;
    const end = j;
    const first = lines.slice(start, end).find((l) => l.trim() !== '');
    if (first !== undefined && PREFIXES.some((p) => first.startsWith(p))) {
      let k = i - 1;
      while (k >= 0 && lines[k].trim() === '') k--;
      const marker = k >= 0 ? MARKER.exec(lines[k].trim()) : null;
      const block: DocBlock = { file, line: i + 1, start, end, commands: [] };
      for (let n = start; n < end; n++) {
        if (!lines[n].startsWith('$ ')) continue;
        let m = n + 1;
        while (m < end && !lines[m].startsWith('$ ')) m++;
        const output = lines.slice(n + 1, m);
        while (output.length && output[output.length - 1].trim() === '') output.pop();
        const cmd: DocCommand = { file, line: n + 1, text: lines[n], output };
        const prefix = PREFIXES.find((p) => lines[n].startsWith(p));
        const args = prefix ? splitArgs(lines[n].slice(prefix.length)) : undefined;
        if (marker?.[1] === 'skip') cmd.skip = `marked skip${marker[2] ? `: ${marker[2]}` : ''}`;
        else if (!prefix) cmd.skip = 'not an mmcheck command';
        else if (!args) cmd.skip = 'shell syntax';
        else cmd.skip = skipReason(args);
        if (!cmd.skip) cmd.args = args;
        if (marker?.[1] === 'slow') cmd.slow = true;
        block.commands.push(cmd);
        n = m - 1;
      }
      blocks.push(block);
    }
    i = j + 1;
  }
  return blocks;
}

export function findBlocks(root = ROOT): DocBlock[] {
  return docFiles(root).flatMap((f) => parseBlocks(f, readFileSync(join(root, f), 'utf8')));
}

/** One line with the machine-dependent figures replaced (for comparison only). */
export function normalize(line: string): string {
  return line
    // the seconds column of a check table, before the verdict column
    .replace(/ +\d+\.\d+(?= {2}(?:as expected|UNEXPECTED|n\/a|finding))/, ' <secs>')
    // durations: "0.02 s", "in 0.05 s", "1.2 s exploring"
    .replace(/\b\d+\.\d+ s\b/g, '<secs> s')
    // mmcheck litmus's (and herd7's) last line: "Time SB+fencembonceonces 0.01"
    .replace(/^(Time \S+) \d+\.\d+$/, '$1 <secs>')
    // rates: "12,345/s", "6081.5/s"
    .replace(/\b\d[\d,]*(?:\.\d+)?\/s\b/g, '<n>/s')
    // herd7's time line in litmus output: "Time SB+fencembonceonces 0.05"
    .replace(/^(Time \S+) \d+\.\d+$/, '$1 <secs>');
}

/** Printed lines, trailing blank lines removed. */
export function outputLines(stdout: string): string[] {
  const l = stdout.replace(/\r\n/g, '\n').split('\n');
  while (l.length && l[l.length - 1].trim() === '') l.pop();
  return l;
}

/**
 * Compares documented lines with printed ones (normalized). With an elision line the documented
 * head and tail must match the printed head and tail. Returns the lines to write: the documented
 * ones when they match, else the printed ones (cut to the same head and tail around the elision).
 */
export function compare(documented: string[], actual: string[]): { same: boolean; expected: string[]; replacement: string[] } {
  const cut = documented.findIndex((l) => ELISION.test(l));
  let expected = actual;
  if (cut >= 0) {
    const head = cut;
    const tail = documented.length - cut - 1;
    expected = actual.length > head + tail ? [...actual.slice(0, head), documented[cut], ...actual.slice(actual.length - tail)] : actual;
  }
  const same = documented.length === expected.length && documented.every((l, i) => normalize(l) === normalize(expected[i]));
  return { same, expected, replacement: same ? documented : keepTimings(documented, expected) };
}

/** Longest-common-subsequence table of two line lists (compared normalized), filled from the end. */
function lcs(a: string[], b: string[]): { na: string[]; nb: string[]; t: number[][] } {
  const na = a.map(normalize);
  const nb = b.map(normalize);
  const t: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = na[i] === nb[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  return { na, nb, t };
}

/** The printed lines, except that a line equal to a documented one but for its timings stays as documented. */
function keepTimings(documented: string[], printed: string[]): string[] {
  const { na, nb, t } = lcs(documented, printed);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (j < printed.length) {
    if (i < documented.length && na[i] === nb[j]) { out.push(documented[i++]); j++; continue; }
    if (i < documented.length && t[i + 1][j] >= t[i][j + 1]) i++;
    else out.push(printed[j++]);
  }
  return out;
}

/**
 * A short line diff (documented "-", printed "+"), at most `max` lines of it; `where(i)` names
 * documented line i (its file:line), printed lines are numbered from the top of the output.
 */
export function shortDiff(a: string[], b: string[], max = 14, where = (i: number): string => `output line ${i + 1}`): string {
  const n = a.length;
  const m = b.length;
  const { na, nb, t } = lcs(a, b);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 157)}...` : s);
  while (i < n || j < m) {
    if (i < n && j < m && na[i] === nb[j]) { i++; j++; continue; }
    if (i < n && (j === m || t[i + 1][j] >= t[i][j + 1])) { out.push(`    - ${clip(a[i])}  (${where(i)})`); i++; }
    else { out.push(`    + ${clip(b[j])}  (printed line ${j + 1})`); j++; }
  }
  if (out.length > max) return [...out.slice(0, max), `    (${out.length - max} more diff lines)`].join('\n');
  return out.join('\n');
}

/** Runs `node bin/mmcheck.js <args>` from the repository root. */
export const runSpawned: Runner = (args) => new Promise((done) => {
  execFile(process.execPath, [join(ROOT, 'bin/mmcheck.js'), ...args], { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, MMCHECK_DEBUG: '' } }, (e, stdout, stderr) => {
    const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 3) : 0;
    done({ stdout, stderr, code });
  });
});

/** Runs mmcheck's main() in this process (needs the tsx loader, as under the test runner), capturing its output. */
export const runInProcess: Runner = async (args) => {
  const { main } = await import('../src/cli/main.ts');
  const cwd = process.cwd();
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  let stdout = '';
  let stderr = '';
  // mmcheck writes strings; the test runner's child protocol (on stdout, while main() awaits)
  // writes buffers, which go through untouched.
  const capture = (orig: typeof process.stdout.write, add: (s: string) => void) => ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== 'string') return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    add(chunk);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  process.chdir(ROOT);
  process.stdout.write = capture(ow.bind(process.stdout), (s) => { stdout += s; });
  process.stderr.write = capture(ew.bind(process.stderr), (s) => { stderr += s; });
  let code: number;
  try {
    code = await main(args);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.chdir(cwd);
  }
  return { stdout, stderr, code };
};

export interface Outcome {
  cmd: DocCommand;
  status: 'same' | 'drifted' | 'error' | 'skipped';
  /** Lines to write in place of the documented output. */
  replacement?: string[];
  diff?: string;
  message?: string;
}

/** Runs one documented command and compares its output with the documented one. */
export async function checkCommand(cmd: DocCommand, run: Runner): Promise<Outcome> {
  if (!cmd.args) return { cmd, status: 'skipped', message: cmd.skip };
  const r = await run(cmd.args);
  if (r.code >= 2) return { cmd, status: 'error', message: `exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}` };
  const actual = outputLines(r.stdout);
  const c = compare(cmd.output, actual);
  if (c.same) return { cmd, status: 'same' };
  return { cmd, status: 'drifted', replacement: c.replacement, diff: shortDiff(cmd.output, c.expected, 14, (i) => `${cmd.file}:${cmd.line + 1 + i}`) };
}

/** Runs `tasks` with at most `limit` at a time, keeping their order. */
async function pool<T, R>(items: T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await f(items[k]);
    }
  }));
  return out;
}

export async function checkBlocks(blocks: DocBlock[], run: Runner, parallel = 1): Promise<Outcome[]> {
  return pool(blocks.flatMap((b) => b.commands), parallel, (c) => checkCommand(c, run));
}

/** The file's text with the drifted outputs replaced. */
export function rewrite(text: string, blocks: DocBlock[], outcomes: Outcome[]): string {
  const lines = text.split('\n');
  for (const b of [...blocks].reverse()) {
    const body: string[] = [];
    const cmds = b.commands;
    const content = lines.slice(b.start, b.end);
    const leading = content.findIndex((l) => l.startsWith('$ '));
    body.push(...content.slice(0, Math.max(0, leading)));
    cmds.forEach((c, k) => {
      const o = outcomes.find((x) => x.cmd === c);
      body.push(c.text, ...(o?.status === 'drifted' ? o.replacement! : c.output));
      if (k < cmds.length - 1) body.push('');
    });
    lines.splice(b.start, b.end - b.start, ...body);
  }
  return lines.join('\n');
}

function describe(o: Outcome): string {
  const where = `${o.cmd.file}:${o.cmd.line}`;
  if (o.status === 'drifted') return `${where}: the output of \`${o.cmd.text.slice(2)}\` differs from what it prints now:\n${o.diff}`;
  if (o.status === 'error') return `${where}: \`${o.cmd.text.slice(2)}\` failed (${o.message})`;
  return `${where}: skipped \`${o.cmd.text.slice(2)}\` (${o.message})`;
}
export { describe as describeOutcome };

async function cli(argv: string[]): Promise<number> {
  const checkOnly = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length) {
    process.stderr.write(`usage: node --import tsx scripts/update-docs.ts [--check]\n`);
    return 2;
  }
  const t0 = Date.now();
  const blocks = findBlocks();
  const outcomes = await checkBlocks(blocks, runSpawned, Math.max(1, availableParallelism()));
  const drifted = outcomes.filter((o) => o.status === 'drifted');
  const errors = outcomes.filter((o) => o.status === 'error');
  for (const o of outcomes) if (o.status === 'skipped') process.stdout.write(`${describe(o)}\n`);
  for (const o of errors) process.stdout.write(`${describe(o)}\n`);
  for (const o of drifted) process.stdout.write(`${describe(o)}\n\n`);
  let included = 0;
  if (!checkOnly) {
    for (const file of docFiles()) included += rewriteIncludes(ROOT, file);
    for (const file of new Set(drifted.map((o) => o.cmd.file))) {
      const path = join(ROOT, file);
      const fileBlocks = blocks.filter((b) => b.file === file);
      writeFileSync(path, rewrite(readFileSync(path, 'utf8'), fileBlocks, outcomes));
    }
  }
  const ran = outcomes.filter((o) => o.status !== 'skipped').length;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`${blocks.length} blocks, ${ran} commands run in ${secs} s: ${ran - drifted.length - errors.length} up to date, ${drifted.length} ${checkOnly ? 'differ' : 'rewritten'}, ${errors.length} failed, ${outcomes.length - ran} skipped${included ? `; ${included} included file(s) rewritten` : ''}.\n`);
  if (checkOnly && drifted.length) process.stdout.write('Run `npm run docs:update` (node --import tsx scripts/update-docs.ts) to rewrite them, then review the prose around each.\n');
  return errors.length || (checkOnly && drifted.length) ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await cli(process.argv.slice(2));
}
