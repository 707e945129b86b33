// The one typed table of command-line options; parsing and `mmcheck help` both come from it.
import { readFileSync } from 'node:fs';
import { didYouMean } from './suggest.ts';

export interface OptionSpec {
  name: string;
  /** 'flag' takes no value; 'int' and 'number' are checked; 'list' may repeat. */
  type: 'flag' | 'string' | 'int' | 'number' | 'list';
  arg?: string;
  help: string;
  commands: string[];
  /**
   * herd7's options (command 'herd7', written with one dash, also the keys of a .cfg file): what
   * mmcheck does with one. 'honoured' as herd7 does; 'ignored' accepted with no effect (figure
   * layout, which does not change a result); 'exits' prints something and exits (-version).
   */
  herd?: 'honoured' | 'ignored' | 'exits';
  /** The values a 'string' option accepts, when they are a fixed set. */
  values?: readonly string[];
}

export const OPTIONS: OptionSpec[] = [
  { name: 'param', type: 'list', arg: 'K=V', help: 'set a program parameter (integer), e.g. --param N=10; repeatable', commands: ['check', 'replay', 'bench'] },
  { name: 'model', type: 'string', arg: 'sc|tso|lkmm', help: 'memory model (default: sc, or the variant\'s own model)', commands: ['check', 'replay'] },
  { name: 'variant', type: 'string', arg: 'NAME', help: 'a variant of a catalog scenario (default: safe)', commands: ['check', 'replay'] },
  { name: 'all-variants', type: 'flag', help: 'check every variant of the scenario', commands: ['check'] },
  { name: 'all', type: 'flag', help: 'check the whole scenario catalog and print a table', commands: ['check'] },
  { name: 'bugs', type: 'flag', help: 'the bug-history catalog: real mm races fixed in mainline, each with its pre-fix and fixed variants (check: a table; with --all, after the seed catalog)', commands: ['check', 'list'] },
  { name: 'invariants', type: 'flag', help: 'the invariants the kernel model checks (I1–I19), with what each means', commands: ['list'] },
  { name: 'functions', type: 'flag', help: 'every modeled kernel function with its kernel file and the versions the model follows', commands: ['list'] },
  { name: 'all-violations', type: 'flag', help: 'keep exploring after a violation: count the violating executions per invariant, with a replay for each (--all and --all-variants always do)', commands: ['check'] },
  { name: 'max-executions', type: 'int', arg: 'N', help: 'stop after N executions (the result is then bounded, not a proof)', commands: ['check'] },
  { name: 'timeout', type: 'number', arg: 'S', help: 'stop after S seconds (the result is then bounded, not a proof)', commands: ['check'] },
  { name: 'no-symmetry', type: 'flag', help: 'explore every execution, even of threads the program declares symmetric (by default they are explored up to permutation and the counts are classes)', commands: ['check'] },
  { name: 'no-ghosts', type: 'flag', help: 'keep a compare-and-swap read that a revisit makes fail, where its thread answers the failure with assume(false), in the execution (by default it is taken out and read again later, as GenMC does: the same complete executions, fewer blocked ones; docs/design/exploration.md §3.2)', commands: ['check'] },
  { name: 'random', type: 'int', arg: 'N', help: 'sample N complete executions instead of exploring all (blocked ones are drawn again; a sample, not a proof)', commands: ['check'] },
  { name: 'sampler', type: 'string', arg: 'pct|random', values: ['pct', 'random'], help: 'how --random draws: pct (default: probabilistic concurrency testing, finds a bug of depth d with a known probability) or random (a uniform random walk)', commands: ['check'] },
  { name: 'pct-depth', type: 'int', arg: 'D', help: 'the bug depth PCT aims at: D-1 priority changes per execution (default 3)', commands: ['check'] },
  { name: 'pct-weak', type: 'int', arg: 'C', help: 'under tso/lkmm: C reads or writes per PCT execution take one of their --pct-history latest candidates instead of the latest, in the half of the executions that bound weak choices (default 2)', commands: ['check'] },
  { name: 'pct-history', type: 'int', arg: 'H', help: 'under tso/lkmm: how many co-latest writes a weak choice of PCT draws from (default 2)', commands: ['check'] },
  { name: 'seed', type: 'int', arg: 'S', help: 'seed for --random (default 1)', commands: ['check'] },
  { name: 'schedule', type: 'string', arg: 'S', help: 'the schedule a violation printed', commands: ['replay'] },
  { name: 'json', type: 'flag', help: 'print one JSON object {"results": [...]}', commands: ['check', 'bench', 'list', 'merge', 'litmus'] },
  { name: 'trace', type: 'string', arg: 'FILE', help: 'write the counterexample (check, merge) or the replayed execution (replay) as a JSON trace for `mmcheck view`', commands: ['check', 'replay', 'merge'] },
  { name: 'port', type: 'int', arg: 'P', help: 'port for the viewer (default: a free one)', commands: ['view'] },
  { name: 'jobs', type: 'int', arg: 'N', help: 'explore on N threads (default: the machine\'s cores; 1 with --max-executions, which then counts the first N executions of the search order); bench: also time each program on N threads against one', commands: ['check', 'bench'] },
  { name: 'shard', type: 'string', arg: 'I/N', help: 'explore a deterministic 1/N of the search (I from 1 to N) and write it to --out (default shard-I.json); `mmcheck merge` sums the N shards', commands: ['check'] },
  { name: 'checkpoint', type: 'string', arg: 'FILE', help: 'write the run\'s position to FILE now and then (atomically), so that --resume FILE can finish a killed run', commands: ['check'] },
  { name: 'checkpoint-every', type: 'number', arg: 'S', help: 'seconds between checkpoints (default 30)', commands: ['check'] },
  { name: 'resume', type: 'string', arg: 'FILE', help: 'continue the run a checkpoint holds (and keep checkpointing to FILE unless --checkpoint names another)', commands: ['check'] },
  { name: 'out', type: 'string', arg: 'FILE', help: 'bench: also write the JSON results to FILE; check --shard: where the shard\'s result goes', commands: ['bench', 'check'] },
  { name: 'heavy', type: 'flag', help: 'include the benchmarks that take minutes (big1, big2; with --jobs: big1)', commands: ['bench'] },
  { name: 'judge', type: 'flag', help: 'judge each result against the test\'s Result: comment, with the rules and words of the kernel\'s judgelitmus.sh (exit 1 if one is not as expected)', commands: ['litmus'] },
  { name: 'explain', type: 'flag', help: 'say why the condition\'s outcome is allowed or forbidden: the axiom of the model that rejects it and the cycle of its relations that closes (in --json: "explanation"; with --trace, the rejected execution for the viewer)', commands: ['litmus'] },
  { name: 'stub', type: 'flag', help: 'the coherence-only stub model instead of the LKMM (front-end debugging)', commands: ['litmus'] },
  { name: 'timeout', type: 'number', arg: 'S', help: 'give up a test after S seconds (reported like a refused file)', commands: ['litmus'] },
  { name: 'trace', type: 'string', arg: 'DIR', help: 'write one JSON trace per test into DIR (a witness or counterexample and an ordinary execution, as graphs) for `mmcheck view`', commands: ['litmus'] },
  // herd7's options (`mmcheck herd7 -conf linux-kernel.cfg …`, one dash; also the keys of a .cfg
  // file). Each says what mmcheck does with it; any other option is refused (exit 2).
  { name: 'conf', type: 'list', arg: 'FILE', help: 'read a herd7 configuration file (looked up in ., -I dirs, $HERDLIB); its lines are options', commands: ['herd7'], herd: 'honoured' },
  { name: 'bell', type: 'string', arg: 'FILE', help: 'the bell file (event classes, e.g. linux-kernel.bell)', commands: ['herd7'], herd: 'honoured' },
  { name: 'cat', type: 'string', arg: 'FILE.cat', help: 'the cat model (e.g. linux-kernel.cat), run by mmcheck\'s cat interpreter', commands: ['herd7'], herd: 'honoured' },
  { name: 'model', type: 'string', arg: 'FILE.cat', help: 'same as -cat (herd7\'s named models such as cav12 are not implemented)', commands: ['herd7'], herd: 'honoured' },
  { name: 'macros', type: 'string', arg: 'FILE.def', help: 'the macro file giving the meaning of READ_ONCE, smp_mb … (e.g. linux-kernel.def)', commands: ['herd7'], herd: 'honoured' },
  { name: 'variant', type: 'list', arg: 'TAGS', help: 'variant tags for `if "tag"` in the model (comma-separated, cumulative; e.g. lkmmv2)', commands: ['herd7'], herd: 'honoured' },
  { name: 'I', type: 'list', arg: 'DIR', help: 'add DIR to the search path for .cfg/.bell/.cat/.def files', commands: ['herd7'], herd: 'honoured' },
  { name: 'skipchecks', type: 'list', arg: 'NAMES', help: 'do not apply the checks named (comma-separated, cumulative; e.g. happens-before)', commands: ['herd7'], herd: 'honoured' },
  { name: 'skipcheck', type: 'list', arg: 'NAME', help: 'do not apply the check named (cumulative)', commands: ['herd7'], herd: 'honoured' },
  { name: 'through', type: 'string', arg: 'all|invalid|none', values: ['all', 'invalid', 'none'], help: 'let executions that fail a check through (all and invalid: every cat check passes, as in herd7\'s interpreter)', commands: ['herd7'], herd: 'honoured' },
  { name: 'show', type: 'string', arg: 'prop|neg|cond|wit|all|none', values: ['prop', 'neg', 'cond', 'wit', 'all', 'none'], help: 'which executions -o draws (default none)', commands: ['herd7'], herd: 'honoured' },
  { name: 'nshow', type: 'int', arg: 'N', help: 'draw at most N executions per test', commands: ['herd7'], herd: 'honoured' },
  { name: 'o', type: 'string', arg: 'DIR|-', help: 'write the executions -show selects as Graphviz files DIR/<test>.dot (- : on standard output)', commands: ['herd7'], herd: 'honoured' },
  { name: 'suffix', type: 'string', arg: 'S', help: 'add S to the names of the .dot files', commands: ['herd7'], herd: 'honoured' },
  { name: 'timeout', type: 'number', arg: 'S', help: 'give up a test after S seconds: no result for it, exit status 124', commands: ['herd7'], herd: 'honoured' },
  { name: 'q', type: 'flag', help: 'quiet (mmcheck prints no diagnostics anyway)', commands: ['herd7'], herd: 'ignored' },
  { name: 'v', type: 'flag', help: 'verbose (no extra diagnostics in mmcheck)', commands: ['herd7'], herd: 'ignored' },
  { name: 'unroll', type: 'int', arg: 'N', help: 'loop unrolling: mmcheck\'s C front end has no loops, so it changes nothing', commands: ['herd7'], herd: 'ignored' },
  { name: 'version', type: 'flag', help: 'print the version and exit', commands: ['herd7'], herd: 'exits' },
  { name: 'libdir', type: 'flag', help: 'print the library directory (mmcheck\'s cross.cat, cos-opt.cat) and exit', commands: ['herd7'], herd: 'exits' },
  ...[
    'graph', 'squished', 'showevents', 'movelabel', 'fontsize', 'fontname', 'xscale', 'yscale', 'scale', 'arrowsize',
    'showinitrf', 'showfinalrf', 'showinitwrites', 'splines', 'pad', 'margin', 'edgeattr', 'showpo', 'showthread',
    'showlegend', 'showkind', 'shortlegend', 'mono', 'doshow', 'unshow', 'dotmode', 'penwidth', 'oneinit', 'labelinit',
  ].map((name): OptionSpec => ({ name, type: 'list', arg: 'V', help: 'figure layout: accepted, not applied to the .dot figures', commands: ['herd7'], herd: 'ignored' })),
];

