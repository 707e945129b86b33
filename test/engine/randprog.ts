// Small random programs for differential testing: an AST, its meaning as an mmcheck program,
// and a fast-check generator. Each thread keeps `last`, the value of its latest read.
import fc from 'fast-check';
import { defineProgram, type Program } from '../../src/engine/program.ts';
import { Mode, type Ctx, type ThreadGen } from '../../src/engine/ops.ts';

export type Instr =
  | { k: 'load'; loc: number }
  | { k: 'store'; loc: number; v: number }
  | { k: 'faa'; loc: number; v: number }
  | { k: 'xchg'; loc: number; v: number }
  | { k: 'cas'; loc: number; exp: number; nv: number }
  | { k: 'fence' }
  | { k: 'assume'; c: number }
  | { k: 'await'; loc: number; c: number }
  | { k: 'assert'; c: number }
  | { k: 'locked'; body: Instr }
  | { k: 'if'; c: number; then: Instr; else: Instr }
  /** Spawns a thread running `body` (with its own `last`); join joins the oldest unjoined one. */
  | { k: 'spawn'; body: Instr[] }
  | { k: 'join' }
  /** Object lifetimes (GenOpts.lifetime): free, reallocate, and a load allowed to see freed memory. */
  | { k: 'free'; loc: number }
  | { k: 'alloc'; loc: number; v: number }
  | { k: 'peek'; loc: number }
  /** The thread's own location (t.owned[0]; RandProg.sym): load and store. */
  | { k: 'oload' }
  | { k: 'ostore'; v: number };

export interface RandProg {
  nlocs: number;
  /** Each data location is an object of its own, so free/alloc apply (GenOpts.lifetime). */
  objects?: boolean;
  threads: Instr[][];
  /** A final-state check: a violation when location `loc` ends holding `v`. */
  final?: { loc: number; v: number };
  /**
   * Threads declared symmetric (their bodies are equal): one body function for them all, and
   * each owns one location of its own (`own<tid>`), which the 'oload'/'ostore' instructions use.
   */
  sym?: number[];
}

interface TState { last: number; kids: number[] }

/** The lock word used by `locked` sits after the data locations. */
export function lockLoc(p: RandProg): number {
  return p.nlocs;
}

export function toProgram(p: RandProg, name = 'random'): Program {
  return defineProgram({
    name,
    setup(b) {
      const locs = [...Array(p.nlocs).keys()].map((i) => b.loc(`x${i}`));
      if (p.objects) locs.forEach((l, i) => b.object('obj', `o${i}`, { x: l }));
      const lk = b.loc('lock');
      const sym = p.sym ?? [];
      const own = sym.map((t) => b.loc(`own${t}`));
      const shared = sym.length ? threadBody(p.threads[sym[0]], locs, lk) : null;
      p.threads.forEach((body, tid) => {
        const k = sym.indexOf(tid);
        if (k >= 0) b.thread(`T${tid}`, shared!, { symmetric: 'sym', owns: [own[k]] });
        else b.thread(`T${tid}`, threadBody(body, locs, lk));
      });
      const f = p.final;
      if (f) b.final((s) => (s.value(locs[f.loc]) === f.v ? `x${f.loc} ends ${f.v}` : null));
    },
  });
}

function threadBody(body: Instr[], locs: number[], lk: number): (t: Ctx) => ThreadGen<void> {
  return function* (t: Ctx): ThreadGen<void> {
    const st: TState = { last: 0, kids: [] };
    for (const ins of body) yield* run(t, ins, st, locs, lk);
  };
}

