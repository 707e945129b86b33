// pte_offset_map() and friends (mm/pgtable-generic.c, include/linux/pgtable.h; docs/design/protocols.md §4).
// The table is located from a *snapshot* of *pmd taken inside rcu_read_lock(); pte_unmap() is
// rcu_read_unlock(). Only pte_offset_map_lock() rechecks pmd_same() after taking the PTL;
// the _nolock variants leave that to the caller.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import { rcu_read_lock, rcu_read_unlock, type Cpu } from '../rcu.ts';
import {
  PTE_NONE, check_table_alive, pmd_is_table, pmd_table_id, showPte, type PageTable,
} from '../include/linux/pgtable.ts';
import { table, type Mm } from './mm.ts';
import { ghostLoad } from '../ghost.ts';
import { I11 } from '../invariants.ts';

/** What __pte_offset_map() returns: the table the PMD pointed to and the PMD value read. */
export interface Mapped {
  T: PageTable;
  pmdval: number;
}

/** __pte_offset_map(): RCU{ pmdval = pmdp_get_lockless(pmd); NULL unless it points to a table. */
export function* __pte_offset_map(t: Ctx, cpu: Cpu, mm: Mm): ThreadGen<Mapped | null> {
  yield* t.call('rcu_read_lock', rcu_read_lock(t, cpu));
  const pmdval = yield t.load(mm.pmd);
  if (!pmd_is_table(pmdval)) {
    yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu));
    return null;
  }
  return { T: table(mm, pmd_table_id(pmdval)), pmdval };
}

/** pte_unmap() */
export function* pte_unmap(t: Ctx, cpu: Cpu): ThreadGen<void> {
  yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu));
}

/** spin_lock(ptl) of a table found under RCU; the table must still be allocated (I1). */
export function* lock_ptl(t: Ctx, T: PageTable): ThreadGen<void> {
  yield t.lock(T.ptl);
  yield* check_table_alive(t, T, `takes the PTL of ${T.name}`);
}

/** pte_offset_map_rw_nolock(): the caller must prove attachment (pmd_same) after locking. */
export function* pte_offset_map_rw_nolock(t: Ctx, cpu: Cpu, mm: Mm): ThreadGen<Mapped | null> {
  return yield* __pte_offset_map(t, cpu, mm);
}

/** pte_offset_map_lock(): map, lock the snapshot's PTL, recheck pmd_same, retry if it moved. */
export function* pte_offset_map_lock(t: Ctx, cpu: Cpu, mm: Mm): ThreadGen<Mapped | null> {
  for (;;) {
    const m = yield* __pte_offset_map(t, cpu, mm);
    if (!m) return null;
    yield* lock_ptl(t, m.T);
    const now = yield t.load(mm.pmd);
    if (now === m.pmdval) return m;
    yield t.unlock(m.T.ptl);
    yield* pte_unmap(t, cpu);
  }
}

/**
 * set_pte_at() of a present entry, with the I11 check: the table written must be attached. The
 * writer holds T's PTL, and every path that detaches T takes that PTL (lemma L4), so reading
 * *pmd right after the store is as good as reading it at the store.
 */
export function* set_pte_at(t: Ctx, mm: Mm, T: PageTable, idx: number, pte: number): ThreadGen<void> {
  yield t.store(T.entries[idx], pte);
  const pmd = yield* ghostLoad(t, mm.pmd);
  yield t.assert(pmd_is_table(pmd) && pmd_table_id(pmd) === T.id,
    I11, () => `CPU${t.tid} installs ${showPte(pte)} into ${T.name}[${idx}] but ${T.name} is detached (*pmd no longer points to it)`);
}

/** Checks, when a table goes back to the allocator, that it holds no live entry (I11). */
export function* check_table_empty(t: Ctx, T: PageTable): ThreadGen<void> {
  for (let i = 0; i < T.entries.length; i++) {
    const v = yield* ghostLoad(t, T.entries[i]);
    yield t.assert(v === PTE_NONE, I11, () => `${T.name} is freed by CPU${t.tid} with a live entry ${T.name}[${i}] = ${showPte(v)} (a mapping and its references are lost)`);
  }
}