export const COMMANDS: Record<string, string> = {
  check: 'check <file.ts|scenario|program> — explore every execution and report a violation or that there is none',
  replay: 'replay <file.ts|scenario|program> --schedule S — run exactly the execution a violation printed',
  list: 'list — the scenario catalog (with variants and seed threads) and the benchmark programs',
  bench: 'bench [program…] — executions, seconds, executions/s and peak memory per benchmark program',
  merge: 'merge <shard-1.json> … <shard-N.json> — the result one run would print, from the N shards of a `check --shard I/N` run',
  litmus: 'litmus <file.litmus|dir>… — C litmus tests (directories searched for *.litmus) under the LKMM, printed as herd7 does',
  herd7: 'herd7 [-conf linux-kernel.cfg] [herd7 options] <file.litmus>… — herd7\'s command line, with the model files of the current directory (docs/herd7.md); also installed as mmcheck-herd7',
  view: 'view <trace.json|dir> [--port P] — step through a trace (or every trace in a directory) in the browser, served on 127.0.0.1',
  help: 'help [command] — this text, or one command\'s usage and options (also: mmcheck <command> --help)',
};

export class UsageError extends Error {}

/** A target that cannot be loaded or is not what a command takes; `where` is its file:line:col. */
export class InputError extends Error {
  constructor(message: string, readonly where?: string) {
    super(message);
  }
}

