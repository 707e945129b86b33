// A tiny herd-style candidate enumerator for hand-written tests of the cat model: it expands
// each thread's operations into XEvents (as src/axiomatic/execution.ts prescribes), enumerates every
// rf (each read may read any write to its location; its value is that write's value), runs the
// model on each candidate and collects the consistent completions.
import type { Execution, XEvent, XKind } from '../../src/axiomatic/execution.ts';
import type { CatOutcome, LkmmModel } from '../../src/axiomatic/lkmm/index.ts';

export type TOp =
  | { r: string; loc: string; a?: string; addr?: string; ctrl?: string } // r = READ(loc)
  | { w: string; v: number | string; a?: string; addr?: string; ctrl?: string } // WRITE(loc, v or register)
  | { f: string; ctrl?: string } // fence with this annotation
  | { xchg: string; v: number; a: string; r?: string } // r = xchg(loc, v): R a; W a
  | { lock: string }
  | { unlock: string }
  | { trylock: string; r?: string } // two paths: success (LKR, LKW) or failure (LF)
  | { islocked: string; r?: string } // two paths: RL or RU
  | { sync_srcu: string };

export interface Litmus {
  init?: Record<string, number>;
  threads: TOp[][];
}

export interface Result {
  /** Number of consistent executions (herd's Positive+Negative). */
  total: number;
  outcomes: { regs: Record<string, number>; flags: string[]; x: Execution; o: CatOutcome }[];
  candidates: number;
}

interface Proto {
  kind: XKind;
  loc: string | null;
  value: number | string; // a register name for values computed from reads
  annot: string;
  atomic: boolean;
  reg?: string; // register that receives a read's value
  addr?: string;
  ctrl?: string;
  rmwWith?: number; // index (in the thread's protos) of the RMW read this write belongs to
}

function expand(ops: TOp[]): Proto[][] {
  let paths: Proto[][] = [[]];
  const push = (ps: Proto[]) => (paths = paths.map((p) => [...p, ...ps]));
  for (const op of ops) {
    if ('r' in op && 'loc' in op) push([{ kind: 'R', loc: op.loc, value: 0, annot: op.a ?? '', atomic: false, reg: op.r, addr: op.addr, ctrl: op.ctrl }]);
    else if ('w' in op) push([{ kind: 'W', loc: op.w, value: op.v, annot: op.a ?? '', atomic: false, addr: op.addr, ctrl: op.ctrl }]);
    else if ('f' in op) push([{ kind: 'F', loc: null, value: 0, annot: op.f, atomic: false, ctrl: op.ctrl }]);
    else if ('xchg' in op) {
      paths = paths.map((p) => [
        ...p,
        { kind: 'R', loc: op.xchg, value: 0, annot: op.a, atomic: true, reg: op.r },
        { kind: 'W', loc: op.xchg, value: op.v, annot: op.a, atomic: true, rmwWith: p.length },
      ]);
    } else if ('lock' in op)
      push([
        { kind: 'LKR', loc: op.lock, value: 0, annot: '', atomic: false },
        { kind: 'LKW', loc: op.lock, value: 1, annot: '', atomic: false },
      ]);
    else if ('unlock' in op) push([{ kind: 'UL', loc: op.unlock, value: 0, annot: '', atomic: false }]);
    else if ('trylock' in op) {
      const ok: Proto[] = [
        { kind: 'LKR', loc: op.trylock, value: 0, annot: '', atomic: false },
        { kind: 'LKW', loc: op.trylock, value: 1, annot: '', atomic: false, reg: op.r },
      ];
      const ko: Proto[] = [{ kind: 'LF', loc: op.trylock, value: 1, annot: '', atomic: false, reg: op.r }];
      if (op.r) {
        ok[1]!.value = 1;
        ko[0]!.value = 0; // register value: 1 on success, 0 on failure
      }
      paths = paths.flatMap((p) => [[...p, ...ok], [...p, ...ko]]);
    } else if ('islocked' in op) {
      paths = paths.flatMap((p) => [
        [...p, { kind: 'RL', loc: op.islocked, value: 1, annot: '', atomic: false, reg: op.r }],
        [...p, { kind: 'RU', loc: op.islocked, value: 0, annot: '', atomic: false, reg: op.r }],
      ]);
    } else if ('sync_srcu' in op) push([{ kind: 'SRCU', loc: op.sync_srcu, value: 0, annot: 'sync-srcu', atomic: false }]);
  }
  return paths;
}

