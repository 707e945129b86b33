// Thread replay: each thread is a generator re-run from scratch when the graph under it changed,
// fed the values the graph records, and checked op by op against the graph's events (a mismatch
// means the model is nondeterministic). After a sync, `op` is the thread's pending operation.
import { BlockReason, EvKind, type Ev, type Graph } from './graph.ts';
import { Ctx, DepKind, OpKind, RmwKind, SiteCtx, type FenceKind, type Op, type ThreadFn, type Val } from './ops.ts';
import { ModelError, declaredAt, wrapUserError } from './errors.ts';
import { Fault, readFault } from './lifetime.ts';

/** What a read event still needs before its operation is finished. */
export const Due = { None: 0, WritePart: 1, Block: 2, Fault: 3 } as const;
export type Due = (typeof Due)[keyof typeof Due];

export class NondeterminismError extends ModelError {
  /**
   * `site`: an Error whose stack is the yield of the operation that differs (its first frame
   * outside the engine is the user's file:line), when a re-run could find it.
   */
  constructor(readonly thread: string, readonly idx: number, readonly detail: string, site?: Error) {
    super(`the model is nondeterministic at thread ${thread}, step ${idx + 1}: ${detail} ` +
      '(thread bodies must depend only on the values their yields return; look for Math.random, time, or state shared outside the engine)', site);
  }
}

/** The value an RMW writes after reading `old`, or undefined when it does not write. */
export function rmwNewValue(op: Op, old: Val): Val | undefined {
  switch (op.rmw) {
    case RmwKind.Xchg: return op.a;
    case RmwKind.Cmpxchg: return old === op.a ? op.b : undefined;
    case RmwKind.FetchAdd: return old + op.a;
    case RmwKind.AddUnless: return old === op.b ? undefined : old + op.a;
    default:
      try {
        return (op.f as (v: Val) => Val | undefined)(old);
      } catch (e) {
        throw wrapUserError('an RMW update function', e);
      }
  }
}

/** For a read-like op that read `v`: the value its write part writes (undefined: none). */
export function writePartValue(op: Op, v: Val): Val | undefined {
  switch (op.kind) {
    case OpKind.Rmw: return rmwNewValue(op, v);
    case OpKind.Lock:
    case OpKind.Trylock: return v === 0 ? 1 : undefined;
    default: return undefined;
  }
}

/** Does a read-like op block after reading `v`? */
export function blocksAfter(op: Op, v: Val): boolean {
  if (op.kind === OpKind.Await) {
    try {
      return !(op.f as (v: Val) => boolean)(v);
    } catch (e) {
      throw wrapUserError('an await predicate', e);
    }
  }
  if (op.kind === OpKind.Lock) return v !== 0;
  return false;
}

/** The value handed back to the thread for a read-like op that read `v`. */
export function readResult(op: Op, v: Val): Val {
  if (op.kind === OpKind.Trylock) return v === 0 ? 1 : 0;
  if (op.kind === OpKind.Lock) return 0;
  return v;
}

export function isReadOp(k: OpKind): boolean {
  return k === OpKind.Load || k === OpKind.Await || k === OpKind.Rmw || k === OpKind.Lock || k === OpKind.Trylock;
}

export class ThreadRt {
  ctx: Ctx;
  gen: Generator<Op, unknown, Val> | null = null;
  dirty = true;
  /** The pending operation, or null when the body has returned. */
  op: Op | null = null;
  done = false;
  ret: unknown = undefined;
  /** Set when the thread's last event is a read whose write part or Block is still to be added. */
  due: Due = Due.None;
  /** Moves on whenever the body does (a re-run or a step): what stallsAfter found holds while it stays. */
  private generation = 0;
  /** A second run of the same body, for stallsAfter (its own Ctx: the op a Ctx yields is one object). */
  private shadow: ThreadRt | null = null;
  private peeked = { generation: -1, v: 0, stalls: false };
  /** The one Op the Ctx the body runs with hands out (its own, or a SiteCtx's on the error path). */
  private yields: Op | null = null;

