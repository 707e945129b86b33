// The operations a thread yields to the engine, and the thread context that builds them.
// Every shared-memory effect goes through a `yield`; the engine decides what the yield returns.
// One Op object per thread is reused for every yield, so the hot path allocates nothing here.

/** Values in shared memory. Kernel objects encode PTEs, refcounts etc. as small integers. */
export type Val = number;
/** A shared location, as created by `Builder.loc`. */
export type Loc = number;

/** Operation kinds (the one table of what a thread can ask of the engine). */
export const OpKind = {
  Load: 0,
  Store: 1,
  Rmw: 2,
  Fence: 3,
  Lock: 4,
  Unlock: 5,
  Trylock: 6,
  Spawn: 7,
  Join: 8,
  Assume: 9,
  Await: 10,
  Assert: 11,
  /** Frees a location of an object (a write that marks it freed: reading it later is a use-after-free). */
  Free: 12,
  /** Initializes a location of a (re)allocated object: a new generation of its memory. */
  Alloc: 13,
} as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

/** Access modes. `Mb` is a fully ordered access (the kernel's value-returning atomics). */
export const Mode = {
  Plain: 0,
  Once: 1,
  Relaxed: 2,
  Acquire: 3,
  Release: 4,
  AcqRel: 5,
  Mb: 6,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];
/** The name of each access mode, as traces print it (indexed by Mode). */
export const modeName = ['plain', 'once', 'relaxed', 'acquire', 'release', 'acq_rel', 'mb'] as const;

/** Read-modify-write flavours; the engine computes the new value from the old one. */
export const RmwKind = {
  Xchg: 0, // new = a
  Cmpxchg: 1, // new = b if old === a, else no write
  FetchAdd: 2, // new = old + a
  AddUnless: 3, // new = old + a unless old === b (then no write)
  Fn: 4, // new = f(old), or no write when f returns undefined
} as const;
export type RmwKind = (typeof RmwKind)[keyof typeof RmwKind];
/** The name of each RMW flavour, as traces print it (indexed by RmwKind). */
export const rmwName = ['xchg', 'cmpxchg', 'fetch_add', 'add_unless', 'rmw'] as const;

/**
 * Fence kinds: the fence tags of the kernel's linux-kernel.def (the LKMM orders by each; SC
 * ignores them all; TSO honours 'mb', the others being no-ops or implied on x86). A closed set,
 * so a misspelt barrier is a type error rather than a fence that silently orders nothing. The
 * kernel layer names them as the kernel does (include/asm-generic/barrier.ts: smp_mb() …).
 */
export const FENCE_KINDS = [
  'mb', 'rmb', 'wmb', 'before-atomic', 'after-atomic', 'after-spinlock', 'after-unlock-lock',
  'after-srcu-read-unlock', 'barrier', 'rcu-lock', 'rcu-unlock', 'sync-rcu',
] as const;
/** One of FENCE_KINDS: what `t.fence()` takes. */
export type FenceKind = (typeof FENCE_KINDS)[number];

const NONE: readonly FenceKind[] = [];

/** The operation a thread yields (filled in by a Ctx method; one reused object per thread). */
export interface Op {
  kind: OpKind;
  loc: Loc;
  mode: Mode;
  rmw: RmwKind;
  a: Val;
  b: Val;
  /** RmwKind.Fn: the update function; Await: the predicate on the value read. */
  f: ((v: Val) => Val | undefined) | ((v: Val) => boolean) | null;
  /** Assume / Assert: the condition. */
  cond: boolean;
  /** Fence kind, or an assertion message (string or thunk). */
  tag: string | (() => string) | null;
  /** Assert: the id of the property it checks (e.g. an invariant id), or null. */
  inv: string | null;
  /** Spawn: the child's body. Join: unused (the tid is in `a`). */
  body: ThreadFn | null;
  /** Spawn: the child's name. Fence: the primitive's name for traces (e.g. smp_mb__after_atomic). */
  name: string | null;
  /** The function the thread was in when it yielded this op (for traces). */
  fn: string | null;
  /** Which declaration of `fn` (Ctx.call's `id`), or -1. */
  fnId: number;
  /** A dependency of this access on the thread's latest read of `depLoc` (see Ctx.depends). */
  dep: DepKind;
  depLoc: Loc;
  /** The access may observe freed memory without a violation (see Ctx.mayBeFreed). */
  freedOk: boolean;
  /** The function that called `fn` (for naming where an object was freed), or null. */
  caller: string | null;
}

/**
 * What a load returns from freed memory when the access was allowed to see it (Ctx.mayBeFreed):
 * the slab allocator's poison byte pattern (POISON_FREE, 0x6b), so a trace shows it as such.
 */