/** The spec of option `name` for `command`, if it has one. */
export function findOption(name: string, command: string): OptionSpec | undefined {
  return OPTIONS.find((o) => o.name === name && o.commands.includes(command));
}

export interface Parsed {
  command: string;
  positional: string[];
  opts: Record<string, string | number | boolean | string[] | undefined>;
}

export function parseArgs(argv: string[]): Parsed {
  const command = argv[0] ?? 'help';
  if (!(command in COMMANDS)) throw new UsageError(`unknown command '${command}'${didYouMean(command, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const positional: string[] = [];
  const opts: Parsed['opts'] = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const spec = findOption(name, command);
    if (!spec) {
      const known = OPTIONS.filter((o) => o.commands.includes(command)).map((o) => o.name);
      throw new UsageError(`unknown option --${name} for '${command}'${didYouMean(name, known, (k) => `--${k}`)} (see: mmcheck help ${command})`);
    }
    if (spec.type === 'flag') { opts[name] = true; continue; }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`--${name} needs a value (${spec.arg})`);
    if (spec.type === 'int') {
      if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a non-negative integer, got '${v}'`);
      // Each --jobs thread is a V8 isolate of its own: thousands of them exhaust memory (a V8
      // abort, or the machine's OOM killer) before they could share any search.
      if (name === 'jobs' && Number(v) > MAX_JOBS) throw new UsageError(`--jobs ${v} is more threads than mmcheck starts (at most ${MAX_JOBS})`);
      opts[name] = Number(v);
    } else if (spec.type === 'number') {
      const n = Number(v);
      if (!(n > 0)) throw new UsageError(`--${name} needs a positive number, got '${v}'`);
      opts[name] = n;
    } else if (spec.type === 'list') {
      ((opts[name] ??= []) as string[]).push(v);
    } else {
      if (spec.values && !spec.values.includes(v)) throw new UsageError(`--${name} takes ${spec.values.join(' or ')}, got '${v}'${didYouMean(v, [...spec.values])}`);
      opts[name] = v;
    }
  }
  return { command, positional, opts };
}

