// What `mmcheck check <target>` can name: a TypeScript file of the user's (default export: a
// program, a scenario, or an array of them), a scenario of the kernel catalog, or a benchmark
// program. A target resolves to a list of (label, program, expectation) runs.
import { existsSync } from 'node:fs';
import type { Program } from '../engine/program.ts';
import type { Scenario, Variant } from '../kernel/catalog.ts';
import { programs } from '../programs/index.ts';
import { InputError, UsageError } from './options.ts';
import { didYouMean } from './suggest.ts';

export interface Run {
  /** What `replay` needs to find this program again. */
  target: string;
  scenario?: string;
  variant?: Variant;
  /** The documented weak-memory findings of the run's scenario (its variants with `finding`). */
  findings?: Variant[];
  program: Program;
}

export { InputError };

function isProgram(x: unknown): x is Program {
  return !!x && typeof x === 'object' && typeof (x as Program).setup === 'function' && typeof (x as Program).name === 'string';
}

function isScenario(x: unknown): x is Scenario {
  return !!x && typeof x === 'object' && Array.isArray((x as Scenario).variants);
}

async function loadFile(file: string): Promise<unknown> {
  // Loaded only for a file: it brings node:crypto, node:module and node:worker_threads, which a
  // benchmark program or a catalog scenario does not need (docs/performance.md, "Start-up").
  const { importUserFile, userMessage, userLocation } = await import('./user-file.ts');
  try {
    const mod = await importUserFile(file);
    // A file outside an ESM package is compiled as CommonJS: its exports then sit under `default`.
    for (const ns of [mod, mod.default as Record<string, unknown> | undefined]) {
      if (!ns || typeof ns !== 'object') continue;
      if (isProgram(ns) || isScenario(ns) || Array.isArray(ns)) return ns;
      for (const v of [ns.default, ns.scenario, ns.program, ...Object.values(ns)]) {
        if (isProgram(v) || isScenario(v) || (Array.isArray(v) && v.length && v.every((x) => isProgram(x) || isScenario(x)))) return v;
      }
    }
    return undefined;
  } catch (e) {
    const where = userLocation(e, file) ?? file;
    const first = (e as { errors?: { text: string }[] })?.errors?.[0]?.text;
    const msg = first ?? (e as Error)?.message?.split('\n').find((l) => l.trim() && !/^(Transform|Build) failed/.test(l)) ?? String(e);
    throw new InputError(`cannot load ${file}: ${userMessage(msg.replace(/^.*?ERROR: /, ''))}`, where);
  }
}

/**
 * What a user's scenario lacks to be run and judged (null: nothing): without a variant, a variant
 * without a program or an expected verdict, the run crashed or judged against `undefined`.
 */
function scenarioFault(s: Scenario): string | null {
  if (typeof s.name !== 'string' || !s.name) return 'has no name';
  if (s.variants.length === 0) return 'has no variants';
  for (const [i, v] of s.variants.entries()) {
    const at = `variant ${i + 1}${v && typeof v.name === 'string' ? ` (${v.name})` : ''}`;
    if (!v || typeof v !== 'object' || typeof v.name !== 'string' || !v.name) return `${at} has no name`;
    if (!isProgram(v.program)) return `${at} has no program (defineProgram({ name, setup }))`;
    if (typeof v.expected !== 'string' || !v.expected) return `${at} has no expected verdict ('ok' or the invariant it breaks)`;
    if (v.model !== undefined && v.model !== 'sc' && v.model !== 'tso' && v.model !== 'lkmm') return `${at} has model ${JSON.stringify(v.model)} (sc, tso or lkmm)`;
  }
  return null;
}

function scenarioRuns(target: string, s: Scenario, variant: string | undefined, all: boolean): Run[] {
  const findings = s.variants.filter((v) => v.finding);
  if (all) return s.variants.map((v) => ({ target, scenario: s.name, variant: v, findings, program: v.program }));
  const name = variant ?? 'safe';
  const v = s.variants.find((x) => x.name === name);
  if (!v) throw new UsageError(`scenario ${s.name} has no variant '${name}'${didYouMean(name, s.variants.map((x) => x.name))} (variants: ${s.variants.map((x) => x.name).join(', ')})`);
  return [{ target, scenario: s.name, variant: v, findings, program: v.program }];
}

export async function resolveTarget(target: string, variant: string | undefined, allVariants: boolean): Promise<Run[]> {
  if (/\.[cm]?[tj]s$/.test(target) || existsSync(target)) {
    if (!existsSync(target)) throw new InputError(`no such file: ${target}`, target);
    const x = await loadFile(target);
    const list = Array.isArray(x) ? x : [x];
    const runs: Run[] = [];
    for (const item of list) {
      if (isScenario(item)) {
        const fault = scenarioFault(item);
        if (fault) throw new InputError(`the scenario ${typeof item.name === 'string' ? `${item.name} ` : ''}${fault}`, `${target}:1:1`);
        runs.push(...scenarioRuns(target, item, variant, allVariants || list.length > 1));
      }
      else if (isProgram(item)) runs.push({ target, program: item });
      else throw new InputError(`${target} exports neither a program (defineProgram({ name, setup })) nor a scenario ({ name, variants })`, `${target}:1:1`);
    }
    if (variant && runs.every((r) => !r.variant)) throw new UsageError(`--variant: ${target} has no scenarios`);
    return runs;
  }
  // A benchmark program first: it needs nothing of the kernel loaded, and no scenario has a
  // program's name (test/cli/startup.test.ts).
  const p = programs.find((x) => x.name === target);
  if (p) {
    if (variant || allVariants) throw new UsageError(`${target} is a benchmark program; it has no variants`);
    return [{ target, program: p }];
  }
  const { catalog, findScenario } = await import('../kernel/catalog.ts');
  const s = findScenario(target);
  if (s) return scenarioRuns(target, s, variant, allVariants);
  const names = [...catalog.map((x) => x.name), ...programs.map((x) => x.name)];
  throw new UsageError(`unknown target '${target}': not a file, a catalog scenario or a program${didYouMean(target, names)} (see: mmcheck list)`);
}

export async function catalogRuns(): Promise<Run[]> {
  const { catalog } = await import('../kernel/catalog.ts');
  return catalog.flatMap((s) => scenarioRuns(s.name, s, undefined, true));
}
