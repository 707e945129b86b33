// The neutral record of one candidate execution, as an axiomatic model (e.g. the LKMM cat model)
// checks it. A front end (the litmus engine, or the graph explorer) builds one Execution per
// candidate: per-thread event sequences, the rf of every ordinary read, rmw pairs and syntactic
// dependencies. The model then completes it (co; rf of lock events) and checks the axioms.
//
// The events mirror what herd7's C front end produces for the macros of linux-kernel.def, so that
// the unmodified linux-kernel.{bell,cat} and lock.cat give herd7's answers. How each kernel
// primitive must appear (herd7 7.58 semantics):
//
// | primitive                               | events (in po order)                                   |
// |-----------------------------------------|--------------------------------------------------------|
// | READ_ONCE(*x), rcu_dereference          | R annot 'ONCE'                                         |
// | WRITE_ONCE(*x,v), rcu_assign_pointer    | W 'ONCE' (rcu_assign_pointer: W 'RELEASE')             |
// | smp_load_acquire                        | R 'ACQUIRE'                                            |
// | smp_store_release                       | W 'RELEASE'                                            |
// | smp_store_mb(x,v)                       | W 'ONCE'; F 'MB'                                       |
// | plain C access  r = *x;  *x = v         | R '' / W ''   (annot '' = plain, no annotation)        |
// | smp_mb / smp_rmb / smp_wmb / barrier    | F 'MB' / F 'rmb' / F 'wmb' / F 'barrier'               |
// | smp_mb__{before,after}_atomic           | F 'before-atomic' / F 'after-atomic'                   |
// | smp_mb__after_spinlock / _unlock_lock   | F 'after-spinlock' / F 'after-unlock-lock'             |
// | smp_mb__after_srcu_read_unlock          | F 'after-srcu-read-unlock'                             |
// | rcu_read_lock / rcu_read_unlock         | F 'rcu-lock' / F 'rcu-unlock'                          |
// | synchronize_rcu(_expedited)             | F 'sync-rcu'                                           |
// | xchg{,_relaxed,_acquire,_release}       | R A; W A  with A = 'MB','ONCE','ACQUIRE','RELEASE';   |
// |   (and atomic_xchg*)                    |   both atomic:true; rmw [R,W]                          |
// | cmpxchg* success                        | R A; W A  atomic:true, rmw [R,W]                       |
// | cmpxchg* failure (old value != expected)| R A only, atomic:true, no rmw pair (herd's FailedRMW)  |
// | atomic_add/sub/inc/dec/and/or/xor/andnot| R 'NORETURN'; W 'NORETURN'; atomic:true; rmw [R,W]     |
// | atomic_*_return{,_relaxed,...}          | R A; W A; atomic:true; rmw  (A as for xchg)           |
// | atomic_fetch_*{,_relaxed,...}           | R A; W A; atomic:true; rmw                             |
// | atomic_*_and_test, atomic_add_negative* | as the _return op they expand to                        |
// | atomic_add_unless(x,a,u)                | old != u: R 'MB'; W 'MB'; rmw.  old == u: R 'MB' only  |
// |                                         |   (failed RMW), atomic:true in both cases              |
// | atomic_read / atomic_set (+acquire/rel) | as READ_ONCE / WRITE_ONCE / acquire / release          |
// | spin_lock(l), successful spin_trylock   | LKR (value 0) ; LKW (value 1). NO rf for the LKR, NO   |
// |                                         |   rmw pair: lock.cat derives both.                     |
// | failed spin_trylock(l)                  | LF (value 1). No rf: lock.cat enumerates it.           |
// | spin_unlock(l)                          | UL (value 0)                                            |
// | spin_is_locked(l)                       | RL (returns 1) or RU (returns 0). No rf (lock.cat).    |
// | srcu_read_lock(s), srcu_down_read(s)    | R 'srcu-lock' on location s, an ordinary read: give    |
// |                                         |   its rf (from the init write or srcu-unlock writes)   |
// | srcu_read_unlock(s,i), srcu_up_read     | W 'srcu-unlock' on s, value i; data dep from the       |
// |                                         |   srcu-lock read that produced i (the model matches    |
// |                                         |   lock/unlock pairs through data;rf)                   |
// | synchronize_srcu(s) (+_expedited)       | SRCU annot 'sync-srcu' on location s (not a memory     |
// |                                         |   access: no rf, not in co, not in M)                  |
//
// Annotations are the tags of linux-kernel.def, spelled as there ('ONCE', 'MB', 'rmb', ...).
// The model also accepts the lowercase spellings 'once', 'release', 'acquire', 'mb', 'noreturn'
// and 'plain' (= ''), through `normalizeAnnot`.
//
// What the model adds (src/axiomatic/lkmm, running lock.cat and cos-opt.cat): co over the
// W and LKW events (every per-location total order allowed by the coherence-forced edges), UL
// merged into co after its LKW, the rf of LKR (from the co-predecessor IW or UL of its LKW),
// of LF and RL (from an LKW, enumerated) and of RU (from IW or a UL, enumerated). Each such
// choice that passes every check is one outcome; herd7's Positive+Negative for a test is the
// sum of the outcome counts over the front end's candidates.
//
// Rules the front end must follow:
// * `events[i].id === i`. Ids are dense. The order of the array is otherwise free.
// * One initial write per shared location that any event touches (including spinlocks and
//   srcu_struct locations): kind 'W', tid -1, poIndex 0, annot '', atomic false, value = the
//   initial value (0 by default). Spinlock initial value is 0 (unlocked).
// * po is the order of poIndex within a thread (strictly increasing, need not be dense); the
//   read part of an RMW comes immediately before its write part; LKR immediately before LKW.
// * rf: exactly one [write, read] pair for every event of kind 'R' (ordinary reads, including
//   RMW reads and srcu-lock reads), from a write ('W', incl. init writes) to the same location
//   with the read's value. Never give rf for LKR, LF, RL, RU: the model computes those.
// * rmw: [read, write] of each successful RMW (not lock pairs, not failed RMWs).
// * addr / data / ctrl: herd's syntactic dependencies, from a read ('R' or RU/RL/LF if their
//   result is used) to a po-later event, within a thread. Plain pairs, not transitively closed:
//   the model itself adds the carry-dep closure through plain writes/reads (bell file).
// * Registers are not events. Values are numbers; addresses/pointers stored in memory must be
//   encoded as numbers by the front end consistently (only equality of values matters here,
//   for `different-values`).
// * FW (herd's "final writes") is taken as empty: it only narrows herd's own co enumeration
//   (co0) per chosen final state, which gives the same set of (rf, co) pairs overall.

