// §4: pte_offset_map*() users against concurrent detaching of PTE tables (seed 001: "we must
// check the PMDVAL after taking the PTL in case we want to modify the page table to turn
// pte_none() entries to !pte_none()"). Lemma L4: every detacher holds PTL(T), so a thread that
// holds PTL(T) and has seen *pmd == T after taking it knows T stays attached until it unlocks.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus, type Cpu } from '../cpus.ts';
import { folio_get, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, newPageZero, pmd_table, pmd_table_id, showPte, type PageTable } from '../include/linux/pgtable.ts';
import { newMm, table, type Mm } from '../mm/mm.ts';
import { pte_free_defer } from '../mm/mmu_gather.ts';
import {
  lockPtl, pte_offset_map_lock, pte_offset_map_ro_nolock, pte_offset_map_rw_nolock, pte_unmap, set_pte_at,
} from '../mm/pgtable-generic.ts';
import { variants, type Scenario } from '../scenario.ts';
import { collapse_pte_mapped_thp, retract_page_tables } from '../mm/khugepaged.ts';
import { mfill_atomic_copy } from '../mm/userfaultfd.ts';
import { newVma } from '../include/linux/mm_types.ts';
import { newAddressSpaceRmap } from '../include/linux/fs.ts';
import { try_to_free_pte, zapPteRangeReclaim } from '../mm/pt_reclaim.ts';
import { MAINLINE, kernelFunction } from '../kfn.ts';
import { I12 } from '../invariants.ts';
import { newSpinlock } from '../include/linux/spinlock.ts';

/**
 * The world of the detaching scenarios: *pmd points to T0, whose entry is still none, and P
 * (pfn 1, its allocation reference) is the page a writer maps at T0[0].
 */
function newMmWithEmptyTable(b: Builder) {
  const cpus = new Cpus(b, 2);
  const P = newFolio(b, 'P', 1, 1);
  const T = newPageTable(b, 0, [PTE_NONE]);
  const mm = newMm(b, pmd_table(0), [T], [P]);
  return { cpus, P, T, mm };
}