function product<T>(xs: T[][]): T[][] {
  return xs.reduce<T[][]>((acc, x) => acc.flatMap((a) => x.map((y) => [...a, y])), [[]]);
}

export function run(model: LkmmModel, t: Litmus): Result {
  const res: Result = { total: 0, outcomes: [], candidates: 0 };
  const pathSets = t.threads.map(expand);
  for (const paths of product(pathSets)) {
    // events: init writes first
    const locs = new Set<string>(Object.keys(t.init ?? {}));
    for (const p of paths) for (const e of p) if (e.loc) locs.add(e.loc);
    const events: XEvent[] = [];
    const initOf = new Map<string, number>();
    for (const l of locs) {
      initOf.set(l, events.length);
      events.push({ id: events.length, tid: -1, poIndex: 0, kind: 'W', loc: l, value: t.init?.[l] ?? 0, annot: '', atomic: false });
    }
    const idOf: number[][] = [];
    const regSrc = new Map<string, number>(); // register -> read event
    const rmw: [number, number][] = [];
    const addr: [number, number][] = [];
    const data: [number, number][] = [];
    const ctrl: [number, number][] = [];
    paths.forEach((p, tid) => {
      idOf[tid] = [];
      p.forEach((e, k) => {
        const id = events.length;
        idOf[tid]![k] = id;
        events.push({ id, tid, poIndex: k, kind: e.kind, loc: e.loc, value: typeof e.value === 'number' ? e.value : 0, annot: e.annot, atomic: e.atomic });
        if (e.rmwWith !== undefined) rmw.push([idOf[tid]![e.rmwWith]!, id]);
        if (typeof e.value === 'string') data.push([regSrc.get(e.value)!, id]);
        if (e.addr) addr.push([regSrc.get(e.addr)!, id]);
        if (e.ctrl) {
          // ctrl: from the read to this event and every later event of the thread
          for (let j = k; j < p.length; j++) ctrl.push([regSrc.get(e.ctrl)!, -1 - j]);
        }
        if (e.reg) regSrc.set(e.reg, id);
      });
      // resolve ctrl placeholders
      for (const c of ctrl) if (c[1] < 0) c[1] = idOf[tid]![-1 - c[1]]!;
    });
    const reads = events.filter((e) => e.kind === 'R');
    const choices = reads.map((r) => events.filter((w) => w.kind === 'W' && w.loc === r.loc && w.id !== r.id));
    for (const pick of product(choices)) {
      const ev = events.map((e) => ({ ...e }));
      const rf: [number, number][] = [];
      reads.forEach((r, i) => {
        rf.push([pick[i]!.id, r.id]);
        ev[r.id]!.value = pick[i]!.value;
      });
      // values written from registers (one pass in po order suffices for these tests)
      for (const [src, dst] of data) ev[dst]!.value = ev[src]!.value;
      // an RMW read cannot read its own write
      if (rmw.some(([r, w]) => rf.some(([s, d]) => d === r && s === w))) continue;
      const x: Execution = { events: ev, rf, rmw, addr, data, ctrl };
      res.candidates++;
      for (const o of model.check(x)) {
        res.total++;
        const regs: Record<string, number> = {};
        paths.forEach((p, tid) =>
          p.forEach((e, k) => {
            if (e.reg) regs[e.reg] = e.kind === 'R' ? ev[idOf[tid]![k]!]!.value : (e.value as number);
          }),
        );
        res.outcomes.push({ regs, flags: o.flags, x, o });
      }
    }
  }
  return res;
}

/** Number of consistent executions whose registers satisfy `cond`. */
export function count(r: Result, cond: (regs: Record<string, number>) => boolean): number {
  return r.outcomes.filter((o) => cond(o.regs)).length;
}
