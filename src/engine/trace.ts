// Counterexamples for people: one interleaving consistent with a violating graph (staying in
// the current thread when it can), the replay schedule that rebuilds exactly that graph, and the
// CPU-column rendering kernel developers draw by hand.
import { Ev, EvKind, Graph, BlockReason, Life } from './graph.ts';
import { Explorer, type Chooser } from './explore.ts';
import { FREED, OpKind, modeName, rmwName } from './ops.ts';
import type { Instance } from './program.ts';
import type { MemoryModel } from './models/model.ts';
import { NondeterminismError } from './runtime.ts';

/** Events that start a step (an RMW's write part and a read's Block belong to the read's step). */
function isStepStart(g: Graph, e: Ev): boolean {
  if (e.kind === EvKind.Write && e.excl) return false;
  if (e.kind === EvKind.Block && e.block !== BlockReason.Assume && e.idx > 0 && g.threads[e.tid][e.idx - 1].kind === EvKind.Read) return false;
  // A use-after-free stops the thread at its read: the Error is part of the read's step.
  if (e.kind === EvKind.Error && e.opKind !== OpKind.Assert) return false;
  return true;
}

function stepOf(g: Graph, e: Ev): Ev {
  return isStepStart(g, e) ? e : g.threads[e.tid][e.idx - 1];
}

/**
 * A topological order of the graph's steps over po ∪ rf (∪ co ∪ fr when `strong`, which SC
 * graphs always allow), preferring to stay in the thread that ran last.
 */
export function linearize(g: Graph, strong: boolean): Ev[] {
  const steps: Ev[] = [];
  for (const th of g.threads) for (const e of th) if (isStepStart(g, e)) steps.push(e);
  const index = new Map<Ev, number>();
  steps.forEach((s, i) => index.set(s, i));
  const preds: number[][] = steps.map(() => []);
  const edge = (a: Ev, b: Ev): void => {
    if (a.tid < 0) return;
    const sa = index.get(stepOf(g, a)) as number;
    const sb = index.get(stepOf(g, b)) as number;
    if (sa !== sb) preds[sb].push(sa);
  };
  for (const th of g.threads) {
    for (const e of th) {
      if (e.idx > 0) edge(th[e.idx - 1], e);
      else if (g.slots[e.tid].spawn) edge(g.slots[e.tid].spawn as Ev, e);
      if (e.kind === EvKind.Join) { const c = g.threads[e.val]; edge(c[c.length - 1], e); }
      if (e.kind === EvKind.Read && e.rf) {
        edge(e.rf, e);
        if (strong) {
          const list = g.co[e.loc];
          const n = list[e.rf.coPos + 1];
          if (n && !(n.tid === e.tid && n.idx === e.idx + 1)) edge(e, n);
        }
      }
      if (strong && e.kind === EvKind.Write && e.coPos > 0) edge(g.co[e.loc][e.coPos - 1], e);
    }
  }
  const npred = preds.map((p) => p.length);
  const succs: number[][] = steps.map(() => []);
  preds.forEach((ps, b) => { for (const a of ps) succs[a].push(b); });
  const done = new Array<boolean>(steps.length).fill(false);
  const out: Ev[] = [];
  let cur = -1;
  while (out.length < steps.length) {
    let pick = -1;
    for (let i = 0; i < steps.length; i++) {
      if (done[i] || npred[i] > 0) continue;
      if (steps[i].tid === cur) { pick = i; break; }
      if (pick < 0) pick = i;
    }
    if (pick < 0) throw new Error('internal: the graph has no linearization over the chosen relations');
    // Among ready steps of the same thread, take the po-first.
    done[pick] = true;
    out.push(steps[pick]);
    cur = steps[pick].tid;
    for (const b of succs[pick]) npred[b]--;
  }
  return out;
}

/**
 * Tokens `tid` or `tid~k`, joined by dots. k is the non-default choice: for a read, the index of
 * its source among the candidates; for a write, of its co position; for a spawn, the tid the
 * new thread gets when it is not the next free one (the exploration's numbering, replayed).
 */