// ---------------------------------------------------------------- U4.a
function makeRwNolock(knob: 'no-pmd-same' | 'ro-nolock-reader' | undefined) {
  return (b: Builder) => {
    const { cpus, P, mm } = newMmWithEmptyTable(b);
    b.thread('CPU0', function* (t: Ctx) {
      // An rw_nolock user installing P at T[0] (e.g. uffd MOVE's move_pages_pte()).
      const cpu = cpus.cpu[0];
      if (knob === 'ro-nolock-reader') {
        // pte_offset_map_ro_nolock() + spin_lock(ptl) for a read only: no pmd_same() needed.
        const r = yield* pte_offset_map_ro_nolock(t, cpu, mm);
        if (!r) return;
        yield* lockPtl(t, r.T);
        yield t.load(r.T.entries[0]);
        yield t.unlock(r.T.ptl);
        yield* pte_unmap(t, cpu);
        return;
      }
      const m = yield* pte_offset_map_rw_nolock(t, cpu, mm);
      if (!m) return;
      yield* lockPtl(t, m.T);
      let ok = true;
      if (knob !== 'no-pmd-same') ok = (yield t.load(mm.pmd)) === m.pmdval; // pmd_same(pmdval, *pmd)
      if (ok && (yield t.load(m.T.entries[0])) === PTE_NONE) {
        yield* set_pte_at(t, mm, m.T, 0, mk_pte(1, _PAGE_PRESENT | _PAGE_RW));
        yield* folio_get(t, P);
      }
      yield t.unlock(m.T.ptl);
      yield* pte_unmap(t, cpu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* zapPteRangeReclaim(t, cpus, cpus.cpu[1], mm);
    });
  };
}

export const rwNolockScenario: Scenario = {
  name: 'pte-offset-map-rw-nolock',
  description: 'a pte_offset_map_rw_nolock() writer installing a PTE against MADV_DONTNEED reclaiming the empty table (§4, U4.a)',
  seed: '001', section: '§4',
  variants: variants('pte-offset-map-rw-nolock', makeRwNolock, [
    { name: 'safe', ref: '§4', expected: 'ok', description: 'after spin_lock(ptl) the writer checks pmd_same(pmdval, *pmd) before writing' },
    { name: 'ro-nolock-reader', ref: '§4', expected: 'ok', description: 'a read-only user (pte_offset_map_ro_nolock + spin_lock) needs no pmd_same(): RCU keeps the detached table allocated' },
    { name: 'no-pmd-same', kernels: 'a hypothetical change to v6.12', ref: 'U4.a', expected: 'I11', description: 'no pmd_same() after taking the PTL: pte_none() passes on the detached table and the new mapping is lost with it' },
  ]),
};

// ---------------------------------------------------------------- U4.b
/**
 * A table replacement the way move_pgt_entry() (mm/mremap.c) moves a PMD's table, reduced to the
 * locking U4.b needs: copies the entry into T1, switches *pmd, releases T1, then tears T0 down
 * under PTL(T0).
 */
const tableReplace = kernelFunction({ name: 'move_pgt_entry', file: 'mm/mremap.c', version: MAINLINE, note: 'reduced to a table replacement under PML + both PTLs' },
  function* (t: Ctx, mm: Mm, T0: PageTable, T1: PageTable): ThreadGen<void> {
    yield t.lock(mm.pml);
    yield t.lock(T0.ptl);
    yield t.lock(T1.ptl);
    const e = yield t.load(T0.entries[0]);
    yield t.store(T1.entries[0], e);
    yield t.store(mm.pmd, pmd_table(T1.id));
    yield t.unlock(T1.ptl); // T1 is complete and attached
    yield t.store(T0.entries[0], PTE_NONE); // T0 is torn down, still under its own PTL
    yield t.unlock(T0.ptl);
    yield t.unlock(mm.pml);
  });

function makeWrongPtl(knob: 'ptl-from-fresh-pmd' | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const P = newFolio(b, 'P', 1, 1);
    const T0 = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]);
    const T1 = newPageTable(b, 1, [PTE_NONE]);
    const mm = newMm(b, pmd_table(0), [T0, T1], [P]);
    b.thread('CPU0', function* (t: Ctx) {
      // An rw_nolock user write-protecting T[0], proving stability with pte_same() on a present entry.
      const cpu = cpus.cpu[0];
      const m = yield* pte_offset_map_rw_nolock(t, cpu, mm);
      if (!m) return;
      const orig = yield t.load(m.T.entries[0]);
      if (orig !== PTE_NONE) {
        let locked: PageTable = m.T;
        if (knob === 'ptl-from-fresh-pmd') locked = table(mm, pmd_table_id(yield t.load(mm.pmd))); // pte_lockptr(mm, *pmd)
        yield* lockPtl(t, locked);
        if ((yield t.load(m.T.entries[0])) === orig) { // pte_same()
          yield t.assert(locked === m.T, I12, () => `CPU0 writes ${m.T.name}[0] holding the PTL of ${locked.name}, not of ${m.T.name}: writers of ${m.T.name} are not excluded`);
          yield t.store(m.T.entries[0], orig & ~_PAGE_RW);
        }
        yield t.unlock(locked.ptl);
      }
      yield* pte_unmap(t, cpu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // Replaces T0 by T1: copies the entry, switches *pmd, releases T1, then tears T0 down under PTL(T0).
      yield* tableReplace(t, mm, T0, T1);
    });
    void showPte;
  };
}

export const wrongPtlScenario: Scenario = {
  name: 'pte-lock-of-the-mapped-table',
  description: 'an rw_nolock writer must lock the PTL of the table it mapped, not of the table *pmd points to now (§4, U4.b)',
  seed: '001', section: '§4',
  variants: variants('pte-lock-of-the-mapped-table', makeWrongPtl, [
    { name: 'safe', ref: '§4', expected: 'ok', description: 'the lock comes with the mapping (pte_offset_map_rw_nolock returns the ptl of the snapshot\'s table)' },
    { name: 'ptl-from-fresh-pmd', kernels: 'a hypothetical change to v6.12', ref: 'U4.b', expected: 'I12', description: 'the lock is computed from a fresh *pmd: after a table replacement it is the new table\'s lock' },
  ]),
};

