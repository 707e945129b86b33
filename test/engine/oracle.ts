// Brute-force oracles for differential testing (docs/design/exploration.md §6). They run the same mmcheck
// program through the same thread API but explore every interleaving of whole operations
// (SC), or every interleaving of operations and store-buffer flushes (TSO), memoised on state.
// They share no code with the explorer beyond the thread API and the Program type.
import { instantiate, type Program } from '../../src/engine/program.ts';
import { Ctx, OpKind, type Op } from '../../src/engine/ops.ts';
import { rmwNewValue } from '../../src/engine/runtime.ts';

/** Leaf signature: per read its source, per location the co list, the blocked threads. */
export interface OracleResult {
  complete: Set<string>;
  blocked: Set<string>;
  /** Final memory of complete executions, as `v0,v1,…`. */
  finals: Set<string>;
  errors: Set<string>;
}

interface TState {
  /** The values fed to the generator so far (replayed to rebuild it). */
  inputs: number[];
  nev: number;
  status: 'run' | 'done' | 'blocked' | 'error';
}

interface Buffered { loc: number; val: number; id: string }

interface State {
  th: TState[];
  mem: number[];
  lastW: string[];
  co: string[][];
  rf: string[];
  /** TSO store buffers. */
  sb: Buffered[][];
}

/** Re-runs a thread body on recorded inputs and returns its pending op (or null when done). */
function pendingOp(body: (t: Ctx) => Generator<Op, unknown, number>, tid: number, inputs: number[]): Op | null {
  const ctx = new Ctx(tid);
  const g = body(ctx);
  let r = g.next(0);
  let i = 0;
  for (;;) {
    if (r.done) return null;
    const op = r.value;
    if ((op.kind === OpKind.Assume || op.kind === OpKind.Assert) && op.cond) { r = g.next(0); continue; }
    if (i >= inputs.length) return { ...op };
    r = g.next(inputs[i++]);
  }
}

export function bruteForce(program: Program, mode: 'sc' | 'tso' = 'sc'): OracleResult {
  const inst = instantiate(program);
  const n = inst.threads.length;
  const res: OracleResult = { complete: new Set(), blocked: new Set(), finals: new Set(), errors: new Set() };
  const seen = new Set<string>();
  const init: State = {
    th: inst.threads.map(() => ({ inputs: [], nev: 0, status: 'run' as const })),
    mem: inst.locs.map((l) => l.init),
    lastW: inst.locs.map(() => 'init'),
    co: inst.locs.map(() => []),
    rf: [],
    sb: inst.threads.map(() => []),
  };
  const clone = (s: State): State => ({
    th: s.th.map((t) => ({ inputs: [...t.inputs], nev: t.nev, status: t.status })),
    mem: [...s.mem], lastW: [...s.lastW], co: s.co.map((c) => [...c]), rf: [...s.rf], sb: s.sb.map((b) => [...b]),
  });
  const key = (s: State): string => JSON.stringify([s.th, s.mem, s.co, s.rf.slice().sort(), s.sb]);
  const sig = (s: State): string => {
    const blocked = s.th.map((t, i) => (t.status === 'blocked' || t.status === 'error' ? i : -1)).filter((i) => i >= 0);
    return JSON.stringify({ rf: s.rf.slice().sort(), co: s.co, blocked });
  };
  const flush = (s: State, tid: number): void => {
    const b = s.sb[tid].shift() as Buffered;
    s.mem[b.loc] = b.val;
    s.lastW[b.loc] = b.id;
    s.co[b.loc].push(b.id);
  };
  const readVal = (s: State, tid: number, loc: number): [number, string] => {
    const buf = s.sb[tid];
    for (let i = buf.length - 1; i >= 0; i--) if (buf[i].loc === loc) return [buf[i].val, buf[i].id];
    return [s.mem[loc], s.lastW[loc]];
  };
  const write = (s: State, tid: number, loc: number, val: number, id: string, buffered: boolean): void => {
    if (buffered) { s.sb[tid].push({ loc, val, id }); return; }
    s.mem[loc] = val; s.lastW[loc] = id; s.co[loc].push(id);
  };

  const dfs = (s: State): void => {
    const k = key(s);
    if (seen.has(k)) return;
    seen.add(k);
    let moved = false;
    if (mode === 'tso') {
      for (let t = 0; t < n; t++) {
        if (s.sb[t].length) { const s2 = clone(s); flush(s2, t); moved = true; dfs(s2); }
      }
    }
    for (let t = 0; t < n; t++) {
      const ts = s.th[t];
      if (ts.status !== 'run') continue;
      const op = pendingOp(inst.threads[t].body as never, t, ts.inputs);
      const s2 = clone(s);
      const t2 = s2.th[t];
      const id = (): string => `${t}.${t2.nev++}`;
      const fenced = mode === 'tso' && s.sb[t].length > 0;
      if (op === null) { id(); t2.status = 'done'; moved = true; dfs(s2); continue; }
      switch (op.kind) {
        case OpKind.Load: case OpKind.Await: {
          const [v, src] = readVal(s2, t, op.loc);
          s2.rf.push(`${id()}<-${src}`);
          if (op.kind === OpKind.Await && !(op.f as (v: number) => boolean)(v)) { id(); t2.status = 'blocked'; }
          else t2.inputs.push(v);
          break;
        }
        case OpKind.Store: case OpKind.Unlock:
          write(s2, t, op.loc, op.kind === OpKind.Store ? op.a : 0, id(), mode === 'tso');
          t2.inputs.push(0);
          break;
        case OpKind.Rmw: case OpKind.Lock: case OpKind.Trylock: {
          if (fenced) continue; // locked instructions drain the buffer first
          const v = s2.mem[op.loc];
          s2.rf.push(`${id()}<-${s2.lastW[op.loc]}`);
          const nv = op.kind === OpKind.Rmw ? rmwNewValue(op, v) : v === 0 ? 1 : undefined;
          if (op.kind === OpKind.Lock && nv === undefined) { id(); t2.status = 'blocked'; break; }
          if (nv !== undefined) write(s2, t, op.loc, nv, id(), false);
          t2.inputs.push(op.kind === OpKind.Rmw ? v : op.kind === OpKind.Trylock ? (nv !== undefined ? 1 : 0) : 0);
          break;
        }
        case OpKind.Fence:
          if (fenced) continue;
          id(); t2.inputs.push(0);
          break;
        case OpKind.Assume:
          id(); t2.status = 'blocked';
          break;
        case OpKind.Assert:
          id(); t2.status = 'error';
          break;
        default:
          throw new Error(`oracle: unsupported op ${op.kind}`);
      }
      moved = true;
      dfs(s2);
    }
    if (!moved) {
      if (s.sb.some((b) => b.length)) return;
      const blocked = s.th.some((t) => t.status !== 'done');
      const sg = sig(s);
      if (blocked) res.blocked.add(sg);
      else { res.complete.add(sg); res.finals.add(s.mem.join(',')); }
      s.th.forEach((t, i) => { if (t.status === 'error') res.errors.add(`${i}:${sg}`); });
    }
  };
  dfs(init);
  return res;
}
