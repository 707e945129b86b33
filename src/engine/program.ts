// What a program given to the engine looks like: a setup that creates locations and threads
// from parameters, and optional checks on the final state. Thread bodies must communicate only
// through yields: any state shared outside the engine makes the model nondeterministic.
import { FREED, type Loc, type PropertyRef, type ThreadFn, type Val } from './ops.ts';
import { ModelError, declaredAt, userCall } from './errors.ts';
import { ResourceError, checkHeap } from './memory.ts';
import { symmetryGroups, type SymmetryGroup } from './symmetry.ts';
import type { TraceValue } from '../trace-format/index.ts';

/** A program's integer parameters by name (`--param K=V`). */
export type Params = Record<string, number>;

/**
 * A parameter's declaration: its default and the integers `--param` may set it to, inclusive.
 * The range is the program's promise of what its setup handles: a value outside it is refused
 * (exit 2) instead of being run as something else.
 */
export interface ParamSpec {
  default: number;
  min: number;
  max: number;
}

/**
 * Parameter declarations by name. A bare number declares a default only, with the range from
 * min(0, default) up (programs written before ranges); mmcheck's own programs declare ranges.
 */
export type ParamDecls = Record<string, number | ParamSpec>;

/** The final state of a complete execution, for `Builder.final` checks. */
export interface FinalState {
  /** The co-last value of a location. */
  value(loc: Loc): Val;
  /** The value a static thread's body returned (undefined if it returned nothing or blocked). */
  result(tid: number): unknown;
}

/** A violation found by a final-state check, naming the property (e.g. an invariant) it breaks. */
export interface FinalViolation {
  invariant: PropertyRef;
  message: string;
}

/** A shared location as declared with `Builder.loc`. */
export interface LocInfo {
  name: string;
  init: Val;
  /** Optional pretty-printer for values of this location in traces (e.g. a PTE decoder). */
  show?: (v: Val) => string;
  /** Its value type's name and decoder, when declared with one (see ValueType). */
  type?: string;
  decode?: (v: Val) => TraceValue;
}

/**
 * A type for a location's values: a name, the text a trace prints (`show`) and the value as data
 * (`decode`) for tools that read traces, such as the viewer. A reader takes the meaning of a value
 * from `decode`, never from the text, so the text may be reworded freely. Used only when a trace
 * is written, never while exploring.
 */
export interface ValueType {
  /** The type's name, e.g. 'lock', 'pmd' (src/trace-format/values.ts lists the kernel's). */
  readonly type: string;
  show(v: Val): string;
  decode(v: Val): TraceValue;
}

/** How traces show a location's values: a pretty-printer, or a ValueType (text and data). */
export type LocDisplay = ((v: Val) => string) | ValueType;

/**
 * An object of the program (a page table, a folio, an xarray node …): a named group of its
 * locations, with a kind. Objects give traces and the viewer typed state, and give memory its
 * lifetime: a location freed with t.free() may not be accessed again until t.alloc() reinitializes
 * it; an access that does is reported at the access as a violation of `invariant`.
 */
export interface ObjInfo {
  id: number;
  /** What it is, e.g. 'pagetable', 'folio', 'cpu' (the viewer groups and draws by kind). */
  kind: string;
  name: string;
  /** Its fields: a name for each location or array of locations. */
  fields: Record<string, Loc | Loc[]>;
  /** Every location of the object, in field order. */
  locs: Loc[];
  /** The property a use-after-free of this object breaks (default: 'use-after-free'). */
  invariant: string | null;
  /**
   * Set when the object's memory starts out not allocated (Builder.object's `unallocated`): why an
   * access to it is wrong, e.g. 'physical page 0 is not a page table'.
   */
  unallocated: string | null;
  /** Data about the object beyond its locations, for traces (e.g. a CPU's number). */
  attrs: Record<string, TraceValue>;
}

/** A thread declared with `Builder.thread`. */
export interface ThreadInfo {
  name: string;
  body: ThreadFn;
  /** The symmetry group it was declared in (ThreadOpts.symmetric), or null. */
  symmetric: string | null;
  /** Its own locations (ThreadOpts.owns): what `t.owned` gives the body. */
  owns: Loc[];
}

/** How a thread is declared beyond its name and body (Builder.thread). */
export interface ThreadOpts {
  /**
   * Declares the thread one of a group of identical threads (e.g. 'walker'): the same body
   * function, and the same locations except its own (`owns`). The search then explores the
   * executions up to permuting the group's threads (with their own locations), counting one per
   * class. The declaration is checked (symmetry.ts), never assumed: a group whose threads differ
   * is refused.
   */
  symmetric?: string;
  /**
   * Locations that belong to this thread alone (e.g. its CPU's per-CPU word), which the body
   * reaches through `t.owned`. No other thread may access them; a symmetric thread's k-th owned
   * location corresponds to the k-th of each other thread of its group.
   */
  owns?: Loc[];
}

/**
 * The most locations and threads a setup may create. Far beyond what exploration can use (an
 * execution of T threads holds T² view entries; see memory.ts), and small enough that the
 * setup's own arrays never grow past the heap in one step before a check sees them.
 */
