// A brute-force SC enumerator, independent of the engine, used to check the benchmark programs
// themselves: it runs every interleaving of the threads (each yield is one atomic step, a read
// sees the latest write) and counts the distinct complete execution graphs (po, rf, co).
// Interleavings that reach the same partial graph continue identically, so a state is explored
// once; the cost is the number of distinct partial graphs, fine for small sizes only.
// Supports loads, stores, RMWs, fences, assume, await and assert (no locks, spawn or join).
import { Ctx, OpKind, RmwKind, type Op, type Val } from '../../src/engine/ops.ts';
import { instantiate, type Params, type Program } from '../../src/engine/program.ts';

export interface BruteResult {
  complete: number;
  blocked: number;
  /** Messages of failed assertions (one per distinct graph reaching them). */
  violations: string[];
  states: number;
}

interface ThreadState {
  vals: Val[];
  /** One descriptor per event: 'R<src>', 'W', 'U<src>' (RMW), 'F', 'B' (blocked), 'E' (error). */
  evs: string[];
  status: 'run' | 'done' | 'blocked' | 'error';
}

const INIT = 'i';

export function bruteForce(program: Program, params: Params = {}, maxStates = 2_000_000): BruteResult {
  const inst = instantiate(program, params);
  const nthreads = inst.threads.length;
  const co: string[][] = inst.locs.map(() => [INIT]);
  const val: Val[][] = inst.locs.map((l) => [l.init]);
  const threads: ThreadState[] = inst.threads.map(() => ({ vals: [], evs: [], status: 'run' }));
  const seen = new Set<string>();
  const res: BruteResult = { complete: 0, blocked: 0, violations: [], states: 0 };

  const pending = (tid: number): Op | null => {
    const g = inst.threads[tid]!.body(new Ctx(tid));
    let r = g.next();
    for (const v of threads[tid]!.vals) {
      if (r.done) throw new Error(`thread ${tid} ended during replay`);
      r = g.next(v);
    }
    return r.done ? null : r.value;
  };

  const key = () => threads.map((t) => t.evs.join(',') + '/' + t.status).join('|') + '#' + co.map((c) => c.join(',')).join('|');

  const dfs = (): void => {
    const k = key();
    if (seen.has(k)) return;
    seen.add(k);
    if (++res.states > maxStates) throw new Error(`brute force: more than ${maxStates} states`);
    // Steps that touch no memory (thread end, fence, assume, assert) commute with every other
    // step, so taking one of them first, alone, loses no graph.
    for (let tid = 0; tid < nthreads; tid++) {
      const th = threads[tid]!;
      if (th.status !== 'run') continue;
      const op = pending(tid);
      if (op === null) {
        th.status = 'done';
        dfs();
        th.status = 'run';
        return;
      }
      if (op.kind === OpKind.Fence || op.kind === OpKind.Assume || op.kind === OpKind.Assert) {
        step(tid, th, op);
        return;
      }
    }
    let any = false;
    for (let tid = 0; tid < nthreads; tid++) {
      const th = threads[tid]!;
      if (th.status !== 'run') continue;
      any = true;
      const op = pending(tid);
      if (op === null) {
        th.status = 'done';
        dfs();
        th.status = 'run';
        continue;
      }
      step(tid, th, op);
    }
    if (!any) {
      if (threads.every((t) => t.status === 'done')) res.complete++;
      else if (threads.some((t) => t.status === 'error')) { /* counted in violations */ }
      else res.blocked++;
    }
  };

  const step = (tid: number, th: ThreadState, op: Op): void => {
    const wid = `${tid}.${th.evs.length}`;
    const loc = op.loc;
    const last = () => co[loc]!.length - 1;
    const undo: (() => void)[] = [];
    let ret: Val = 0;
    let ev: string;
    let status: ThreadState['status'] = 'run';
    switch (op.kind) {
      case OpKind.Load:
      case OpKind.Await: {
        ret = val[loc]![last()]!;
        ev = 'R' + co[loc]![last()];
        if (op.kind === OpKind.Await && !(op.f as (v: Val) => boolean)(ret)) status = 'blocked';
        break;
      }
      case OpKind.Store: {
        ev = 'W';
        co[loc]!.push(wid); val[loc]!.push(op.a);
        undo.push(() => { co[loc]!.pop(); val[loc]!.pop(); });
        break;
      }
      case OpKind.Rmw: {
        const old = val[loc]![last()]!;
        const src = co[loc]![last()];
        let nv: Val | undefined;
        switch (op.rmw) {
          case RmwKind.Xchg: nv = op.a; break;
          case RmwKind.Cmpxchg: nv = old === op.a ? op.b : undefined; break;
          case RmwKind.FetchAdd: nv = old + op.a; break;
          case RmwKind.AddUnless: nv = old === op.b ? undefined : old + op.a; break;
          case RmwKind.Fn: nv = (op.f as (v: Val) => Val | undefined)(old); break;
          default: throw new Error(`brute force: unknown RMW kind ${op.rmw}`);
        }
        ret = old;
        if (nv === undefined) ev = 'R' + src;
        else {
          ev = 'U' + src;
          const w = nv;
          co[loc]!.push(wid); val[loc]!.push(w);
          undo.push(() => { co[loc]!.pop(); val[loc]!.pop(); });
        }
        break;
      }
      case OpKind.Fence: ev = 'F'; break;
      case OpKind.Assume: ev = op.cond ? 'A' : 'B'; if (!op.cond) status = 'blocked'; break;
      case OpKind.Assert: {
        ev = op.cond ? 'A' : 'E';
        if (!op.cond) {
          status = 'error';
          const m = op.tag;
          res.violations.push(typeof m === 'function' ? m() : String(m));
        }
        break;
      }
      default:
        throw new Error(`brute force: unsupported operation kind ${op.kind}`);
    }
    th.evs.push(ev); th.vals.push(ret); th.status = status;
    dfs();
    th.evs.pop(); th.vals.pop(); th.status = 'run';
    for (const u of undo) u();
  };

  dfs();
  return res;
}