export function formatSchedule(steps: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < steps.length; i += 2) out.push(steps[i + 1] ? `${steps[i]}~${steps[i + 1]}` : `${steps[i]}`);
  return out.join('.');
}

/** A `--schedule` that is not a schedule (a token other than TID or TID~K): exit 2. */
export class ScheduleError extends Error {}

export function parseSchedule(s: string): number[] {
  const out: number[] = [];
  if (s.trim() === '') return out;
  for (const tok of s.trim().split('.')) {
    const m = /^(\d+)(?:~(\d+))?$/.exec(tok);
    if (!m) throw new ScheduleError(`bad schedule token '${tok}' (expected TID or TID~K)`);
    out.push(Number(m[1]), m[2] ? Number(m[2]) : 0);
  }
  return out;
}

/**
 * A chooser that follows a schedule, noting where the program no longer matches it (a schedule
 * that does not fit: mistyped, or printed for another target, variant, parameter or model — or,
 * when it was printed for this very run, a nondeterministic model).
 */
export class ScheduleChooser implements Chooser {
  private i = 0;
  private k = 0;
  divergence: string | null = null;
  constructor(private readonly steps: readonly number[]) {}
  /** Steps taken so far. */
  get taken(): number { return this.i / 2; }
  get finished(): boolean { return this.i >= this.steps.length; }
  get diverged(): boolean { return this.divergence !== null; }
  thread(runnable: readonly number[]): number {
    if (this.divergence) return -1;
    if (this.i >= this.steps.length) {
      this.divergence = `the schedule ended after ${this.i / 2} steps but threads ${runnable.join(', ')} can still run`;
      return -1;
    }
    const t = this.steps[this.i];
    this.k = this.steps[this.i + 1];
    this.i += 2;
    if (!runnable.includes(t)) {
      this.divergence = `at step ${this.i / 2}, thread ${t} cannot run (runnable: ${runnable.join(', ') || 'none'})`;
      return -1;
    }
    return t;
  }
  spawnId(): number {
    return this.k;
  }
  refuse(why: string): void {
    this.divergence ??= `the schedule does not fit the model at step ${this.i / 2}: ${why}`;
  }
  order(_e: Ev, c: readonly Ev[]): readonly number[] {
    if (this.k >= c.length) {
      this.divergence ??= `at step ${this.i / 2}, choice ~${this.k} does not exist (${c.length} candidate${c.length === 1 ? '' : 's'})`;
      return [];
    }
    return [this.k];
  }
}

/** Follows a target graph's steps in a given order, choosing the target's rf, co and tids. */
class TargetChooser implements Chooser {
  private i = 0;
  refused: string | null = null;
  constructor(private readonly target: Graph, private readonly order_: Ev[], private readonly cur: () => Graph) {}
  thread(runnable: readonly number[]): number {
    if (this.i >= this.order_.length) return -1;
    const t = this.order_[this.i++].tid;
    return runnable.includes(t) ? t : -1;
  }
  spawnId(parent: number, idx: number): number {
    const te = this.target.threads[parent]?.[idx];
    return te && te.kind === EvKind.Spawn ? te.val : 0;
  }
  refuse(why: string): void {
    this.refused ??= why;
  }
  order(e: Ev, c: readonly Ev[]): readonly number[] {
    const T = this.target;
    const te = T.threads[e.tid][e.idx];
    const g = this.cur();
    let want: Ev | null;
    if (e.kind === EvKind.Read) {
      want = te.rf;
    } else {
      const list = T.co[te.loc];
      want = null;
      for (let p = te.coPos - 1; p >= 0; p--) {
        const y = list[p];
        if (y.tid < 0 || (y.tid < g.threads.length && y.idx < g.threads[y.tid].length)) { want = y; break; }
      }
    }
    for (let k = 0; k < c.length; k++) {
      const x = c[k];
      if (want && x.tid === want.tid && (x.tid < 0 || x.idx === want.idx)) return [k];
    }
    return [];
  }
}