/** A page fault that maps T[0] to P through pte_offset_map_lock() if the entry is still none. */
function* faultInstallPte(t: Ctx, cpu: Cpu, mm: Mm, P: Folio): ThreadGen<void> {
  const m = yield* pte_offset_map_lock(t, cpu, mm);
  if (!m) return;
  if ((yield t.load(m.T.entries[0])) === PTE_NONE) {
    yield* set_pte_at(t, mm, m.T, 0, mk_pte(1, _PAGE_PRESENT | _PAGE_RW));
    yield* folio_get(t, P);
  }
  yield t.unlock(m.T.ptl);
  yield* pte_unmap(t, cpu);
}

// ---------------------------------------------------------------- U4.c
// The racer is the one the kernel has to handle: a UFFDIO_COPY into a MAP_PRIVATE mapping of the
// shmem file, which holds only the mmap lock for read. A page fault is no racer here: it must lock
// the file's folio, which collapse_file() holds (new and locked) across retract_page_tables().
type FreerKnob = 'freer-without-ptl' | 'no-retractable-recheck';

function makeFreerNoPtl(knob: FreerKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const F = newAddressSpaceRmap(b, 'F');
    const P = newFolio(b, 'P', 1, 1); // the anon page UFFDIO_COPY filled (its reference becomes the mapping's)
    const T = newPageTable(b, 0, [PTE_NONE]); // emptied by collapse_file()'s unmapping of the small pages
    const mm = newMm(b, pmd_table(0), [T], [P]);
    const page_table_lock = newSpinlock(b, 'mm.page_table_lock');
    b.addField(mm.obj, 'page_table_lock', page_table_lock);
    // A MAP_PRIVATE mapping of the file, registered with userfaultfd for missing faults, not yet written.
    const vma = newVma(b, 'vma', { mm, file: F, shared: false, uffdArmed: true });
    b.thread('CPU0', function* (t: Ctx) {
      yield* mfill_atomic_copy(t, cpus.cpu[0], vma, 0, P, page_table_lock); // ioctl(UFFDIO_COPY)
    });
    b.thread('CPU1', function* (t: Ctx) {
      // MADV_COLLAPSE -> collapse_file(): the new huge folio is in the page cache, locked.
      yield* retract_page_tables(t, cpus, cpus.cpu[1], F, 'v6.13', {
        noPtl: knob === 'freer-without-ptl',
        noRetractableRecheck: knob === 'no-retractable-recheck',
      });
    });
  };
}

export const freerNoPtlScenario: Scenario = {
  name: 'pte-offset-map-lock-vs-retract',
  description: 'UFFDIO_COPY installing a PTE through pte_offset_map_lock() against retract_page_tables() detaching the table (§4.4(a), lemma L4, U4.c)',
  seed: '001', section: '§4',
  variants: variants<FreerKnob>('pte-offset-map-lock-vs-retract', makeFreerNoPtl, [
    { name: 'safe', ref: '§4', expected: 'ok', description: 'retract_page_tables() of v6.13+: no scan of the table; under the PMD lock check_pmd_state(), PTL(T) nested, and the anon_vma / uffd-wp test repeated (UFFDIO_COPY sets vma->anon_vma before it takes the PTL)' },
    { name: 'freer-without-ptl', kernels: 'a hypothetical change to v6.18', ref: 'U4.c', expected: 'I11', description: 'the detacher clears the PMD holding only the PMD lock: UFFDIO_COPY passes pte_offset_map_lock()\'s pmd_same() just before and installs into the detached table' },
    { name: 'no-retractable-recheck', kernels: 'a hypothetical change to v6.18', ref: '§4', origin: 'a hypothetical change to v6.18: trust the unlocked vma->anon_vma check (the recheck under the PTL dropped)', expected: 'I11', description: 'no anon_vma recheck under the PTL: UFFDIO_COPY attaches the anon_vma and installs its PTE after the unlocked check; the table is detached and freed with that entry' },
  ]),
};

