// `mmcheck herd7 …` (and bin/mmcheck-herd7.js): herd7's command line. Options are read in order,
// one dash each, as herd7 reads them; `-conf FILE` reads a configuration file at that point,
// whose `key value` lines are the same options (so `-conf linux-kernel.cfg -bell other.bell`
// replaces the .cfg's bell, and the other order keeps it). Every option comes from the table in
// ../options.ts; what each one sets is below; checking the tests is src/litmus/herd7/run.ts.
import { readFileSync } from 'node:fs';
import { CAT_LIBDIR } from '../../axiomatic/cat/index.ts';
import { ConfError, readConf } from '../../litmus/herd7/conf.ts';
import type { ShowMode } from '../../litmus/herd7/dot.ts';
import { defaultSettings, Herd7Error, libfind, runHerd7, type Herd7Settings } from '../../litmus/herd7/run.ts';
import { UsageError, findOption, herd7HelpText, version, type OptionSpec } from '../options.ts';
import { err, out } from '../print.ts';


/** Thrown by -version / -libdir / -help: print this and exit 0. */
class Exit {
  constructor(readonly text: string) {}
}

/** Applies option `spec` with `value` (already checked against the table) to the settings. */
function apply(st: Herd7Settings, spec: OptionSpec, value: string, where: string, depth: number): void {
  const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  switch (spec.name) {
    case 'conf': return readConfFile(st, value, where, depth + 1);
    case 'bell': st.bell = value; return;
    case 'cat': case 'model':
      if (!/\.(cat|mdl)$/.test(value)) throw new UsageError(`${where}-${spec.name} ${value}: mmcheck implements only cat models (FILE.cat), not herd7's built-in model '${value}'`);
      st.cat = value;
      return;
    case 'macros': st.macros = value; return;
    case 'variant': st.variants.push(...list(value)); return;
    case 'I': st.includes.push(value); return;
    case 'skipchecks': case 'skipcheck': st.skipChecks.push(...list(value)); return;
    case 'through': st.through = value as Herd7Settings['through']; return;
    case 'show': st.show = value as ShowMode; return;
    case 'nshow': st.nshow = Number(value); return;
    case 'o': st.outDir = value; return;
    case 'suffix': st.suffix = value; return;
    case 'timeout': st.timeout = Number(value); return;
    case 'version': throw new Exit(`mmcheck herd7 ${version()} (mmcheck's herd7-compatible command line for the kernel's LKMM scripts; herd7 7.58's output format)`);
    case 'libdir': throw new Exit(CAT_LIBDIR);
    default:
      if (spec.herd === 'ignored') return;
      throw new Error(`herd7 option -${spec.name} is in the table but not applied`);
  }
}

/** Checks a value against the option's type in the table; returns it as a string. */
function checkValue(spec: OptionSpec, v: string | undefined, where: string): string {
  if (spec.type === 'flag') return '';
  if (v === undefined) throw new UsageError(`${where}-${spec.name} needs a value (${spec.arg})`);
  if (spec.values && !spec.values.includes(v.toLowerCase())) throw new UsageError(`${where}-${spec.name} ${v}: expected one of ${spec.values.join(', ')}`);
  if (spec.type === 'int' && !/^\d+$/.test(v)) throw new UsageError(`${where}-${spec.name} needs a non-negative integer, got '${v}'`);
  if (spec.type === 'number' && !(Number(v) > 0)) throw new UsageError(`${where}-${spec.name} needs a positive number, got '${v}'`);
  return spec.values ? v.toLowerCase() : v;
}

function readConfFile(st: Herd7Settings, name: string, where: string, depth: number): void {
  if (depth > 20) throw new UsageError(`${where}-conf ${name}: configuration files include each other too deeply`);
  let file: string;
  try {
    file = libfind(st, name, 'configuration');
  } catch (e) {
    if (e instanceof Herd7Error) throw new UsageError(`${where}${e.message}`);
    throw e;
  }
  let entries;
  try {
    entries = readConf(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof ConfError) throw new UsageError(e.message);
    throw e;
  }
  for (const en of entries) {
    const at = `${file}:${en.line}:1: `;
    const spec = findOption(en.key, 'herd7');
    if (!spec || spec.type === 'flag') throw new UsageError(`${at}unknown key '${en.key}' (mmcheck's herd7 mode accepts the keys listed by mmcheck herd7 -help)`);
    const atValue = `${file}:${en.line}:${en.col}: `;
    apply(st, spec, checkValue(spec, en.value, atValue), atValue, depth);
  }
}

/** Parses herd7's command line into settings and test files. Throws UsageError or Exit. */
export function parseHerd7Args(argv: string[], cwd: string, env: Record<string, string | undefined>): { settings: Herd7Settings; tests: string[] } {
  const st = defaultSettings(cwd, env);
  const tests: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-help' || a === '--help' || a === '-h') throw new Exit(herd7HelpText());
    if (!a.startsWith('-') || a === '-') {
      tests.push(a);
      continue;
    }
    const spec = findOption(a.slice(1), 'herd7');
    if (!spec) {
      const known = a.startsWith('--') ? findOption(a.slice(2), 'herd7') : undefined;
      throw new UsageError(`unknown herd7 option ${a}${known ? ` (herd7's options take one dash: -${known.name})` : ''}; mmcheck herd7 -help lists the options it takes (docs/herd7.md says why the others are not)`);
    }
    const v = spec.type === 'flag' ? '' : argv[++i];
    apply(st, spec, checkValue(spec, v, ''), '', 0);
  }
  return { settings: st, tests };
}

export function herd7Cmd(argv: string[]): number {
  let parsed;
  try {
    parsed = parseHerd7Args(argv, process.cwd(), process.env);
  } catch (e) {
    if (e instanceof Exit) {
      out(e.text);
      return 0;
    }
    throw e;
  }
  let { tests } = parsed;
  if (tests.length === 0) {
    if (process.stdin.isTTY) throw new UsageError('herd7 needs litmus test files (or their names on standard input); mmcheck herd7 -help lists the options');
    // herd7 reads the test names from standard input when none is given.
    tests = readFileSync(0, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }
  return runHerd7(parsed.settings, tests, { out: (s) => process.stdout.write(s), err });
}