function* run(t: Ctx, ins: Instr, st: TState, locs: number[], lk: number): ThreadGen<void> {
  switch (ins.k) {
    case 'load': st.last = yield t.load(locs[ins.loc]); break;
    case 'store': yield t.store(locs[ins.loc], ins.v); break;
    case 'faa': st.last = yield t.fetchAdd(locs[ins.loc], ins.v); break;
    case 'xchg': st.last = yield t.xchg(locs[ins.loc], ins.v); break;
    case 'cas': st.last = yield t.cmpxchg(locs[ins.loc], ins.exp, ins.nv); break;
    case 'fence': yield t.fence('mb'); break;
    case 'assume': yield t.assume(st.last === ins.c); break;
    case 'await': { const c = ins.c; st.last = yield t.await(locs[ins.loc], (v) => v === c, Mode.Once); break; }
    case 'assert': yield t.assert(st.last !== ins.c, `last == ${ins.c}`); break;
    case 'locked':
      yield t.lock(lk);
      yield* run(t, ins.body, st, locs, lk);
      yield t.unlock(lk);
      break;
    case 'if':
      yield* run(t, st.last === ins.c ? ins.then : ins.else, st, locs, lk);
      break;
    case 'spawn':
      st.kids.push(yield t.spawn(threadBody(ins.body, locs, lk)));
      break;
    case 'join': {
      const kid = st.kids.shift();
      if (kid !== undefined) yield t.join(kid);
      break;
    }
    case 'free': yield t.free(locs[ins.loc]); break;
    case 'alloc': yield t.alloc(locs[ins.loc], ins.v); break;
    case 'peek': t.mayBeFreed(); st.last = yield t.load(locs[ins.loc]); break;
    case 'oload': st.last = yield t.load(t.owned[0]); break;
    case 'ostore': yield t.store(t.owned[0], ins.v); break;
  }
}

export function instr(nlocs: number, depth: number, opts: GenOpts): fc.Arbitrary<Instr> {
  const loc = fc.integer({ min: 0, max: nlocs - 1 });
  const v = fc.integer({ min: 1, max: 3 });
  const c = fc.integer({ min: 0, max: 2 });
  const base: fc.Arbitrary<Instr>[] = [
    fc.record({ k: fc.constant('load' as const), loc }),
    fc.record({ k: fc.constant('load' as const), loc }),
    fc.record({ k: fc.constant('store' as const), loc, v }),
    fc.record({ k: fc.constant('store' as const), loc, v }),
    fc.record({ k: fc.constant('faa' as const), loc, v }),
    fc.record({ k: fc.constant('xchg' as const), loc, v }),
    fc.record({ k: fc.constant('cas' as const), loc, exp: c, nv: v }),
    fc.record({ k: fc.constant('fence' as const) }),
  ];
  if (opts.blocking) {
    base.push(fc.record({ k: fc.constant('assume' as const), c }));
    base.push(fc.record({ k: fc.constant('await' as const), loc, c }));
    // With lifetimes, a failed assertion would be reported before a use-after-free in the same
    // execution (one violation a leaf), which the lifetime comparison needs to see.
    if (!opts.lifetime) base.push(fc.record({ k: fc.constant('assert' as const), c }));
  }
  if (opts.locks) base.push(fc.record({ k: fc.constant('locked' as const), body: fc.oneof(...base.slice(0, 7)) }));
  if (opts.owned) {
    base.push(fc.record({ k: fc.constant('oload' as const) }));
    base.push(fc.record({ k: fc.constant('ostore' as const), v }));
  }
  if (opts.lifetime) {
    base.push(fc.record({ k: fc.constant('free' as const), loc }));
    base.push(fc.record({ k: fc.constant('free' as const), loc }));
    base.push(fc.record({ k: fc.constant('alloc' as const), loc, v }));
    base.push(fc.record({ k: fc.constant('peek' as const), loc }));
  }
  if (depth > 0) {
    const sub = instr(nlocs, depth - 1, opts);
    base.push(fc.record({ k: fc.constant('if' as const), c, then: sub, else: sub }));
  }
  return fc.oneof(...base);
}