  /**
   * A spawned thread's name and body come from its Spawn event in the graph being replayed
   * (see Ev.body); `spawned` says so. A static thread's are fixed. `nlocs`: see Ctx.
   */
  constructor(readonly tid: number, public name: string, public body: ThreadFn, private readonly nlocs = Infinity, readonly spawned = false,
    private readonly checked: readonly FenceKind[] = []) {
    this.ctx = new Ctx(tid, nlocs, checked);
  }

  private settle(res: IteratorResult<Op, unknown>): void {
    for (;;) {
      if (res.done) {
        this.op = null;
        this.done = true;
        this.ret = res.value;
        return;
      }
      const op = res.value;
      // A body yields what its t's methods return (one Op object per Ctx); anything else
      // (yield 42, a bare yield) is the model's mistake, not a crash of the engine's.
      if (op !== this.yields) throw this.notAnOp(op);
      if ((op.kind === OpKind.Assume || op.kind === OpKind.Assert) && op.cond) {
        res = this.next(0);
        continue;
      }
      this.op = op;
      return;
    }
  }

  private notAnOp(v: unknown): ModelError {
    const what = v === undefined ? 'a bare yield (undefined)' : typeof v === 'object' && v !== null ? 'an object that is not one of its t\'s operations' : `${typeof v} ${String(v)}`;
    return new ModelError(`thread ${this.name} yielded ${what}: a body yields only what its t's methods return (yield t.load(x), yield t.store(x, v), …), and yield* for a helper generator`, declaredAt.get(this.body));
  }

  /** Hands the pending op its result and runs the body to its next operation. */
  advance(v: Val): void {
    this.due = Due.None;
    this.generation++;
    this.settle(this.next(v));
  }

  /**
   * The second run: the same body with the same Ctx settings as this thread's (the fences the
   * model checks, the locations the thread owns), so that it yields the ops this run yields.
   */
  private shadowRt(): ThreadRt {
    if (this.shadow === null) {
      this.shadow = new ThreadRt(this.tid, this.name, this.body, this.nlocs, this.spawned, this.checked);
      this.shadow.ctx.owned = this.ctx.owned;
    }
    return this.shadow;
  }

  /**
   * Would the body, its pending read-like op returning `v`, next ask for a failing assume()?
   * Answered by a second run of the body against the thread's events in g (the thread's own run
   * stays where it is), remembered until the thread moves. A body that throws or misbehaves on
   * the way answers no: the thread then runs, and its own run reports it.
   */
  stallsAfter(g: Graph, v: Val): boolean {
    const p = this.peeked;
    if (p.generation === this.generation && p.v === v) return p.stalls;
    let stalls = false;
    try {
      const s = this.shadowRt();
      s.dirty = true;
      s.sync(g);
      const op = s.op;
      if (op !== null && s.due === Due.None) {
        s.advance(readResult(op, v));
        stalls = s.op !== null && s.op.kind === OpKind.Assume && !s.op.cond;
      }
    } catch {
      stalls = false;
    }
    p.generation = this.generation;
    p.v = v;
    p.stalls = stalls;
    return stalls;
  }

  /**
   * The same question for the read-like op of the thread's event `idx` in g, as if that event and
   * the ones after it were not there: is it a compare-and-swap (no address dependency) that `v`
   * makes fail and that the body answers with a failing assume()? Asked by a backward revisit
   * that would give that CAS the value v (Explorer.ghostable). Not cached: revisits ask once.
   */
  casStallsAt(g: Graph, idx: number, v: Val): boolean {
    try {
      const s = this.shadowRt();
      s.dirty = true;
      s.replay(g, s.ctx, idx);
      const op = s.op;
      if (op === null || s.due !== Due.None || op.kind !== OpKind.Rmw || op.rmw !== RmwKind.Cmpxchg || op.dep === DepKind.Addr || v === op.a) return false;
      s.advance(readResult(op, v));
      return s.op !== null && s.op.kind === OpKind.Assume && !s.op.cond;
    } catch {
      return false;
    }
  }