/** Event kinds. 'R'/'W' are memory accesses; the lock kinds are herd's LKR/LKW/UL/LF/RL/RU
 * (not in the model's R/W/M until lock.cat adds them); 'SRCU' is synchronize_srcu(s). */
export type XKind = 'R' | 'W' | 'F' | 'LKR' | 'LKW' | 'UL' | 'LF' | 'RL' | 'RU' | 'SRCU';

export interface XEvent {
  /** Index of this event in `Execution.events`. */
  id: number;
  /** Thread number (P0 -> 0, ...); -1 for the initial writes. */
  tid: number;
  /** Position in the thread's program order (strictly increasing along po). */
  poIndex: number;
  kind: XKind;
  /** Shared location name (e.g. 'x'); null for fences ('F'). */
  loc: string | null;
  /** Value read (R, LKR=0, LF=1, RL=1, RU=0) or written (W, LKW=1, UL=0); 0 for F/SRCU. */
  value: number;
  /** herd annotation tag from linux-kernel.def ('' for plain accesses and lock events). */
  annot: string;
  /** In herd's RMW set: true for both parts of xchg/cmpxchg/atomic RMW ops, including the lone
   * read of a failed cmpxchg / atomic_add_unless. False for lock events. */
  atomic: boolean;
}

export interface Execution {
  events: XEvent[];
  /** [write, read] for every 'R' event (ordinary reads only). */
  rf: [number, number][];
  /** [read, write] of each successful atomic RMW. */
  rmw: [number, number][];
  /** Syntactic dependencies [from read, to po-later event]. */
  addr: [number, number][];
  data: [number, number][];
  ctrl: [number, number][];
}

const ANNOT_CANON: Record<string, string> = {
  once: 'ONCE',
  release: 'RELEASE',
  acquire: 'ACQUIRE',
  mb: 'MB',
  noreturn: 'NORETURN',
  plain: '',
  '': '',
};

/** Maps lenient spellings ('once', 'mb', 'plain') to the tags used by linux-kernel.def. */
export function normalizeAnnot(a: string): string {
  const c = ANNOT_CANON[a.toLowerCase()];
  return c !== undefined ? c : a;
}

/** Checks the structural rules above; returns a list of problems (empty when well-formed). */
export function validateExecution(x: Execution): string[] {
  const errs: string[] = [];
  const n = x.events.length;
  x.events.forEach((e, i) => {
    if (e.id !== i) errs.push(`event ${i} has id ${e.id}`);
    if (e.kind !== 'F' && e.loc === null) errs.push(`event ${i} (${e.kind}) has no location`);
  });
  const ok = (p: [number, number], what: string): boolean => {
    if (p[0] >= 0 && p[0] < n && p[1] >= 0 && p[1] < n) return true;
    errs.push(`${what} edge ${p} out of range`);
    return false;
  };
  const rfCount = new Array<number>(n).fill(0);
  for (const p of x.rf) {
    if (!ok(p, 'rf')) continue;
    const [w, r] = p;
    const W = x.events[w]!, R = x.events[r]!;
    if (W.kind !== 'W') errs.push(`rf source ${w} is not a W`);
    if (R.kind !== 'R') errs.push(`rf target ${r} is not an R`);
    if (W.loc !== R.loc) errs.push(`rf ${w}->${r} crosses locations`);
    rfCount[r]!++;
  }
  x.events.forEach((e, i) => {
    if (e.kind === 'R' && rfCount[i] !== 1) errs.push(`read ${i} has ${rfCount[i]} rf sources`);
  });
  for (const p of x.rmw) ok(p, 'rmw');
  for (const p of x.addr) ok(p, 'addr');
  for (const p of x.data) ok(p, 'data');
  for (const p of x.ctrl) ok(p, 'ctrl');
  return errs;
}