export interface GenOpts {
  blocking?: boolean;
  locks?: boolean;
  /**
   * Spawn-heavy threads: a prefix biased to RMWs (so the parent's cmpxchg fails in some
   * executions and writes in others before the spawn), a spawn, maybe a join, a suffix; and a
   * final-state check on one location.
   */
  spawns?: boolean;
  maxThreads?: number;
  maxOps?: number;
  /** Upper bound on the instructions of all threads together (keeps brute force fast). */
  maxTotal?: number;
  /** Every data location is an object; add free, alloc and peek (a load that may see freed memory). */
  lifetime?: boolean;
  /** Add loads and stores of the thread's own location (symmetric threads only). */
  owned?: boolean;
}

export function size(i: Instr): number {
  if (i.k === 'if') return 1 + Math.max(size(i.then), size(i.else));
  if (i.k === 'locked') return 2 + size(i.body);
  if (i.k === 'spawn') return 2 + i.body.reduce((n, x) => n + size(x), 0); // the spawn and the child's end
  return 1;
}

/** A thread of a spawn-heavy program: RMW-biased prefix, spawn, maybe a join, suffix. */
function spawnThread(nlocs: number, opts: GenOpts): fc.Arbitrary<Instr[]> {
  const loc = fc.integer({ min: 0, max: nlocs - 1 });
  const v = fc.integer({ min: 1, max: 3 });
  // cmpxchg expecting 0 or the value another thread stores: it fails and succeeds across executions.
  const rmw: fc.Arbitrary<Instr> = fc.oneof(
    fc.record({ k: fc.constant('cas' as const), loc, exp: fc.integer({ min: 0, max: 1 }), nv: v }),
    fc.record({ k: fc.constant('cas' as const), loc, exp: fc.integer({ min: 0, max: 1 }), nv: v }),
    fc.record({ k: fc.constant('faa' as const), loc, v }),
    fc.record({ k: fc.constant('xchg' as const), loc, v }),
  );
  const any = instr(nlocs, 0, { blocking: opts.blocking });
  return fc.record({
    pre: fc.array(fc.oneof(rmw, rmw, any), { minLength: 0, maxLength: 2 }),
    spawn: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    child: fc.array(any, { minLength: 0, maxLength: 2 }),
    join: fc.boolean(),
    post: fc.array(any, { minLength: 0, maxLength: 2 }),
  }).map(({ pre, spawn, child, join, post }) => [
    ...pre,
    ...(spawn ? [{ k: 'spawn' as const, body: child }, ...(join ? [{ k: 'join' as const }] : [])] : []),
    ...post,
  ]).filter((th) => th.length > 0);
}

export function randProg(opts: GenOpts = {}): fc.Arbitrary<RandProg> {
  const max = opts.maxTotal ?? 9;
  if (opts.spawns) {
    return fc
      .integer({ min: 1, max: 2 })
      .chain((nlocs) =>
        fc.record({
          nlocs: fc.constant(nlocs),
          threads: fc.array(spawnThread(nlocs, opts), { minLength: 1, maxLength: opts.maxThreads ?? 3 }),
          final: fc.record({ loc: fc.integer({ min: 0, max: nlocs - 1 }), v: fc.integer({ min: 0, max: 3 }) }),
        }),
      )
      .filter((p) => p.threads.some((th) => th.some((i) => i.k === 'spawn')))
      .filter((p) => p.threads.reduce((n, th) => n + th.reduce((m, i) => m + size(i), 0), 0) <= max);
  }
  return fc
    .integer({ min: 1, max: 3 })
    .chain((nlocs) =>
      fc.record({
        nlocs: fc.constant(nlocs),
        ...(opts.lifetime ? { objects: fc.constant(true) } : {}),
        threads: fc.array(fc.array(instr(nlocs, 1, opts), { minLength: 1, maxLength: opts.maxOps ?? 4 }), {
          minLength: 2,
          maxLength: opts.maxThreads ?? 4,
        }),
      }),
    )
    .filter((p) => p.threads.reduce((n, th) => n + th.reduce((m, i) => m + size(i), 0), 0) <= max);
}
