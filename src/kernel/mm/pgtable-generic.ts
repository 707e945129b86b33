// pte_offset_map() and friends (mm/pgtable-generic.c, include/linux/pgtable.h; docs/design/protocols.md §4).
// The table is located from a *snapshot* of *pmd taken inside rcu_read_lock(); pte_unmap() is
// rcu_read_unlock(). Only pte_offset_map_lock() rechecks pmd_same() after taking the PTL;
// the _nolock variants leave that to the caller.
import { FREED } from '../../engine/ops.ts';
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Cpu } from '../cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import {
  PTE_NONE, pmd_is_table, tableLockFault, pmd_table_id, pmdp_get_lockless, pmdp_get_lockless_end, pmdp_get_lockless_start,
  showPte, type PageTable,
} from '../include/linux/pgtable.ts';
import { checkPmdUntorn } from '../arch/x86/include/asm/pgtable-3level.ts';
import { table, type Mm } from './mm.ts';
import { ghostLoad } from '../ghost.ts';
import { I11 } from '../invariants.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';

const generic = (name: string) => ({ name, file: 'mm/pgtable-generic.c', version: MAINLINE });
const pgtableH = (name: string) => ({ name, file: 'include/linux/pgtable.h', version: MAINLINE });

/** What __pte_offset_map() returns: the table the PMD pointed to and the PMD value read. */
export interface Mapped {
  T: PageTable;
  pmdval: number;
}

/**
 * __pte_offset_map(): RCU{ pmdval = pmdp_get_lockless(pmd), bracketed by pmdp_get_lockless_start()
 * / _end() (IRQs off on PAE); NULL unless it points to a table. On PAE the value is used as the
 * table without a recheck, so it must be untorn (I13).
 */
export const __pte_offset_map = kernelFunction(generic('__pte_offset_map'), function* (t: Ctx, cpu: Cpu, mm: Mm, knobs: { noLocklessBracket?: boolean } = {}): ThreadGen<Mapped | null> {
  yield* rcu_read_lock(t, cpu);
  const bracket = mm.pae && !knobs.noLocklessBracket; // (a hypothetical change drops it)
  yield* pmdp_get_lockless_start(t, cpu, bracket);
  const pmdval = yield* pmdp_get_lockless(t, mm.pmd, mm.pae);
  yield* pmdp_get_lockless_end(t, cpu, bracket);
  if (mm.pae && pmd_is_table(pmdval)) yield* checkPmdUntorn(t, mm, pmdval, 'maps as its PTE table in __pte_offset_map()');
  if (!pmd_is_table(pmdval)) {
    yield* rcu_read_unlock(t, cpu);
    return null;
  }
  return { T: table(mm, pmd_table_id(pmdval)), pmdval };
});

/** pte_unmap(): leaves the RCU read-side section __pte_offset_map() entered. */
export const pte_unmap = kernelFunction(pgtableH('pte_unmap'), (t: Ctx, cpu: Cpu): ThreadGen<void> => rcu_read_unlock(t, cpu));

/** spin_lock(ptl) of a table found under RCU (on a freed table: an I1 use-after-free at the lock). */
export function* lockPtl(t: Ctx, T: PageTable): ThreadGen<void> {
  yield t.lock(T.ptl);
  yield* tableLockFault(t, T);
}

/** pte_offset_map_rw_nolock(): the caller must prove attachment (pmd_same) after locking. */
export const pte_offset_map_rw_nolock = kernelFunction(generic('pte_offset_map_rw_nolock'),
  (t: Ctx, cpu: Cpu, mm: Mm): ThreadGen<Mapped | null> => __pte_offset_map(t, cpu, mm));

/** pte_offset_map_ro_nolock(): for readers only; RCU keeps a detached table allocated. */
export const pte_offset_map_ro_nolock = kernelFunction(generic('pte_offset_map_ro_nolock'),
  (t: Ctx, cpu: Cpu, mm: Mm): ThreadGen<Mapped | null> => __pte_offset_map(t, cpu, mm));

/** pte_offset_map_lock(): map, lock the snapshot's PTL, recheck pmd_same, retry if it moved. */
export const pte_offset_map_lock = kernelFunction({ ...pgtableH('pte_offset_map_lock'), note: 'the macro around __pte_offset_map_lock() (mm/pgtable-generic.c)' },
  function* (t: Ctx, cpu: Cpu, mm: Mm): ThreadGen<Mapped | null> {
    for (;;) {
      const m = yield* __pte_offset_map(t, cpu, mm);
      if (!m) return null;
      yield* lockPtl(t, m.T);
      const now = yield t.load(mm.pmd);
      if (now === m.pmdval) return m;
      yield t.unlock(m.T.ptl);
      yield* pte_unmap(t, cpu);
    }
  });

/**
 * set_pte_at() of a present entry, with the I11 check: the table written must be attached. The
 * writer holds T's PTL, and every path that detaches T takes that PTL (lemma L4), so reading
 * *pmd right after the store is as good as reading it at the store.
 */
export const set_pte_at = kernelFunction(pgtableH('set_pte_at'), function* (t: Ctx, mm: Mm, T: PageTable, idx: number, pte: number): ThreadGen<void> {
  yield t.store(T.entries[idx], pte);
  const pmd = yield* ghostLoad(t, mm.pmd);
  yield t.assert(pmd_is_table(pmd) && pmd_table_id(pmd) === T.id,
    I11, () => `CPU${t.tid} installs ${showPte(pte)} into ${T.name}[${idx}] but ${T.name} is detached (*pmd no longer points to it)`);
});

/** The model's check, when a table goes back to the allocator, that it holds no live entry (I11). */
export function* checkTableEmpty(t: Ctx, T: PageTable): ThreadGen<void> {
  for (let i = 0; i < T.entries.length; i++) {
    const v = yield* ghostLoad(t, T.entries[i]);
    // Memory that is not an allocated table has no entries to lose: freeing it is the engine's
    // double-free / never-allocated report (I1), made at the free itself.
    if (v === FREED) return;
    yield t.assert(v === PTE_NONE, I11, () => `${T.name} is freed by CPU${t.tid} with a live entry ${T.name}[${i}] = ${showPte(v)} (a mapping and its references are lost)`);
  }
}

/**
 * pmdp_collapse_flush(): clear the PMD (pmdp_huge_get_and_clear) and flush. `afterClear` is the
 * flush and whatever serialization the arch adds (powerpc hash: hash__pmdp_collapse_flush()).
 * `returnsOld`: the caller uses the old value, so the clear is the kernel's xchg; callers that
 * drop it keep the model's plain store.
 */
export const pmdp_collapse_flush = kernelFunction(generic('pmdp_collapse_flush'),
  function* (t: Ctx, mm: Mm, opts: { returnsOld?: boolean; afterClear?: () => ThreadGen<void> } = {}): ThreadGen<number> {
    let old = 0;
    if (opts.returnsOld) old = yield t.xchg(mm.pmd, 0);
    else yield t.store(mm.pmd, 0);
    if (opts.afterClear) yield* opts.afterClear();
    return old;
  });

/** pmdp_invalidate(): the huge PMD becomes an invalid (non-present, non-none) huge entry. */
export const pmdp_invalidate = kernelFunction(generic('pmdp_invalidate'), function* (t: Ctx, mm: Mm, value: number): ThreadGen<void> {
  yield t.store(mm.pmd, value);
});