/**
 * The order a counterexample is shown and replayed in: over po ∪ rf ∪ co ∪ fr for SC (any SC
 * graph has one, and it reads as the interleaving that happened), else over po ∪ rf.
 */
export function orderOf(g: Graph, model: MemoryModel): Ev[] {
  if (model.name === 'sc') {
    try {
      return linearize(g, true);
    } catch {
      // not an SC graph after all: fall through
    }
  }
  return linearize(g, false);
}

/**
 * The first difference between two graphs of the same program, thread by thread (labels, then
 * sources, then coherence order), or null when they are the same execution. `label` says
 * whether the difference is in what a thread asked for (its body behaved differently) rather
 * than in a choice of the engine.
 */
export function graphDifference(a: Graph, b: Graph): { tid: number; idx: number; label: boolean; what: string } | null {
  const n = Math.max(a.threads.length, b.threads.length);
  const exists = (g: Graph, t: number): boolean => t < g.threads.length && g.exists(t);
  const at = (e: Ev | null): string => (!e ? 'nothing' : e.tid < 0 ? 'init' : `${e.tid}.${e.idx}`);
  for (let t = 0; t < n; t++) {
    if (exists(a, t) !== exists(b, t)) return { tid: t, idx: 0, label: false, what: `thread ${t} exists in one execution only` };
    if (!exists(a, t)) continue;
    const x = a.threads[t], y = b.threads[t];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const e = x[i], f = y[i];
      if (e.kind === EvKind.Read && f.kind === EvKind.Read && at(e.rf) !== at(f.rf)) {
        return { tid: t, idx: i, label: false, what: `read ${t}.${i} reads from ${at(e.rf)} in one execution and from ${at(f.rf)} in the other` };
      }
      if (e.kind !== f.kind || e.opKind !== f.opKind || e.loc !== f.loc || e.val !== f.val || e.mode !== f.mode || e.tag !== f.tag) {
        return { tid: t, idx: i, label: true, what: `the same values gave ${describeStep0(e)} before and ${describeStep0(f)} now` };
      }
    }
    if (x.length !== y.length) return { tid: t, idx: Math.min(x.length, y.length), label: false, what: `thread ${t} has ${x.length} events in one execution and ${y.length} in the other` };
  }
  for (let l = 0; l < a.co.length; l++) {
    const p = a.co[l].map(at).join(' '), q = b.co[l].map(at).join(' ');
    if (p !== q) return { tid: -1, idx: 0, label: false, what: `location ${l} has coherence order ${p} in one execution and ${q} in the other` };
  }
  return null;
}

function describeStep0(e: Ev): string {
  const kinds = ['init', 'read', 'write', 'fence', 'spawn', 'join', 'end', 'block', 'error'];
  return `a ${kinds[e.kind]}${e.loc >= 0 ? ` of location ${e.loc}` : ''}${e.kind === EvKind.Write || e.kind === EvKind.Read ? ` (value ${e.val})` : ''}`;
}

/**
 * Why a run of `ex` did not rebuild `target`: a body that asked for something else on the same
 * values is the model's fault (NondeterminismError, naming where the body yields it); anything
 * else is mmcheck's own.
 */
export function rebuildFailure(ex: Explorer, target: Graph, why: string): Error {
  const d = graphDifference(target, ex.g);
  if (d && d.label && d.tid >= 0) {
    const rt = ex.rts[d.tid];
    const site = rt ? rt.siteAt(target, d.idx) : undefined;
    return new NondeterminismError(rt?.name ?? `T${d.tid}`, d.idx, d.what, site);
  }
  return new Error(`${why}: ${d ? d.what : 'the run stopped early'}`);
}

/**
 * The schedule that rebuilds graph `target` (a leaf of an exploration of `inst`), checked: the
 * run that produced it must have rebuilt exactly `target`, or this throws (see rebuildFailure).
 */
