// The shapes of the catalog (see catalog.ts) and a helper to build a scenario's variants from
// one program factory: every variant is the same model with one knob turned.
import type { Program } from '../engine/program.ts';

/** One variant of a scenario: a program and the verdict exploration must reach under its model. */
export interface Variant {
  /** 'safe' or a knob name. */
  name: string;
  description: string;
  /** Row id of docs/design/variants.md such as 'U4.a' ('safe' variants: the section, e.g. '§1'). */
  ref: string;
  /** 'ok', or the invariant id the exploration must report (e.g. 'I3'). */
  expected: 'ok' | string;
  /** Further invariants of the §12 row that exhaustive exploration must also find broken. */
  also?: string[];
  /** The memory model under which the expectation holds; default 'sc'. */
  model?: 'sc' | 'tso' | 'lkmm';
  /**
   * A barrier-drop variant (docs/seeds.md "Weak memory"): the kernel's protocol with one barrier
   * or ordering it relies on removed. Its `model` is the weakest-needed model that catches it;
   * the stronger models must not (the catalog test checks both).
   */
  barrierDrop?: boolean;
  /**
   * An unsafe variant that is not a row of docs/design/variants.md: where it comes from (the kernel's code
   * at an earlier point of its history, or a change a patch could make). Its `ref` is the section.
   */
  origin?: string;
  /**
   * A finding (docs/weak-memory-findings.md): the kernel's protocol itself, with `expected` the
   * invariant the kernel's code breaks under `model`. `finding` is the doc's section, e.g. '§1'.
   */
  finding?: string;
  /**
   * A finding variant that runs another variant's program than `safe`'s (e.g. a bug's `fixed`
   * kernel, which has the same protocol): that variant's name. Under the finding's model, that
   * variant reproducing the finding is then judged as the finding, as `safe` is.
   */
  findingOf?: string;
  /** A bug-history variant (bugs/): the fixing commit (12 hex) this variant is before or after. */
  commit?: string;
  /** The commit the fix's Fixes: tag names (12 hex). */
  fixes?: string;
  /**
   * The kernel versions whose code this variant is, e.g. 'v5.8–v6.0', 'v6.1+', or 'a rejected
   * design' / 'a hypothetical change to v6.12' for a variant that is no kernel's code.
   */
  kernels?: string;
  program: Program;
}

/** A scenario of the catalog (or a user's file): one protocol with its safe variant and its unsafe ones. */
export interface Scenario {
  name: string;
  description: string;
  /** Seed thread file, e.g. '002'. */
  seed: string;
  /** Section of docs/design/protocols.md, e.g. '§7'. */
  section: string;
  variants: Variant[];
}

type VariantSpecBase = Omit<Variant, 'program' | 'name' | 'finding' | 'findingOf'>;

/**
 * A knob variant names its knob; a finding variant (the safe program, or `findingOf`'s, under
 * another model) any name.
 */
export type VariantSpec<K extends string> = VariantSpecBase &
  ({ name: 'safe' | K; finding?: undefined; findingOf?: undefined } | { name: string; finding: string; findingOf?: K });

/**
 * Builds each variant's program from `make(knob)`, where knob is undefined for 'safe'. `params`
 * (with their defaults) let a scenario be scaled up, e.g. `--param walkers=2`.
 */
export function variants<K extends string>(
  scenario: string,
  make: (knob: K | undefined) => Program['setup'],
  specs: VariantSpec<K>[],
  params?: Program['params'],
): Variant[] {
  return specs.map((s) => ({
    ...s,
    program: {
      name: `${scenario}/${s.name}`,
      description: s.description,
      ...(params ? { params } : {}),
      // A finding variant runs the kernel's protocol unchanged: the knob is off (or findingOf's).
      setup: make(s.name === 'safe' ? undefined : s.finding ? s.findingOf : (s.name as K)),
    },
  }));
}