/** The most threads --jobs starts (bin/mmcheck.js, which starts them early, uses the same figure). */
export const MAX_JOBS = 256;

export function parseParams(list: string[] | undefined): Record<string, number> {
  // No prototype: --param __proto__=3 is then a key like any other (and refused as unknown).
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const kv of list ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(-?\d+)$/.exec(kv);
    if (!m) throw new UsageError(`--param needs K=V with an integer V, got '${kv}'`);
    // Two values for one parameter: which one the user meant is not ours to guess.
    if (Object.hasOwn(out, m[1])) throw new UsageError(`--param ${m[1]} is given twice (${m[1]}=${out[m[1]]} and ${kv})`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function helpText(): string {
  const lines = ['mmcheck — a model checker for the Linux kernel\'s lockless mm protocols and the LKMM', '', 'Commands:'];
  for (const c of Object.values(COMMANDS)) lines.push(`  mmcheck ${c}`);
  lines.push('', 'Options:');
  for (const o of OPTIONS) if (!o.herd) lines.push(`  --${o.name}${o.arg ? ` ${o.arg}` : ''}`.padEnd(30) + `${o.help} [${o.commands.join(', ')}]`);
  lines.push('', `herd7's options (mmcheck help herd7): ${OPTIONS.filter((o) => o.herd && o.herd !== 'ignored').map((o) => `-${o.name}`).join(' ')}`);
  lines.push('', EXIT_CODES, '', 'mmcheck --version prints the version.');
  return lines.join('\n');
}

const EXIT_CODES = 'Exit codes: 0 no violation (check --all: no verdict unexpected; documented findings included), 1 violation, 2 bad input or usage, 3 internal error.';

/** `mmcheck help <command>`: its usage line, what it does, and its options. */
export function commandHelp(command: string): string {
  if (command === 'herd7') return herd7HelpText();
  const line = COMMANDS[command];
  if (!line) throw new UsageError(`no command '${command}'${didYouMean(command, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const [usage, what] = line.split(' — ');
  const opts = OPTIONS.filter((o) => o.commands.includes(command));
  const lines = [`usage: mmcheck ${usage}${opts.length ? ' [options]' : ''}`, '', `  ${what}`];
  if (opts.length) {
    lines.push('', 'Options:');
    for (const o of opts) lines.push(`  --${o.name}${o.arg ? ` ${o.arg}` : ''}`.padEnd(30) + o.help);
  }
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}

/** mmcheck's version, from its package.json. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** `mmcheck herd7 -help`: herd7's options as mmcheck takes them, from the table. */
export function herd7HelpText(): string {
  const lines = [`usage: mmcheck herd7 [options] <file.litmus>…   (or mmcheck-herd7, installed under the name herd7)`, '', 'Options (one dash, as herd7; in a .cfg file the same names are keys: "macros linux-kernel.def"):'];
  const herd = OPTIONS.filter((o) => o.herd);
  for (const o of herd.filter((x) => x.herd !== 'ignored')) lines.push(`  -${o.name}${o.arg ? ` ${o.arg}` : ''}  `.padEnd(30) + o.help);
  lines.push('', `Accepted and ignored: ${herd.filter((o) => o.herd === 'ignored').map((o) => `-${o.name}`).join(' ')}`);
  lines.push('Any other option is refused (exit 2). Exit codes: 0 every test checked, 2 bad input, 124 a test given up at -timeout, 3 internal error.');
  return lines.join('\n');
}