export function scheduleFor(inst: Instance, model: MemoryModel, target: Graph): { schedule: string; order: Ev[] } {
  const order = orderOf(target, model);
  let ex: Explorer;
  const chooser = new TargetChooser(target, order, () => ex.g);
  ex = new Explorer(inst, { model, chooser });
  ex.run();
  if (ex.dead || chooser.refused || graphDifference(target, ex.g)) {
    throw rebuildFailure(ex, target, `internal: the counterexample does not rebuild${chooser.refused ? ` (${chooser.refused})` : ex.dead ? ' (the run died)' : ''}`);
  }
  return { schedule: formatSchedule(ex.steps), order };
}

// ------------------------------------------------------------------ rendering

function show(inst: Instance, loc: number, v: number): string {
  if (v === FREED && inst.locObj[loc] >= 0) return 'freed';
  const s = inst.locs[loc]?.show;
  return s ? s(v) : String(v);
}

function who(w: Ev | null, names: readonly string[]): string {
  if (!w || w.tid < 0) return 'init';
  return names[w.tid] ?? `T${w.tid}`;
}

/** One line describing a step (the event plus its write part or Block). */
export function describeStep(inst: Instance, g: Graph, e: Ev, names: readonly string[]): string {
  const th = g.threads[e.tid];
  const nxt = th[e.idx + 1];
  const ln = (l: number): string => inst.locs[l]?.name ?? `loc${l}`;
  switch (e.kind) {
    case EvKind.Read: {
      const from = who(e.rf, names);
      const src = from === names[e.tid] ? 'own store' : from;
      const wpart = nxt && nxt.kind === EvKind.Write && nxt.excl ? nxt : null;
      const blocked = nxt && nxt.kind === EvKind.Block;
      const v = show(inst, e.loc, e.val);
      switch (e.opKind) {
        case OpKind.Lock:
          return blocked ? `spin_lock(${ln(e.loc)}) spins: held (from ${src})` : `spin_lock(${ln(e.loc)})`;
        case OpKind.Trylock:
          return wpart ? `spin_trylock(${ln(e.loc)}) = 1` : `spin_trylock(${ln(e.loc)}) = 0 (held, from ${src})`;
        case OpKind.Await:
          return blocked ? `wait on ${ln(e.loc)}: reads ${v} (from ${src}) and stays blocked` : `wait on ${ln(e.loc)} → ${v} (from ${src})`;
        case OpKind.Rmw: {
          const name = rmwName[e.rmw];
          return wpart
            ? `${name}(${ln(e.loc)}): ${v} → ${show(inst, e.loc, wpart.val)} (from ${src})`
            : `${name}(${ln(e.loc)}) reads ${v}, no write (from ${src})`;
        }
        default:
          return `${ln(e.loc)} → ${v} (${modeName[e.mode]}, from ${src})`;
      }
    }
    case EvKind.Write:
      if (e.opKind === OpKind.Unlock) return `spin_unlock(${ln(e.loc)})`;
      if (e.life === Life.Free) return `${ln(e.loc)} freed`;
      if (e.life === Life.Alloc) return `${ln(e.loc)} := ${show(inst, e.loc, e.val)} (allocated)`;
      return `${ln(e.loc)} := ${show(inst, e.loc, e.val)} (${modeName[e.mode]})`;
    case EvKind.Fence: return e.label ? `${e.label}()` : `fence ${e.tag}`;
    case EvKind.Spawn: return `spawn ${names[e.val] ?? e.val}`;
    case EvKind.Join: return `join ${names[e.val] ?? e.val}`;
    case EvKind.End: return 'returns';
    case EvKind.Block: return e.block === BlockReason.Assume ? 'assume fails: this path is not taken' : 'blocked';
    case EvKind.Error: return `${e.opKind === OpKind.Assert ? 'ASSERTION FAILED' : 'BUG'}: ${e.inv ? `${e.inv}: ` : ''}${e.tag}`;
    default: return '?';
  }
}

