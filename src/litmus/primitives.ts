// The kernel primitives of tools/memory-model/linux-kernel.def, as the litmus front end knows
// them: what each call expands to (loads, stores, fences, RMWs, locks, srcu) with which herd
// annotation, and how many arguments it takes. Built once from the .def's families.

import type { PrimTable } from './def.ts';

export type AtomicOp = '+' | '-' | '&' | '|' | '^' | '&~';

export type Prim =
  /** Load. `deref`: the argument is written `*p` (READ_ONCE); otherwise it is the pointer p. */
  | { k: 'load'; annot: string; deref: boolean }
  /** Store (ptr, value). `mbAfter`: smp_store_mb adds F[MB] after the store. */
  | { k: 'store'; annot: string; deref: boolean; mbAfter: boolean }
  | { k: 'fence'; annot: string }
  /** xchg(ptr, v): returns the old value. */
  | { k: 'xchg'; annot: string }
  /** cmpxchg(ptr, old, new): returns the old value. */
  | { k: 'cmpxchg'; annot: string }
  /** atomic_OP(v, ptr) or atomic_inc/dec(ptr): R/W NORETURN. */
  | { k: 'atomic_op'; op: AtomicOp; konst: number | null }
  /**
   * atomic_OP_return / atomic_fetch_OP (args (v, ptr), or (ptr) when `konst` is set).
   * `fetch`: returns the old value, else the new one. `test`: *_and_test / add_negative.
   */
  | { k: 'atomic_ret'; op: AtomicOp; annot: string; fetch: boolean; konst: number | null; test: '==0' | '<0' | null }
  /** atomic_add_unless(ptr, a, u): returns 1 if it added, else 0. */
  | { k: 'add_unless' }
  | { k: 'spin_lock' }
  | { k: 'spin_unlock' }
  | { k: 'spin_trylock' }
  | { k: 'spin_is_locked' }
  | { k: 'srcu_lock' }
  | { k: 'srcu_unlock' }
  | { k: 'sync_srcu' };

export const PRIMS = new Map<string, Prim>();

/** The primitives of the bundled linux-kernel.def (test/litmus/def.test.ts: equal to reading it). */
export const DEFAULT_PRIMS: PrimTable = { prims: PRIMS, unsupported: new Map(), source: 'linux-kernel.def' };

/** Number of arguments of each primitive. */
export function arity(p: Prim): number {
  switch (p.k) {
    case 'load': return 1;
    case 'store': return 2;
    case 'fence': return 0;
    case 'xchg': return 2;
    case 'cmpxchg': return 3;
    case 'atomic_op': return p.konst === null ? 2 : 1;
    case 'atomic_ret': return p.konst === null ? 2 : 1;
    case 'add_unless': return 3;
    case 'srcu_unlock': return 2;
    default: return 1;
  }
}

/** True for primitives that return a value (usable in expressions). */
export function returnsValue(p: Prim): boolean {
  switch (p.k) {
    case 'load': case 'xchg': case 'cmpxchg': case 'atomic_ret': case 'add_unless':
    case 'spin_trylock': case 'spin_is_locked': case 'srcu_lock':
      return true;
    default:
      return false;
  }
}

function def(name: string, p: Prim): void {
  PRIMS.set(name, p);
}

def('READ_ONCE', { k: 'load', annot: 'ONCE', deref: true });
def('rcu_dereference', { k: 'load', annot: 'ONCE', deref: true });
def('smp_load_acquire', { k: 'load', annot: 'ACQUIRE', deref: false });
def('atomic_read', { k: 'load', annot: 'ONCE', deref: false });
def('atomic_read_acquire', { k: 'load', annot: 'ACQUIRE', deref: false });

def('WRITE_ONCE', { k: 'store', annot: 'ONCE', deref: true, mbAfter: false });
def('rcu_assign_pointer', { k: 'store', annot: 'RELEASE', deref: true, mbAfter: false });
def('smp_store_release', { k: 'store', annot: 'RELEASE', deref: false, mbAfter: false });
def('smp_store_mb', { k: 'store', annot: 'ONCE', deref: true, mbAfter: true });
def('atomic_set', { k: 'store', annot: 'ONCE', deref: false, mbAfter: false });
def('atomic_set_release', { k: 'store', annot: 'RELEASE', deref: false, mbAfter: false });