export const FREED: Val = 0x6b6b6b6b;

/** Syntactic dependencies, for models that order by them (the LKMM); SC and TSO ignore them. */
export const DepKind = { None: 0, Addr: 1, Data: 2, Ctrl: 3 } as const;
export type DepKind = (typeof DepKind)[keyof typeof DepKind];

/** A property a violation can name: an id string, or an object with one (a kernel invariant). */
export type PropertyRef = string | { readonly id: string };
/** The id of a PropertyRef. */
export const propertyId = (p: PropertyRef): string => (typeof p === 'string' ? p : p.id);

/** A thread body or kernel function: a generator yielding Ops, fed the engine's answers, returning R. */
export type ThreadGen<R = unknown> = Generator<Op, R, Val>;
/** A thread's body: called with its context, returns the generator the engine drives. */
export type ThreadFn = (t: Ctx) => ThreadGen;

/**
 * The thread context: `yield t.load(x)` and friends. Each method fills the thread's one Op
 * and returns it; the value of the `yield` expression is the engine's answer (the value read,
 * the old value of an RMW, 1/0 for trylock, the child tid for spawn, 0 otherwise).
 */
export class Ctx {
  /** Kernel function the thread is executing; recorded on each event for traces. */
  fn: string | null = null;
  /**
   * Which declaration of `fn` the thread is in (the `id` its Ctx.call passed; -1: none), for a
   * caller that declares one function name more than once (the kernel model: a function as two
   * kernel versions wrote it) and must tell a trace which one ran. Opaque to the engine.
   */
  fnId = -1;
  /** The function that called `fn` (one level up), for naming free sites. */
  caller: string | null = null;
  readonly op: Op = {
    kind: OpKind.Load, loc: 0, mode: Mode.Plain, rmw: RmwKind.Xchg, a: 0, b: 0,
    f: null, cond: true, tag: null, inv: null, body: null, name: null, fn: null, fnId: -1, dep: DepKind.None, depLoc: -1,
    freedOk: false, caller: null,
  };
  private pendingDep: DepKind = DepKind.None;
  private pendingDepLoc: Loc = -1;
  private pendingFreedOk = false;
  /**
   * The thread's own locations (Builder.thread's `owns`): how a body shared by a group of
   * symmetric threads reaches what is each one's own (its CPU's per-CPU word …).
   */
  owned: readonly Loc[] = [];
  /**
   * `nlocs`: the program's number of locations, so a bad Loc is refused at the user's line.
   * `checked`: the fence kinds whose guarantee the memory model checks itself (modelChecks).
   */
  constructor(readonly tid: number, private readonly nlocs = Infinity, private readonly checked: readonly FenceKind[] = NONE) {}

  /**
   * Whether the memory model checks, on every execution, the guarantee fences of `kind` give
   * beyond ordering (MemoryModel.checkedFences; under the LKMM 'sync-rcu': no 'rcu-lock' …
   * 'rcu-unlock' section spans a grace period). Code that implements the guarantee operationally,
   * with a handshake that makes a thread wait, runs the handshake only when this is false and
   * yields the fences when it is true. Fixed for a whole exploration. Not an operation: no yield.
   */
  modelChecks(kind: FenceKind): boolean {
    return this.checked.includes(kind);
  }

  /**
   * `loc`, checked: a bad one throws inside the thread body (an error of the user's, with its
   * stack at the bad access), not later in the engine as if it were mmcheck's.
   */
  private at(loc: Loc): Loc {
    if ((loc >>> 0) !== loc || loc >= this.nlocs) {
      throw new RangeError(`${String(loc)} is not a location of this program (it has ${this.nlocs}; use what b.loc() returned)`);
    }
    return loc;
  }

  /**
   * `v`, checked: a value stored must be a number, and not NaN (NaN !== NaN: every replay of the
   * store would look like another value, and the run be refused as nondeterministic).
   */
  private val(v: Val): Val {
    if (typeof v !== 'number' || v !== v) throw new TypeError(`${typeof v === 'number' ? 'NaN' : `${typeof v} ${String(v)}`} is not a value memory can hold (values are numbers)`);
    return v;
  }

  /** Forgets what an abandoned run of the body left behind (a run starts from scratch). */
  reset(): void {
    this.fn = null;
    this.fnId = -1;
    this.caller = null;
    this.pendingDep = DepKind.None;
    this.pendingDepLoc = -1;
    this.pendingFreedOk = false;
  }

  protected set(kind: OpKind, loc: Loc, mode: Mode): Op {
    const op = this.op;
    op.kind = kind; op.loc = loc; op.mode = mode; op.fn = this.fn; op.fnId = this.fnId;
    op.f = null; op.tag = null; op.body = null; op.name = null;
    op.dep = this.pendingDep; op.depLoc = this.pendingDepLoc; op.freedOk = this.pendingFreedOk;
    this.pendingDep = DepKind.None; this.pendingDepLoc = -1; this.pendingFreedOk = false;
    return op;
  }

