// Brute-force oracles for differential testing (docs/design/exploration.md §6). They run the same mmcheck
// program through the same thread API but explore every interleaving of whole operations
// (SC), or every interleaving of operations and store-buffer flushes (TSO), memoised on state.
// They share no code with the explorer beyond the thread API and the Program type.
// Spawned threads are named by their place in the spawn tree (`1/0`: thread 1's first child),
// as test/engine/signature.ts names the explorer's, so tids need not agree. Under TSO a spawn
// and a join order like a full fence (x86: thread creation and joining are serialising), and a
// join waits for the child's store buffer to drain: the explorer's TSO has Spawn and Join in ppo.
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
  /**
   * Signatures of the leaves (complete or blocked) with a use-after-free: a read of freed memory
   * (the thread stops there), or a write, or a second free, placed right after a free in co.
   */
  uaf: Set<string>;
}

interface TState {
  /** The values fed to the generator so far (replayed to rebuild it). */
  inputs: number[];
  nev: number;
  status: 'run' | 'done' | 'blocked' | 'error' | 'uaf';
  /** Static threads: their tid; spawned ones: `parent/k` (the parent's k-th spawn). */
  name: string;
  spawns: number;
}

type Body = (t: Ctx) => Generator<Op, unknown, number>;

interface Buffered { loc: number; val: number; id: string }

interface State {
  th: TState[];
  mem: number[];
  lastW: string[];
  co: string[][];
  rf: string[];
  /** TSO store buffers. */
  sb: Buffered[][];
  /** Each thread's body (not part of the state's key: the parent's inputs determine it). */
  bodies: Body[];
  /** Write ids that freed their location, and those that (re)allocated it. */
  frees: string[];
  allocs: string[];
}

/** Re-runs a thread body on recorded inputs and returns its pending op (or null when done). */
function pendingOp(body: Body, tid: number, inputs: number[]): Op | null {
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
  const res: OracleResult = { complete: new Set(), blocked: new Set(), finals: new Set(), errors: new Set(), uaf: new Set() };
  const seen = new Set<string>();
  const init: State = {
    th: inst.threads.map((_, i) => ({ inputs: [], nev: 0, status: 'run' as const, name: String(i), spawns: 0 })),
    bodies: inst.threads.map((t) => t.body as never),
    mem: inst.locs.map((l) => l.init),
    lastW: inst.locs.map(() => 'init'),
    co: inst.locs.map(() => []),
    rf: [],
    sb: inst.threads.map(() => []),
    frees: [],
    allocs: [],
  };
  const clone = (s: State): State => ({
    th: s.th.map((t) => ({ inputs: [...t.inputs], nev: t.nev, status: t.status, name: t.name, spawns: t.spawns })),
    mem: [...s.mem], lastW: [...s.lastW], co: s.co.map((c) => [...c]), rf: [...s.rf], sb: s.sb.map((b) => [...b]), bodies: [...s.bodies],
    frees: [...s.frees], allocs: [...s.allocs],
  });
  const key = (s: State): string => JSON.stringify([s.th, s.mem, s.co, s.rf.slice().sort(), s.sb]);
  const sig = (s: State): string => {
    // At a leaf a thread still 'run' waits to join a thread that never ends.
    const blocked = s.th.filter((t) => t.status !== 'done').map((t) => t.name).sort();
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
    const n = s.th.length;
    if (mode === 'tso') {
      for (let t = 0; t < n; t++) {
        if (s.sb[t].length) { const s2 = clone(s); flush(s2, t); moved = true; dfs(s2); }
      }
    }
    for (let t = 0; t < n; t++) {
      const ts = s.th[t];
      if (ts.status !== 'run') continue;
      const op = pendingOp(s.bodies[t], t, ts.inputs);
      const s2 = clone(s);
      const t2 = s2.th[t];
      const id = (): string => `${t2.name}.${t2.nev++}`;
      const fenced = mode === 'tso' && s.sb[t].length > 0;
      if (op === null) { id(); t2.status = 'done'; moved = true; dfs(s2); continue; }
      switch (op.kind) {
        case OpKind.Load: case OpKind.Await: {
          const [v, src] = readVal(s2, t, op.loc);
          s2.rf.push(`${id()}<-${src}`);
          if (s2.frees.includes(src) && !op.freedOk) { id(); t2.status = 'uaf'; break; }
          if (op.kind === OpKind.Await && !(op.f as (v: number) => boolean)(v)) { id(); t2.status = 'blocked'; }
          else t2.inputs.push(v);
          break;
        }
        case OpKind.Store: case OpKind.Unlock: case OpKind.Free: case OpKind.Alloc: {
          const w = id();
          if (op.kind === OpKind.Free) s2.frees.push(w);
          if (op.kind === OpKind.Alloc) s2.allocs.push(w);
          write(s2, t, op.loc, op.kind === OpKind.Unlock ? 0 : op.a, w, mode === 'tso');
          t2.inputs.push(0);
          break;
        }
        case OpKind.Rmw: case OpKind.Lock: case OpKind.Trylock: {
          if (fenced) continue; // locked instructions drain the buffer first
          const v = s2.mem[op.loc];
          s2.rf.push(`${id()}<-${s2.lastW[op.loc]}`);
          if (s2.frees.includes(s2.lastW[op.loc]) && !op.freedOk) { id(); t2.status = 'uaf'; break; }
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
        case OpKind.Spawn: {
          if (fenced) continue;
          id();
          const child = s2.th.length;
          s2.th.push({ inputs: [], nev: 0, status: 'run', name: `${t2.name}/${t2.spawns++}`, spawns: 0 });
          s2.bodies.push(op.body as never);
          s2.sb.push([]);
          t2.inputs.push(child);
          break;
        }
        case OpKind.Join: {
          const c = s2.th[op.a];
          if (!c || c.status !== 'done' || s2.sb[op.a].length || fenced) continue;
          id(); t2.inputs.push(0);
          break;
        }
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
      s.th.forEach((t) => { if (t.status === 'error') res.errors.add(`${t.name}:${sg}`); });
      const afterFree = s.co.some((list) => list.some((w, i) => i > 0 && s.frees.includes(list[i - 1]) && !s.allocs.includes(w)));
      if (s.th.some((t) => t.status === 'uaf') || afterFree) res.uaf.add(sg);
    }
  };
  dfs(init);
  return res;
}