const MAX_LOCS = 1 << 20;
const MAX_THREADS = 1 << 16;

/** Checked every few thousand locations or hundred threads while a setup runs. */
function setupBounds(n: number, max: number, what: string): void {
  if (n >= max) {
    throw new ResourceError(`the setup creates more than ${max.toLocaleString('en-US')} ${what}, more than mmcheck can explore ` +
      '(a smaller --param?)');
  }
  checkHeap('the setup', `fewer ${what}, e.g. a smaller --param`);
}

/** What a program's `setup` builds: its shared locations, threads, final checks and quiet labels. */
export class Builder {
  readonly locs: LocInfo[] = [];
  readonly threads: ThreadInfo[] = [];
  readonly finals: ((s: FinalState) => FinalViolation | string | null | undefined | void)[] = [];
  /** Call labels whose own steps printed traces leave out, with the reason the footer gives. */
  readonly quiet = new Map<string, string>();
  readonly objects: ObjInfo[] = [];
  /** Per location, the object it belongs to (-1: none). */
  readonly locObj: number[] = [];

  /**
   * Declares an object made of locations already created with loc()/array(): `fields` names them
   * (a location may belong to one object). `invariant` is what a use-after-free of it breaks
   * (the kernel's page tables: I1). `unallocated` (a reason) makes its memory start out not
   * allocated, so that any access is a fault until t.alloc() initializes it. `attrs`: data about
   * it for traces. Returns the object (its `locs` are what t.free() frees).
   */
  object(kind: string, name: string, fields: Record<string, Loc | Loc[]>,
    opts: { invariant?: PropertyRef; unallocated?: string; attrs?: Record<string, TraceValue> } = {}): ObjInfo {
    const inv = opts.invariant === undefined ? null : typeof opts.invariant === 'string' ? opts.invariant : opts.invariant.id;
    const o: ObjInfo = { id: this.objects.length, kind, name, fields: {}, locs: [], invariant: inv, unallocated: opts.unallocated ?? null, attrs: opts.attrs ?? {} };
    for (const [f, l] of Object.entries(fields)) this.claim(o, f, l);
    this.objects.push(o);
    return o;
  }

  /**
   * Adds a field to an object declared with object(): a location a scenario or another file
   * creates later (a folio's order, a CPU's TLB). The same rules as object()'s fields.
   */
  addField(o: ObjInfo, field: string, loc: Loc | Loc[]): void {
    if (this.objects[o.id] !== o) throw new Error(`object ${o.name} is not an object of this program`);
    if (field in o.fields) throw new Error(`object ${o.name} already has a field '${field}'`);
    this.claim(o, field, loc);
  }

  private claim(o: ObjInfo, field: string, loc: Loc | Loc[]): void {
    for (const l of Array.isArray(loc) ? loc : [loc]) {
      if ((l >>> 0) !== l || l >= this.locs.length) throw new RangeError(`object ${o.name}: ${String(l)} is not a location of this program`);
      if ((this.locObj[l] ?? -1) >= 0) throw new Error(`object ${o.name}: ${this.locs[l].name} already belongs to ${this.objects[this.locObj[l]].name}`);
      while (this.locObj.length <= l) this.locObj.push(-1);
      this.locObj[l] = o.id;
      o.locs.push(l);
      // Memory that starts out unallocated holds the freed pattern: an access to it is a fault
      // (as a free would make it), until an allocation initializes it.
      if (o.unallocated !== null) this.locs[l].init = FREED;
    }
    o.fields[field] = loc;
  }

  /**
   * A shared location with an initial value (0 unless given), and how traces show its values: a
   * pretty-printer, or a ValueType (which also says what the values mean, as data).
   */
  loc(name: string, init: Val = 0, show?: LocDisplay): Loc {
    if ((this.locs.length & 0xfff) === 0) setupBounds(this.locs.length, MAX_LOCS, 'locations');
    if (typeof init !== 'number' || init !== init) throw new TypeError(`b.loc('${name}'): the initial value ${String(init)} is not a number`);
    if (typeof show === 'object') {
      const vt = show;
      this.locs.push({ name, init, show: (v) => vt.show(v), type: vt.type, decode: (v) => vt.decode(v) });
    } else {
      this.locs.push({ name, init, show });
    }
    return this.locs.length - 1;
  }
  /** `n` locations named `name[0]` … `name[n-1]`. */
  array(name: string, n: number, init: Val = 0): Loc[] {
    const out: Loc[] = [];
    for (let i = 0; i < n; i++) out.push(this.loc(`${name}[${i}]`, init));
    return out;
  }
  /**
   * A thread that exists from the start (tids are given in declaration order from 0). `opts`
   * declares it symmetric to others and gives it locations of its own (ThreadOpts).
   */
  thread(name: string, body: ThreadFn, opts: ThreadOpts = {}): number {
    if ((this.threads.length & 0xff) === 0) setupBounds(this.threads.length, MAX_THREADS, 'threads');
    if (!declaredAt.has(body)) declaredAt.set(body, new Error(`thread ${name} is declared here`));
    this.threads.push({ name, body, symmetric: opts.symmetric ?? null, owns: opts.owns ? [...opts.owns] : [] });
    return this.threads.length - 1;
  }
  /**
   * A check on the final state of every complete execution. Return null/undefined when it
   * holds; a string (or { invariant, message }) names the violation.
   */
  final(check: (s: FinalState) => FinalViolation | string | null | undefined | void): void {
    this.finals.push(check);
  }
  /**
   * Leaves the steps made directly inside `t.call(fn, …)` out of printed counterexamples (they
   * still run, count and replay; the trace says how many it left out and `why`). For modeling
   * scaffolding a reader does not need, such as the bracket that makes one instruction atomic.
   */
  quietSteps(fn: string, why: string): void {
    this.quiet.set(fn, why);
  }
}