  /**
   * Declares that the next access may legitimately observe freed memory (the allocator handing a
   * freed object out again; SLAB_TYPESAFE_BY_RCU readers): it then reads `FREED` instead of being
   * reported as a use-after-free. Not an operation: no yield.
   */
  mayBeFreed(): void {
    this.pendingFreedOk = true;
  }

  /**
   * Frees `loc` (one location of an object registered with Builder.object): from here on, an
   * access that reads it, or a store that lands on it, is a use-after-free reported at that
   * access, naming this free (its thread and function). Freeing a freed location is a double free.
   * `mode` orders it like a store (an allocator's free publishes the object back with a release).
   */
  free(loc: Loc, mode: Mode = Mode.Once): Op {
    const op = this.set(OpKind.Free, this.at(loc), mode); op.a = FREED; op.caller = this.caller; return op;
  }

  /**
   * Initializes `loc` as part of (re)allocating its object: a new generation of that memory. An
   * access made through a pointer read before the reallocation (declared with depends('addr'))
   * that reaches the new generation is a stale-pointer use-after-free.
   */
  alloc(loc: Loc, v: Val): Op {
    const op = this.set(OpKind.Alloc, this.at(loc), Mode.Once); op.a = this.val(v); return op;
  }

  /**
   * Declares that the next operation depends on the value this thread last read from `from`:
   * 'addr' (its address is computed from it: rcu_dereference() then a dereference, *pmd then a
   * PTE of that table), 'data' (the value stored is computed from it) or 'ctrl' (it runs only
   * on one outcome of a branch on it). Only the LKMM orders by dependencies; under SC and TSO
   * this changes nothing. Not an operation: no yield.
   */
  depends(kind: 'addr' | 'data' | 'ctrl', from: Loc): void {
    this.pendingDep = kind === 'addr' ? DepKind.Addr : kind === 'data' ? DepKind.Data : DepKind.Ctrl;
    this.pendingDepLoc = from;
  }

  load(loc: Loc, mode: Mode = Mode.Once): Op { return this.set(OpKind.Load, this.at(loc), mode); }
  store(loc: Loc, v: Val, mode: Mode = Mode.Once): Op {
    const op = this.set(OpKind.Store, this.at(loc), mode); op.a = this.val(v); return op;
  }
  private rmwOp(kind: RmwKind, loc: Loc, a: Val, b: Val, mode: Mode): Op {
    const op = this.set(OpKind.Rmw, this.at(loc), mode); op.rmw = kind; op.a = this.val(a); op.b = this.val(b); return op;
  }
  /** Returns the old value. */
  xchg(loc: Loc, v: Val, mode: Mode = Mode.Mb): Op { return this.rmwOp(RmwKind.Xchg, loc, v, 0, mode); }
  /** Returns the old value; writes `nv` only if the old value is `expected`. */
  cmpxchg(loc: Loc, expected: Val, nv: Val, mode: Mode = Mode.Mb): Op {
    return this.rmwOp(RmwKind.Cmpxchg, loc, expected, nv, mode);
  }
  /** Returns the old value. */
  fetchAdd(loc: Loc, d: Val, mode: Mode = Mode.Mb): Op { return this.rmwOp(RmwKind.FetchAdd, loc, d, 0, mode); }
  fetchSub(loc: Loc, d: Val, mode: Mode = Mode.Mb): Op { return this.rmwOp(RmwKind.FetchAdd, loc, -d, 0, mode); }
  /** Adds `d` unless the value is `u`; returns the old value (so success is `old !== u`). */
  addUnless(loc: Loc, d: Val, u: Val, mode: Mode = Mode.Mb): Op {
    return this.rmwOp(RmwKind.AddUnless, loc, d, u, mode);
  }
  /** General RMW: writes f(old) unless it is undefined; returns the old value. */
  rmw(loc: Loc, f: (old: Val) => Val | undefined, mode: Mode = Mode.Mb): Op {
    const op = this.rmwOp(RmwKind.Fn, loc, 0, 0, mode); op.f = f; return op;
  }
  /** A memory barrier of `kind`; `name` is what traces call it (default: `fence <kind>`). */
  fence(kind: FenceKind = 'mb', name?: string): Op {
    const op = this.set(OpKind.Fence, 0, Mode.Mb); op.tag = kind; op.name = name ?? null; return op;
  }
  /** Spinlock acquire: blocks while the lock word is non-zero. */
  lock(l: Loc): Op { return this.set(OpKind.Lock, this.at(l), Mode.Acquire); }
  unlock(l: Loc): Op { return this.set(OpKind.Unlock, this.at(l), Mode.Release); }
  /** Returns 1 if the lock was taken, 0 otherwise. */
  trylock(l: Loc): Op { return this.set(OpKind.Trylock, this.at(l), Mode.Acquire); }
  /** Starts a new thread running `body`; returns its tid. */
  spawn(body: ThreadFn, name?: string): Op {
    const op = this.set(OpKind.Spawn, 0, Mode.Plain); op.body = body; op.name = name ?? null; return op;
  }
  join(tid: number): Op { const op = this.set(OpKind.Join, 0, Mode.Plain); op.a = tid; return op; }
  /** Blocks this thread for good when `cond` is false (the execution is counted as blocked). */
  assume(cond: boolean): Op { const op = this.set(OpKind.Assume, 0, Mode.Plain); op.cond = cond; return op; }
  /** Reads `loc` and blocks until the value satisfies `pred` (spin loops, without unrolling). */
  await(loc: Loc, pred: (v: Val) => boolean, mode: Mode = Mode.Once): Op {
    const op = this.set(OpKind.Await, this.at(loc), mode); op.f = pred; return op;
  }
  /**
   * A violation when `cond` is false; `message` should say what broke in one sentence. With a
   * property (an invariant such as the kernel's I5, or any `{ id }` of the user's), the violation
   * carries its id as a typed field and is counted under it.
   */
  assert(cond: boolean, message: string | (() => string)): Op;
  assert(cond: boolean, property: PropertyRef, message: string | (() => string)): Op;
  assert(cond: boolean, a: PropertyRef | string | (() => string), b?: string | (() => string)): Op {
    const op = this.set(OpKind.Assert, 0, Mode.Plain);
    op.cond = cond;
    if (b === undefined) { op.tag = a as string | (() => string); op.inv = null; }
    else { op.tag = b; op.inv = typeof a === 'string' ? a : (a as { id: string }).id; }
    return op;
  }

