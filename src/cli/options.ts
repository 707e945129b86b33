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
}

export const OPTIONS: OptionSpec[] = [
  { name: 'param', type: 'list', arg: 'K=V', help: 'set a program parameter (integer), e.g. --param N=10; repeatable', commands: ['check', 'replay', 'bench'] },
  { name: 'model', type: 'string', arg: 'sc|tso|lkmm', help: 'memory model (default: sc, or the variant\'s own model)', commands: ['check', 'replay'] },
  { name: 'variant', type: 'string', arg: 'NAME', help: 'a variant of a catalog scenario (default: safe)', commands: ['check', 'replay'] },
  { name: 'all-variants', type: 'flag', help: 'check every variant of the scenario', commands: ['check'] },
  { name: 'all', type: 'flag', help: 'check the whole scenario catalog and print a table', commands: ['check'] },
  { name: 'bugs', type: 'flag', help: 'the bug-history catalog: real mm races fixed in mainline, each with its pre-fix and fixed variants (check: a table; with --all, after the seed catalog)', commands: ['check', 'list'] },
  { name: 'invariants', type: 'flag', help: 'the invariants the kernel model checks (I1–I16), with what each means', commands: ['list'] },
  { name: 'functions', type: 'flag', help: 'every modeled kernel function with its kernel file and the versions the model follows', commands: ['list'] },
  { name: 'all-violations', type: 'flag', help: 'keep exploring after a violation: count the violating executions per invariant, with a replay for each (--all and --all-variants always do)', commands: ['check'] },
  { name: 'max-executions', type: 'int', arg: 'N', help: 'stop after N executions (the result is then bounded, not a proof)', commands: ['check'] },
  { name: 'timeout', type: 'number', arg: 'S', help: 'stop after S seconds (the result is then bounded, not a proof)', commands: ['check'] },
  { name: 'random', type: 'int', arg: 'N', help: 'sample N random executions instead of exploring all (a sample, not a proof)', commands: ['check'] },
  { name: 'seed', type: 'int', arg: 'S', help: 'seed for --random (default 1)', commands: ['check'] },
  { name: 'schedule', type: 'string', arg: 'S', help: 'the schedule a violation printed', commands: ['replay'] },
  { name: 'json', type: 'flag', help: 'print one JSON object {"results": [...]}', commands: ['check', 'bench', 'list', 'merge'] },
  { name: 'trace', type: 'string', arg: 'FILE', help: 'write the counterexample (check, merge) or the replayed execution (replay) as a JSON trace for `mmcheck view`', commands: ['check', 'replay', 'merge'] },
  { name: 'port', type: 'int', arg: 'P', help: 'port for the viewer (default: a free one)', commands: ['view'] },
  { name: 'jobs', type: 'int', arg: 'N', help: 'explore on N threads (default: the machine\'s cores; 1 with --max-executions, which then counts the first N executions of the search order); bench: also time each program on N threads against one', commands: ['check', 'bench'] },
  { name: 'shard', type: 'string', arg: 'I/N', help: 'explore a deterministic 1/N of the search (I from 1 to N) and write it to --out (default shard-I.json); `mmcheck merge` sums the N shards', commands: ['check'] },
  { name: 'checkpoint', type: 'string', arg: 'FILE', help: 'write the run\'s position to FILE now and then (atomically), so that --resume FILE can finish a killed run', commands: ['check'] },
  { name: 'checkpoint-every', type: 'number', arg: 'S', help: 'seconds between checkpoints (default 30)', commands: ['check'] },
  { name: 'resume', type: 'string', arg: 'FILE', help: 'continue the run a checkpoint holds (and keep checkpointing to FILE unless --checkpoint names another)', commands: ['check'] },
  { name: 'out', type: 'string', arg: 'FILE', help: 'bench: also write the JSON results to FILE; check --shard: where the shard\'s result goes', commands: ['bench', 'check'] },
  { name: 'heavy', type: 'flag', help: 'include the benchmarks that take minutes (big1, big2; with --jobs: big1)', commands: ['bench'] },
];

export const COMMANDS: Record<string, string> = {
  check: 'check <file.ts|scenario|program> — explore every execution and report a violation or that there is none',
  replay: 'replay <file.ts|scenario|program> --schedule S — run exactly the execution a violation printed',
  list: 'list — the scenario catalog (with variants and seed threads) and the benchmark programs',
  bench: 'bench [program…] — executions, seconds, executions/s and peak memory per benchmark program',
  merge: 'merge <shard-1.json> … <shard-N.json> — the result one run would print, from the N shards of a `check --shard I/N` run',
  litmus: 'litmus <file.litmus|dir>… [--json] — C litmus tests under the LKMM, printed as herd7 does',
  view: 'view <trace.json|dir> [--port P] — step through a trace (or every trace in a directory) in the browser, served on 127.0.0.1',
  help: 'help [command] — this text, or one command\'s usage and options (also: mmcheck <command> --help)',
};

export class UsageError extends Error {}

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
    const spec = OPTIONS.find((o) => o.name === name);
    if (!spec || !spec.commands.includes(command)) {
      const known = OPTIONS.filter((o) => o.commands.includes(command)).map((o) => o.name);
      throw new UsageError(`unknown option --${name} for '${command}'${didYouMean(name, known, (k) => `--${k}`)} (see: mmcheck help ${command})`);
    }
    if (spec.type === 'flag') { opts[name] = true; continue; }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`--${name} needs a value (${spec.arg})`);
    if (spec.type === 'int') {
      if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a non-negative integer, got '${v}'`);
      opts[name] = Number(v);
    } else if (spec.type === 'number') {
      const n = Number(v);
      if (!(n > 0)) throw new UsageError(`--${name} needs a positive number, got '${v}'`);
      opts[name] = n;
    } else if (spec.type === 'list') {
      ((opts[name] ??= []) as string[]).push(v);
    } else opts[name] = v;
  }
  return { command, positional, opts };
}

export function parseParams(list: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kv of list ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(-?\d+)$/.exec(kv);
    if (!m) throw new UsageError(`--param needs K=V with an integer V, got '${kv}'`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function helpText(): string {
  const lines = ['mmcheck — a model checker for the Linux kernel\'s lockless mm protocols and the LKMM', '', 'Commands:'];
  for (const c of Object.values(COMMANDS)) lines.push(`  mmcheck ${c}`);
  lines.push('', 'Options:');
  for (const o of OPTIONS) lines.push(`  --${o.name}${o.arg ? ` ${o.arg}` : ''}`.padEnd(30) + `${o.help} [${o.commands.join(', ')}]`);
  lines.push('', EXIT_CODES, '', 'mmcheck --version prints the version.');
  return lines.join('\n');
}

const EXIT_CODES = 'Exit codes: 0 no violation (check --all: no verdict unexpected; documented findings included), 1 violation, 2 bad input or usage, 3 internal error.';

/** `mmcheck help <command>`: its usage line, what it does, and its options. */
export function commandHelp(command: string): string {
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