  private next(v: Val): IteratorResult<Op, unknown> {
    try {
      return (this.gen as Generator<Op, unknown, Val>).next(v);
    } catch (e) {
      throw wrapUserError(`thread ${this.name}`, e, declaredAt.get(this.body));
    }
  }

  /** Binds a spawned thread to the Spawn event that creates it in g. */
  bind(spawn: Ev): void {
    // A graph decoded from another thread carries no closures: the body this run bound stays.
    if (spawn.body) this.body = spawn.body;
    this.name = spawn.tag ?? `thread${this.tid}`;
  }

  private start(g: Graph, ctx: Ctx): void {
    if (this.spawned) this.bind(g.slots[this.tid].spawn as Ev);
    this.generation++;
    ctx.reset();
    this.yields = ctx.op;
    // Inline, not userCall: a replay starts the body again at every revisit, and the closure and
    // the message string would be made each time.
    try {
      this.gen = this.body(ctx) as Generator<Op, unknown, Val>;
    } catch (e) {
      throw wrapUserError(`thread ${this.name}`, e, declaredAt.get(this.body));
    }
    if (!this.gen || typeof this.gen.next !== 'function') {
      throw new ModelError(`thread ${this.name}: its body must be a generator function (function* (t) { … })`, declaredAt.get(this.body));
    }
    this.done = false;
    this.ret = undefined;
    this.due = Due.None;
    this.settle(this.next(0));
  }