// ---------------------------------------------------------------- U4.e
function makeSlowPath(knob: 'no-entry-recheck' | undefined) {
  return (b: Builder) => {
    const { cpus, P, mm } = newMmWithEmptyTable(b);
    // CPU0: a fault refilling T[0] after the reclaimer's fast path gave up.
    b.thread('CPU0', (t: Ctx) => faultInstallPte(t, cpus.cpu[0], mm, P));
    b.thread('CPU1', function* (t: Ctx) {
      // try_to_free_pte(): the slow path, entered after trylock(PML) failed with all entries none.
      const cpu = cpus.cpu[1];
      yield* try_to_free_pte(t, cpus, cpu, mm, { recheck: knob !== 'no-entry-recheck' });
    });
  };
}

export const ptReclaimSlowScenario: Scenario = {
  name: 'pt-reclaim-slow-path',
  description: 'PT reclaim\'s slow path (try_to_free_pte) against a fault refilling the table meanwhile (§4.4(c), U4.e)',
  seed: '001', section: '§4',
  variants: variants('pt-reclaim-slow-path', makeSlowPath, [
    { name: 'safe', ref: '§4', expected: 'ok', description: 'under PML + PTL the slow path rechecks that every entry is still none before detaching' },
    { name: 'no-entry-recheck', kernels: 'a hypothetical change to v6.12', ref: 'U4.e', expected: 'I11', description: 'the slow path trusts the fast path\'s "all none": a table refilled meanwhile is detached and freed with a live entry' },
  ]),
};

// ---------------------------------------------------------------- §4.4(b): collapse_pte_mapped_thp vs PT reclaim
type CollapseKnob = 'no-pmd-same-before-retract';

function makeCollapseVsReclaim(knob: CollapseKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    // The file's huge folio HP (pfn 9), mapped by a PTE of the VMA's table T1: page cache + mapping.
    const HP = newFolio(b, 'HP', 9, 2);
    const T1 = newPageTable(b, 1, [mk_pte(9, _PAGE_PRESENT)]);
    const mm = newMm(b, pmd_table(1), [newPageZero(b), T1], [HP]);
    const vma = newVma(b, 'vma', { mm, shared: true });
    b.thread('CPU0', function* (t: Ctx) {
      // madvise(MADV_DONTNEED) with PT reclaim (mmap lock for read), over a range whose entries the
      // collapse has cleared (the model's reclaim does not zap present entries itself).
      yield* zapPteRangeReclaim(t, cpus, cpus.cpu[0], mm);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // MADV_COLLAPSE / khugepaged (mmap lock for read): the folio is already a PMD-sized THP.
      yield* collapse_pte_mapped_thp(t, cpus, cpus.cpu[1], vma, HP, { noStep4PmdSame: knob === 'no-pmd-same-before-retract' });
    });
  };
}

export const collapseVsReclaimScenario: Scenario = {
  name: 'collapse-pte-mapped-thp-vs-pt-reclaim',
  description: 'collapse_pte_mapped_thp() retracting a file THP\'s table while MADV_DONTNEED\'s PT reclaim frees the table it emptied (§4.4(b)(c))',
  seed: '001', section: '§4',
  variants: variants<CollapseKnob>('collapse-pte-mapped-thp-vs-pt-reclaim', makeCollapseVsReclaim, [
    { name: 'safe', ref: '§4', expected: 'ok', description: 'collapse_pte_mapped_thp() of v6.14+: pmd_same() after taking the PTL in step 2 and again under the PMD lock in step 4, before pmdp_collapse_flush()' },
    { name: 'no-pmd-same-before-retract', kernels: 'v6.6–v6.12\'s step 4 with v6.14\'s PT reclaim (no kernel had both)', ref: '§4', origin: 'step 4 as in v6.6–v6.12, written before PT reclaim (v6.14) could free an emptied table under the mmap read lock', expected: 'I1',
      description: 'no pmd_same() in step 4: PT reclaim cleared the PMD and freed the table after step 2 emptied it; the collapse "retracts" the none PMD and pte_free_defer()s pmd_pgtable() of it, page 0' },
  ]),
};