/** A program for the engine: a name and a `setup` that builds it from its parameters (see defineProgram). */
export interface Program {
  name: string;
  /** One line for `mmcheck list`. */
  description?: string;
  /** Parameters with their defaults and ranges (settable with `--param K=V`). */
  params?: ParamDecls;
  setup(b: Builder, params: Params): void;
}

/** Identity helper that gives a program literal its type. */
export function defineProgram(p: Program): Program {
  if (typeof p === 'object' && p !== null && !declaredAt.has(p)) declaredAt.set(p, new Error('the program is declared here'));
  return p;
}

/** The program's setup run once with the given parameters (defaults filled in). */
export interface Instance {
  program: Program;
  params: Params;
  locs: LocInfo[];
  threads: ThreadInfo[];
  finals: Builder['finals'];
  quiet: Builder['quiet'];
  objects: ObjInfo[];
  /** Per location, the index of its object in `objects`, or -1. */
  locObj: Int32Array;
  /** The groups of symmetric threads the setup declared, checked (symmetry.ts). */
  symmetry: SymmetryGroup[];
}

/** Each parameter's declaration with its range spelled out (a bare number: see ParamDecls). */
export function paramSpecs(program: Program): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [k, d] of Object.entries(program.params ?? {})) {
    const spec = typeof d === 'number' ? { default: d, min: Math.min(0, d), max: Infinity } : d;
    const int = (x: number): boolean => Number.isInteger(x) || x === Infinity || x === -Infinity;
    if (!spec || typeof spec !== 'object' || !Number.isInteger(spec.default) || !int(spec.min) || !int(spec.max) ||
      spec.min > spec.default || spec.default > spec.max) {
      throw new ModelError(`${program.name} declares parameter '${k}' as ${JSON.stringify(d)}: a parameter is a default integer, ` +
        'or { default, min, max } with min <= default <= max', declaredAt.get(program));
    }
    out[k] = spec;
  }
  return out;
}

/** The program's parameters at their defaults. */
export function paramDefaults(program: Program): Params {
  const out: Params = {};
  for (const [k, s] of Object.entries(paramSpecs(program))) out[k] = s.default;
  return out;
}

/** `N=5 (1..64)`: a parameter's default and range, as messages and `mmcheck list` print them. */
export function describeParam(name: string, s: ParamSpec): string {
  return `${name}=${s.default} (${s.min === -Infinity ? '' : s.min}..${s.max === Infinity ? '' : s.max})`;
}

/** Runs `setup` with the program's parameter defaults overridden by `overrides`: the locations and threads to explore. */
export function instantiate(program: Program, overrides: Params = {}): Instance {
  const specs = paramSpecs(program);
  const params = paramDefaults(program);
  const has = (): string => (Object.keys(specs).length
    ? ` (it has: ${Object.entries(specs).map(([k, s]) => describeParam(k, s)).join(', ')})` : ' (it has none)');
  for (const [k, v] of Object.entries(overrides)) {
    // Own keys only: 'toString' or 'constructor' is not a parameter because every object has one.
    const s = Object.hasOwn(specs, k) ? specs[k] : undefined;
    if (!s) throw new ParamError(`unknown parameter '${k}' for ${program.name}${has()}`);
    if (!Number.isInteger(v) || v < s.min || v > s.max) {
      throw new ParamError(`--param ${k}=${v} is out of range for ${program.name}: ${k} must be an integer ` +
        `${s.max === Infinity ? `>= ${s.min}` : `from ${s.min} to ${s.max}`} (default ${s.default})`);
    }
    params[k] = v;
  }
  const b = new Builder();
  userCall(`the setup of ${program.name}`, () => program.setup(b, params), declaredAt.get(program));
  const locObj = new Int32Array(b.locs.length).fill(-1);
  b.locObj.forEach((o, l) => { locObj[l] = o; });
  const symmetry = symmetryGroups(program.name, b.threads, b.locs, b.locObj, b.objects);
  return { program, params, locs: b.locs, threads: b.threads, finals: b.finals, quiet: b.quiet, objects: b.objects, locObj, symmetry };
}

/** A `--param` the program does not declare, or a bad value (exit 2). */
export class ParamError extends Error {}
export { ModelError } from './errors.ts';