/**
 * The interleaving as columns, one per thread, each row a step labelled with its function. A
 * counterexample stops at the failed assertion or the faulting access (`whole` false: the later
 * steps do not explain it, and a footer counts them); a replay shows the whole execution.
 * `fault`: a use-after-free found at a store once the execution was complete, drawn after it.
 */
export function renderColumns(
  inst: Instance, g: Graph, order: readonly Ev[], names: readonly string[], whole = false,
  fault: { tid: number; idx: number; text: string } | null = null,
): string {
  const threads = [...new Set(order.map((e) => e.tid))].sort((a, b) => a - b);
  const col = new Map<number, number>();
  threads.forEach((t, i) => col.set(t, i));
  const rows: string[][] = [];
  const lastFn = new Map<number, string | null>();
  // Steps after a failed assertion (or the store that a use-after-free is reported at, found
  // only once the execution was complete) do not explain it: stop the picture there.
  const faultStep = fault ? order.findIndex((e) => e.tid === fault.tid && (e.idx === fault.idx || e.idx === fault.idx - 1 && g.threads[e.tid][fault.idx]?.excl)) : -1;
  const faultOf = (e: Ev): Ev | null => {
    const nx = e.kind === EvKind.Read ? g.threads[e.tid][e.idx + 1] : undefined;
    return nx && nx.kind === EvKind.Error && nx.opKind !== OpKind.Assert ? nx : null;
  };
  const errAt = whole ? -1 : faultStep >= 0 ? faultStep : order.findIndex((e) => e.kind === EvKind.Error || faultOf(e) !== null);
  const shown = errAt >= 0 ? order.slice(0, errAt + 1) : order;
  const hidden = order.length - shown.length - order.slice(shown.length).filter((e) => e.kind === EvKind.End).length;
  const quietCount = new Map<string, number>();
  for (const e of shown) {
    if (e.kind === EvKind.End) continue;
    const fn = e.fn;
    if (fn !== null && e.kind !== EvKind.Error && inst.quiet.has(fn)) {
      quietCount.set(fn, (quietCount.get(fn) ?? 0) + 1);
      lastFn.set(e.tid, fn); // the next shown step names its function again, as it did before
      continue;
    }
    const cells = threads.map(() => '');
    const text = describeStep(inst, g, e, names);
    cells[col.get(e.tid) as number] = fn && fn !== lastFn.get(e.tid) ? `${fn}: ${text}` : fn ? `  ${text}` : text;
    lastFn.set(e.tid, fn);
    rows.push(cells);
    const f = faultOf(e);
    if (f) {
      const bug = threads.map(() => '');
      bug[col.get(e.tid) as number] = `  ${describeStep(inst, g, f, names)}`;
      rows.push(bug);
    }
  }
  if (fault && faultStep >= 0 && !whole) {
    const cells = threads.map(() => '');
    cells[col.get(fault.tid) as number] = `  BUG: ${fault.text}`;
    rows.push(cells);
  }
  const headers = threads.map((t) => `${names[t] ?? `T${t}`}:`);
  const width = threads.map((_, i) => Math.min(60, Math.max(headers[i].length, ...rows.map((r) => r[i].length))));
  const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, width[i]))).join('   ').trimEnd();
  const lines = [line(headers), ...rows.map(line)];
  for (const [fn, n] of quietCount) lines.push(`(${n} step${n === 1 ? '' : 's'} of ${fn} not shown: ${inst.quiet.get(fn)})`);
  if (hidden > 0) lines.push(`(${hidden} later step${hidden === 1 ? '' : 's'} of the other threads not shown; mmcheck replay prints the whole execution)`);
  return lines.join('\n');
}

/** Final memory, one `name = value` per location. */
export function renderMemory(inst: Instance, g: Graph): string {
  return inst.locs.map((l, i) => `${l.name} = ${show(inst, i, g.finalValue(i))}`).join(', ');
}