  /**
   * Runs `g` with `name` as the current function, so its events are labelled with it; `id`
   * names which declaration of `name` it is, when the caller has several (Ev.fnId).
   */
  call<R>(name: string, g: ThreadGen<R>, id = -1): ThreadGen<R> {
    return new CallFrame(this, name, id, g) as unknown as ThreadGen<R>;
  }
}

/**
 * A context that remembers where each operation was yielded (the stack of its creation, which
 * runs in the body's own frame). Only the error path uses it, to re-run a body and name the
 * user's file:line of an operation: capturing a stack per yield would dominate the hot path.
 */
export class SiteCtx extends Ctx {
  /** The stack of the latest operation created. */
  site: Error | null = null;
  protected override set(kind: OpKind, loc: Loc, mode: Mode): Op {
    this.site = new Error('the operation was yielded here');
    return super.set(kind, loc, mode);
  }
}

/**
 * What `t.call(name, g)` returns: `g`, with `name` as the thread's function while `g` runs. A
 * plain iterator rather than a generator: every operation of a nested call passes through each
 * enclosing `yield*`, and a generator frame with try/finally at every level made `call` the
 * largest single cost of deep kernel models (a quarter of the profile).
 */
class CallFrame<R> {
  private prev: string | null = null;
  private prevId = -1;
  private prevCaller: string | null = null;
  private started = false;
  constructor(private readonly ctx: Ctx, private readonly name: string, private readonly id: number, private readonly g: ThreadGen<R>) {}
  [Symbol.iterator](): this { return this; }
  private leave(): void {
    this.ctx.fn = this.prev;
    this.ctx.fnId = this.prevId;
    this.ctx.caller = this.prevCaller;
  }
  next(v: Val): IteratorResult<Op, R> {
    const ctx = this.ctx;
    if (!this.started) { this.started = true; this.prev = ctx.fn; this.prevId = ctx.fnId; this.prevCaller = ctx.caller; }
    ctx.fn = this.name;
    ctx.fnId = this.id;
    ctx.caller = this.prev;
    let r: IteratorResult<Op, R>;
    try {
      r = this.g.next(v);
    } catch (e) {
      this.leave();
      throw e;
    }
    if (r.done) this.leave();
    return r;
  }
  return(v: R): IteratorResult<Op, R> {
    this.leave();
    return this.g.return(v);
  }
  throw(e: unknown): IteratorResult<Op, R> {
    this.ctx.fn = this.name;
    this.ctx.fnId = this.id;
    this.ctx.caller = this.prev;
    try {
      const r = this.g.throw(e);
      if (r.done) this.leave();
      return r;
    } catch (err) {
      this.leave();
      throw err;
    }
  }
}