  /** Re-runs the body against the thread's events in g (only when dirty). */
  sync(g: Graph): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      this.replay(g, this.ctx, -1);
    } catch (e) {
      if (e instanceof NondeterminismError && !e.original) throw this.located(g, e);
      throw e;
    }
  }

  /**
   * The error path of a mismatch: re-runs the body against the same events with a context
   * that records where each operation is yielded, and names the yield of the op at the
   * mismatching event (or of the last op the re-run reached). The thread is left dirty.
   */
  located(g: Graph, e: NondeterminismError): NondeterminismError {
    const site = this.siteAt(g, e.idx);
    return site ? new NondeterminismError(e.thread, e.idx, e.detail, site) : e;
  }

  /** Where the body yields the op of its event `idx` in g (error path only; leaves the thread dirty). */
  siteAt(g: Graph, idx: number): Error | undefined {
    const ctx = new SiteCtx(this.tid, this.nlocs, this.checked);
    ctx.owned = this.ctx.owned;
    try {
      this.replay(g, ctx, idx);
    } catch {
      // A body that misbehaves differently this time still names where it was.
    }
    this.dirty = true;
    return ctx.site ?? undefined;
  }

  /**
   * Runs the body from scratch against the thread's events in g, feeding each yield what its
   * event recorded and checking that the body asks for the same operation (kind, location,
   * mode, dependency, value stored or written, fence, join target): anything else means the
   * body depends on something besides the values the engine gave it. Stops before event `stop`.
   */
  private replay(g: Graph, ctx: Ctx, stop: number): void {
    this.start(g, ctx);
    const th = g.threads[this.tid];
    const n = th.length;
    let i = 0;
    while (i < n) {
      if (i === stop) return;
      const e = th[i];
      const op = this.op;
      if (op === null) {
        if (e.kind !== EvKind.End) this.mismatch(e, 'the thread returned');
        i++;
        continue;
      }
      if (e.kind === EvKind.Block && op.kind === OpKind.Assume) { i++; continue; }
      if (e.kind === EvKind.Error && op.kind === OpKind.Assert) { i++; continue; }
      if (e.opKind !== op.kind || (e.kind !== EvKind.Fence && e.kind !== EvKind.Spawn && e.kind !== EvKind.Join && e.loc !== op.loc)) {
        this.mismatch(e, `expected ${describeEvent(e)}, got ${describeOp(op)}`);
      }
      if (e.mode !== op.mode || e.dep !== op.dep || e.depLoc !== op.depLoc) {
        this.mismatch(e, `the same ${describeOp(op)} with another access mode or dependency`);
      }
      switch (e.kind) {
        case EvKind.Read: {
          if (e.rmw !== op.rmw && op.kind === OpKind.Rmw) this.mismatch(e, `expected ${describeEvent(e)} by another kind of RMW`);
          if (e.rf !== null && readFault(g, e, op.freedOk) !== Fault.None) {
            // A use-after-free stops the thread at the access (an Error event follows it).
            if (i + 1 < n) {
              if (th[i + 1].kind !== EvKind.Error) this.mismatch(th[i + 1], 'expected the thread to stop at its use-after-free');
              i += 2;
            } else {
              this.due = Due.Fault;
              return;
            }
            break;
          }
          const v = e.val;
          const wv = writePartValue(op, v);
          if (wv !== undefined) {
            if (i + 1 < n) {
              const w = th[i + 1];
              if (w.kind !== EvKind.Write || !w.excl) this.mismatch(e, 'expected the write part of an RMW');
              if (w.val !== wv) this.mismatch(e, `the RMW read ${v} and wrote ${w.val} before, and now writes ${wv}`);
              i += 2;
              this.advance(readResult(op, v));
            } else {
              this.due = Due.WritePart;
              return;
            }
          } else if (blocksAfter(op, v)) {
            if (i + 1 < n) {
              if (th[i + 1].kind !== EvKind.Block) this.mismatch(e, 'expected the thread to block');
              i += 2; // the thread stays blocked at this op
            } else {
              this.due = Due.Block;
              return;
            }
          } else {
            const nx = i + 1 < n ? th[i + 1] : null;
            if (nx && ((nx.kind === EvKind.Write && nx.excl) || (nx.kind === EvKind.Block && nx.block !== BlockReason.Assume))) {
              this.mismatch(e, `after reading ${v} the ${describeOp(op)} ${nx.kind === EvKind.Write ? 'wrote' : 'blocked'} before, and now does not`);
            }
            i++;
            this.advance(readResult(op, v));
          }
          break;
        }
        case EvKind.Write:
          if ((op.kind === OpKind.Store || op.kind === OpKind.Alloc) && e.val !== op.a) this.mismatch(e, `expected a store of ${e.val}, got ${op.a}`);
          i++;
          this.advance(0);
          break;
        case EvKind.Fence:
          if (e.tag !== op.tag) this.mismatch(e, `expected fence ${e.tag}, got ${String(op.tag)}`);
          i++;
          this.advance(0);
          break;
        case EvKind.Spawn:
          if (e.tag !== op.name) this.mismatch(e, `expected the spawn of ${e.tag ?? 'an unnamed thread'}, got ${op.name ?? 'an unnamed thread'}`);
          // A graph decoded from another thread (a part handed off, Explorer.seedSpawns) has no bodies.
          if (e.body === null) e.body = op.body;
          i++;
          this.advance(e.val);
          break;
        case EvKind.Join:
          if (e.val !== op.a) this.mismatch(e, `expected a join of thread ${e.val}, got thread ${op.a}`);
          i++;
          this.advance(0);
          break;
        default:
          i++;
          this.advance(0);
      }
    }
  }

  private mismatch(e: Ev, detail: string): never {
    throw new NondeterminismError(this.name, e.idx, detail);
  }
}

export function describeOp(op: Op): string {
  const names = ['load', 'store', 'rmw', 'fence', 'lock', 'unlock', 'trylock', 'spawn', 'join', 'assume', 'await', 'assert', 'free', 'alloc'];
  return `${names[op.kind]}${op.kind <= OpKind.Trylock || op.kind === OpKind.Await || op.kind >= OpKind.Free ? ` of location ${op.loc}` : ''}`;
}

export function describeEvent(e: Ev): string {
  const names = ['init', 'read', 'write', 'fence', 'spawn', 'join', 'end', 'block', 'error'];
  return `${names[e.kind]}${e.loc >= 0 ? ` of location ${e.loc}` : ''}`;
}
