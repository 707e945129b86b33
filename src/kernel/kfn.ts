// Where each modeled kernel function comes from: one declaration per function, naming the
// kernel file and function it follows and the kernel versions the model is faithful to. The
// declaration also labels the function's steps in traces (it wraps the body in `t.call(name)`),
// so the name a trace prints and the name a reviewer greps the kernel for are one string.
// `mmcheck list --functions` prints the registry; a trace step can name file:function.
import type { Ctx, ThreadGen } from '../engine/ops.ts';
import type { WaitKind } from '../trace-format/index.ts';

/** Where a modeled kernel function comes from: its kernel name, file and the versions followed. */
export interface KernelSource {
  /** The kernel function's name, exactly as in the kernel (the trace label). */
  name: string;
  /** The kernel file it lives in, e.g. 'mm/gup.c' (for a macro or inline, the header). */
  file: string;
  /**
   * The kernel versions the model follows, e.g. 'v6.12–v6.18' or 'v5.19 (before 2ba99c5e0881)'.
   * A function whose modeled code changed across versions is declared once per version it models
   * (see `variantOf`).
   */
  version: string;
  /** What the model leaves out or simplifies, in one line (optional). */
  note?: string;
  /** The function waits for other CPUs (a grace period, an IPI …): traces say so, and the viewer shows the wait. */
  waits?: WaitKind;
}

/** The versions most of the model follows: today's mainline. */
export const MAINLINE = 'v6.12–v6.18';

const registry = new Map<string, KernelSource[]>();
/** Every declaration, by its id (the `id` its steps carry: Ctx.call, Ev.fnId). */
const declarations: KernelSource[] = [];

/** Registers a declaration; its id (the first one's, for a repeat of the same name, file and version). */
function register(src: KernelSource): number {
  const list = registry.get(src.name);
  const same = list?.find((s) => s.file === src.file && s.version === src.version);
  if (same) return declarations.indexOf(same);
  if (!list) registry.set(src.name, [src]);
  else list.push(src);
  declarations.push(src);
  return declarations.length - 1;
}

/**
 * Declares a modeled kernel function: `export const gup_fast = kernelFunction({ name: 'gup_fast',
 * file: 'mm/gup.c', version: 'v6.12–v6.18' }, function* (t, …) { … })`. Calling it runs the body
 * with its steps labelled `gup_fast` in traces: `yield* gup_fast(t, …)`.
 */
export function kernelFunction<A extends unknown[], R>(
  src: KernelSource,
  body: (t: Ctx, ...args: A) => ThreadGen<R>,
): (t: Ctx, ...args: A) => ThreadGen<R> {
  const id = register(src);
  const name = src.name;
  return (t: Ctx, ...args: A): ThreadGen<R> => t.call(name, body(t, ...args), id);
}

/**
 * A step of the model that is not kernel code (a ghost check, the bracket that makes one access a
 * single instruction): its label is parenthesized, `(check)`, so no reader greps the kernel for it.
 */
export function modelStep<A extends unknown[], R>(
  label: `(${string})`,
  body: (t: Ctx, ...args: A) => ThreadGen<R>,
): (t: Ctx, ...args: A) => ThreadGen<R> {
  return (t: Ctx, ...args: A): ThreadGen<R> => t.call(label, body(t, ...args));
}

/** Every declared kernel function, sorted by file then name. */
export function kernelFunctions(): KernelSource[] {
  return [...registry.values()].flat().sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

/**
 * The declaration(s) of the function a trace step names, if it is a modeled kernel function: of
 * those `ids` (the steps' Ev.fnId) when given, else every declaration of the name.
 */
export function kernelSource(name: string | null | undefined, ids?: readonly number[]): KernelSource[] {
  const all = (name && registry.get(name)) || [];
  if (!ids || all.length <= 1) return all;
  const ran = all.filter((s) => ids.includes(declarations.indexOf(s)));
  return ran.length > 0 ? ran : all;
}