for (const [n, a] of [
  ['smp_mb', 'MB'], ['smp_rmb', 'rmb'], ['smp_wmb', 'wmb'], ['barrier', 'barrier'],
  ['smp_mb__before_atomic', 'before-atomic'], ['smp_mb__after_atomic', 'after-atomic'],
  ['smp_mb__after_spinlock', 'after-spinlock'], ['smp_mb__after_unlock_lock', 'after-unlock-lock'],
  ['smp_mb__after_srcu_read_unlock', 'after-srcu-read-unlock'],
  ['rcu_read_lock', 'rcu-lock'], ['rcu_read_unlock', 'rcu-unlock'],
  ['synchronize_rcu', 'sync-rcu'], ['synchronize_rcu_expedited', 'sync-rcu'],
] as const) def(n, { k: 'fence', annot: a });

const ORDER: [string, string][] = [['', 'MB'], ['_relaxed', 'ONCE'], ['_acquire', 'ACQUIRE'], ['_release', 'RELEASE']];

for (const [sfx, a] of ORDER) {
  def(`xchg${sfx}`, { k: 'xchg', annot: a });
  def(`atomic_xchg${sfx}`, { k: 'xchg', annot: a });
  def(`cmpxchg${sfx}`, { k: 'cmpxchg', annot: a });
  def(`atomic_cmpxchg${sfx}`, { k: 'cmpxchg', annot: a });
}

const OPS: [string, AtomicOp][] = [['add', '+'], ['sub', '-'], ['and', '&'], ['or', '|'], ['xor', '^'], ['andnot', '&~']];
for (const [n, op] of OPS) def(`atomic_${n}`, { k: 'atomic_op', op, konst: null });
def('atomic_inc', { k: 'atomic_op', op: '+', konst: 1 });
def('atomic_dec', { k: 'atomic_op', op: '-', konst: 1 });

for (const [sfx, a] of ORDER) {
  for (const [n, op] of [['add', '+'], ['sub', '-']] as [string, AtomicOp][]) {
    def(`atomic_${n}_return${sfx}`, { k: 'atomic_ret', op, annot: a, fetch: false, konst: null, test: null });
  }
  def(`atomic_inc_return${sfx}`, { k: 'atomic_ret', op: '+', annot: a, fetch: false, konst: 1, test: null });
  def(`atomic_dec_return${sfx}`, { k: 'atomic_ret', op: '-', annot: a, fetch: false, konst: 1, test: null });
  for (const [n, op] of OPS) {
    def(`atomic_fetch_${n}${sfx}`, { k: 'atomic_ret', op, annot: a, fetch: true, konst: null, test: null });
  }
  def(`atomic_fetch_inc${sfx}`, { k: 'atomic_ret', op: '+', annot: a, fetch: true, konst: 1, test: null });
  def(`atomic_fetch_dec${sfx}`, { k: 'atomic_ret', op: '-', annot: a, fetch: true, konst: 1, test: null });
  def(`atomic_add_negative${sfx}`, { k: 'atomic_ret', op: '+', annot: a, fetch: false, konst: null, test: '<0' });
}
def('atomic_sub_and_test', { k: 'atomic_ret', op: '-', annot: 'MB', fetch: false, konst: null, test: '==0' });
def('atomic_dec_and_test', { k: 'atomic_ret', op: '-', annot: 'MB', fetch: false, konst: 1, test: '==0' });
def('atomic_inc_and_test', { k: 'atomic_ret', op: '+', annot: 'MB', fetch: false, konst: 1, test: '==0' });
def('atomic_add_unless', { k: 'add_unless' });

def('spin_lock', { k: 'spin_lock' });
def('spin_unlock', { k: 'spin_unlock' });
def('spin_trylock', { k: 'spin_trylock' });
def('spin_is_locked', { k: 'spin_is_locked' });

def('srcu_read_lock', { k: 'srcu_lock' });
def('srcu_down_read', { k: 'srcu_lock' });
def('srcu_read_unlock', { k: 'srcu_unlock' });
def('srcu_up_read', { k: 'srcu_unlock' });
def('synchronize_srcu', { k: 'sync_srcu' });
def('synchronize_srcu_expedited', { k: 'sync_srcu' });
