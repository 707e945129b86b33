// §7: migration against every kind of reference holder (seed 002: "Please add an explanation to
// the changelog for why it's safe to pull this out from under the i_pages lock"). The data of a
// page is one integer; I10 is checked at the end: the value reachable through the user-visible
// location must be the last value written to it.
import type { Ctx } from '../../engine/ops.ts';
import type { Builder, Params } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { folioField, folio_put, newFolio, type Folio } from '../include/linux/page_ref.ts';
import { newAnonFolio } from '../include/linux/page-flags.ts';
import { dup_mmap } from '../kernel/fork.ts';
import { PTE_NONE, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_table, pte_pfn, pte_present, pte_write, showPte } from '../include/linux/pgtable.ts';
import { newMm, folio as folioAt } from '../mm/mm.ts';
import { filemap_get_entry, newAddressSpace, slotCursor, slotPfn } from '../mm/filemap.ts';
import { GUP_PIN_COUNTING_BIAS, get_user_pages_fast, put_page, unpin_user_page } from '../mm/gup.ts';
import { __buffer_migrate_folio, migrateAnonFolio, migrateFileFolio, migration_entry_wait, type AnonKnobs } from '../mm/migrate.ts';
import { migrate_vma_collect_pmd, migrate_vma_finalize, type CollectOpts } from '../mm/migrate_device.ts';
import { shrink_folio_list } from '../mm/vmscan.ts';
import { __find_get_block, newBufferHead, put_bh } from '../fs/buffer.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { insnBegin, insnEnd, mmuAccessBegin, mmuAccessEnd, mmuTranslate, newMmu, newTlb } from '../hw.ts';
import { flush_tlb_page } from '../arch/x86/mm/tlb.ts';
import { variants, type Scenario } from '../scenario.ts';
import { ghostWord, ghostLoad } from '../ghost.ts';
import { I6, I10, I15, I16 } from '../invariants.ts';
import { newSpinlock } from '../include/linux/spinlock.ts';

/** `wrote`: the last value written (0: none). */
function lostWrite(wrote: number, seen: number, where: string) {
  return wrote && seen !== wrote ? { invariant: I10, message: `the write of ${wrote} is lost: ${where} reads ${seen} after migration` } : null;
}

/** The fix proposed for docs/weak-memory-findings.md §1, as a variant (it is in no kernel). */
const ACQUIRE_FIX = 'the fix proposed for docs/weak-memory-findings.md §1 (in no kernel): smp_acquire__after_ctrl_dep() after __migrate_folio()\'s early refcount check';

// ---------------------------------------------------------------- U5.b, U7.f: file folio vs lookup
type FileKnob = 'lookup-folio-get' | 'check-without-freeze';

function makeFile(knob: FileKnob | undefined) {
  return (b: Builder, params: Params) => {
    const lookups = params.lookups ?? 1;
    const cpus = new Cpus(b, 1 + lookups);
    const src = newFolio(b, 'src', 1, 2); // page cache + isolation
    const dst = newFolio(b, 'dst', 2, 1); // allocation reference
    const A = newAddressSpace(b, 'A', [1]);
    src.holders.push({ loc: A.slots[0], holds: (v) => slotPfn(v) === 1, what: 'A.i_pages[0]' });
    dst.holders.push({ loc: A.slots[0], holds: (v) => slotPfn(v) === 2, what: 'A.i_pages[0]' });
    const folios = (pfn: number) => (pfn === 1 ? src : dst);
    // Thread i runs on CPU i: a lookup on CPU0, the migration on CPU1, further lookups on CPU2...
    // The lookups are identical (one body; each owns its CPU's word): explored up to permutation.
    const lookup = function* (t: Ctx) {
      const f = yield* filemap_get_entry(t, cpus.mine(t), slotCursor(t, A, 0), folios, { plainGet: knob === 'lookup-folio-get' });
      if (f) yield* folio_put(t, f);
    };
    const lookupOn = (c: number) => ({ symmetric: 'lookup', owns: [cpus.cpu[c].state] });
    b.thread('CPU0', lookup, lookupOn(0));
    b.thread('CPU1', function* (t: Ctx) {
      yield* migrateFileFolio(t, A, 0, src, dst, { checkWithoutFreeze: knob === 'check-without-freeze' });
    });
    for (let c = 2; c < 1 + lookups; c++) b.thread(`CPU${c}`, lookup, lookupOn(c));
    b.final((s) => {
      const inDst = slotPfn(s.value(A.slots[0])) === 2;
      const [a, bb] = [s.value(src._refcount), s.value(dst._refcount)];
      const want = inDst ? [0, 1] : [1, 0];
      return a === want[0] && bb === want[1] ? null
        : { invariant: I6, message: `at the end src/dst refcounts are ${a}/${bb}, expected ${want[0]}/${want[1]}` };
    });
  };
}

export const migrateFileScenario: Scenario = {
  name: 'migrate-file-vs-lookup',
  description: 'migration of a page-cache folio (early check outside the lock, freeze under xa_lock) against filemap_get_entry() (§7.4, U5.b, U7.f)',
  seed: '002', section: '§7',
  variants: variants<FileKnob>('migrate-file-vs-lookup', makeFile, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'current kernels: refcount compared outside the i_pages lock as an early exit, then folio_ref_freeze(expected) under it decides' },
    { name: 'lookup-folio-get', kernels: 'a hypothetical change to v6.12', ref: 'U5.b', expected: 'I3', description: 'the lookup takes its reference with folio_get() instead of folio_try_get(): it increments a frozen count' },
    { name: 'check-without-freeze', kernels: 'a hypothetical change to v6.12', ref: 'U7.f', expected: 'I5', also: ['I4'], description: 'under xa_lock a plain refcount comparison instead of the freeze, and a plain set afterwards: the lookup takes a reference inside the window migration believes is exclusive (I5), and the set overwrites it (I4)' },
  ], { lookups: { default: 1, min: 1, max: 8 } }),
};

// ---------------------------------------------------------------- §7.4: file folio vs a writing holder
type FileHolderKnob = 'freeze-then-copy' | 'acquire-after-ctrl-dep';

function makeFileHolder(knob: FileHolderKnob | undefined) {
  return (b: Builder) => {
    new Cpus(b, 2);
    const src = newFolio(b, 'src', 1, 3); // page cache + the holder's reference + isolation
    const dst = newFolio(b, 'dst', 2, 1); // allocation reference
    const A = newAddressSpace(b, 'A', [1]);
    const wrote = ghostWord(b, 'wrote');
    const folios = (pfn: number): Folio => (pfn === 1 ? src : dst);
    b.thread('CPU0', function* (t: Ctx) {
      // A holder of a reference on the page-cache folio (taken earlier, e.g. by a lookup)
      // writes the page through the kernel mapping, then drops its reference.
      yield t.store(src.data, 1);
      yield t.store(wrote, 1);
      yield* folio_put(t, src);
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* migrateFileFolio(t, A, 0, src, dst, { freezeThenCopy: knob === 'freeze-then-copy', acquireAfterCtrlDep: knob === 'acquire-after-ctrl-dep' });
    });
    b.final((s) => lostWrite(s.value(wrote), s.value(folios(slotPfn(s.value(A.slots[0]))).data), 'the page cache'));
  };
}

export const migrateFileHolderScenario: Scenario = {
  name: 'migrate-file-vs-writing-holder',
  description: 'migration of a page-cache folio whose reference holder writes it and then drops its reference (§7.4; docs/weak-memory-findings.md §1)',
  seed: '002', section: '§7',
  variants: variants<FileHolderKnob>('migrate-file-vs-writing-holder', makeFileHolder, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'v6.11+: the early refcount check outside the lock, the copy, then the freeze under the i_pages lock' },
    { name: 'lkmm-early-refcount-check', ref: '§7', expected: 'I10', model: 'lkmm', finding: '§1', description: 'FINDING, to be confirmed (docs/weak-memory-findings.md §1): the kernel\'s own protocol under the LKMM; the freeze comes after the copy and orders nothing it read, so the copy can miss the holder\'s last write although the check and the freeze both saw its put' },
    { name: 'freeze-then-copy', ref: '§7', expected: 'ok', model: 'lkmm', kernels: 'v5.19–v6.10', origin: 'the order of kernels before v6.11 (migrate_folio_extra(): folio_migrate_mapping(), then folio_migrate_copy())', description: 'the freeze under the i_pages lock first, the copy after it: a successful freeze is fully ordered, so the copy sees the write of every reference it counted as dropped' },
    { name: 'acquire-after-ctrl-dep', ref: '§7', expected: 'ok', model: 'lkmm', kernels: 'a proposed fix', origin: ACQUIRE_FIX, description: 'smp_acquire__after_ctrl_dep() after the early check: the copy comes after the check' },
  ]),
};

// ---------------------------------------------------------------- U7.a-c: one mapped anon page
/**
 * The world of the anon migrations: `src` (pfn 1) mapped writable at T0[0] under *pmd, and the
 * freshly allocated `dst` (pfn 2) holding its allocation reference. `srcRefs` counts the mapping,
 * the isolation reference and whatever the scenario's other actor holds. `warmTlb`: CPU0's TLB
 * already caches the translation a -> src, writable.
 */
function newAnonMigration(b: Builder, srcRefs: number, opts: { warmTlb?: boolean } = {}) {
  const cpus = new Cpus(b, 2);
  const src = newAnonFolio(b, 'src', 1, srcRefs); // mapped writable: AnonExclusive
  const dst = newAnonFolio(b, 'dst', 2, 1, { exclusive: false }); // freshly allocated
  const pte0 = mk_pte(1, _PAGE_PRESENT | _PAGE_RW);
  const T = newPageTable(b, 0, [pte0]);
  const mm = newMm(b, pmd_table(0), [T], [src, dst]);
  const tlb = opts.warmTlb ? newTlb(b, cpus.cpu[0], pte0) : undefined;
  const wrote = ghostWord(b, 'wrote');
  const copying = ghostWord(b, 'copying');
  return { cpus, src, dst, T, mm, tlb, wrote, copying };
}
type AnonMigration = ReturnType<typeof newAnonMigration>;

/**
 * CPU1 runs migrate_pages() on src (the knobs may need CPU1's context, e.g. its TLB flush), and
 * at the end the address must read the value CPU0 wrote, if it wrote one (I10).
 */
function migratePagesOnCpu1(b: Builder, w: AnonMigration, knobs: (t: Ctx) => AnonKnobs) {
  b.thread('CPU1', function* (t: Ctx) {
    yield* migrateAnonFolio(t, w.T, 0, w.src, w.dst, { copying: w.copying }, knobs(t));
  });
  b.final((s) => lostWrite(s.value(w.wrote), s.value(folioAt(w.mm, pte_pfn(s.value(w.T.entries[0]))).data), 'the address'));
}

// ---------------------------------------------------------------- U7.a: vs a reference holder that writes
type HolderKnob = 'no-refcount-check' | 'acquire-after-ctrl-dep' | 'pinned-holder' | 'pinned-holder-no-refcount-check';

function makePin(knob: HolderKnob | undefined) {
  return (b: Builder) => {
    // The holder got its reference earlier by GUP: FOLL_GET (get_user_pages(), one reference) or,
    // in the pinned-holder variants, FOLL_PIN (pin_user_pages(): GUP_PIN_COUNTING_BIAS references).
    const pinned = knob === 'pinned-holder' || knob === 'pinned-holder-no-refcount-check';
    const refs = pinned ? GUP_PIN_COUNTING_BIAS : 1;
    const w = newAnonMigration(b, 2 + refs); // mapping + the holder's reference(s) + isolation
    b.thread('CPU0', function* (t: Ctx) {
      // The holder: the device writes into the page, then the reference is dropped.
      yield t.store(w.src.data, 1);
      yield t.store(w.wrote, 1);
      const g = { page: w.src.pfn, folio: w.src, refs };
      if (pinned) yield* unpin_user_page(t, w.mm, g);
      else yield* put_page(t, w.mm, g);
    });
    migratePagesOnCpu1(b, w, () => ({
      noRefcountCheck: knob === 'no-refcount-check' || knob === 'pinned-holder-no-refcount-check',
      acquireAfterCtrlDep: knob === 'acquire-after-ctrl-dep',
    }));
  };
}


export const migratePinScenario: Scenario = {
  name: 'migrate-vs-reference-holder',
  description: 'migration of an anon page on which a GUP reference holder (FOLL_GET, or FOLL_PIN) still writes (§7.3, U7.a)',
  seed: '002', section: '§7',
  variants: variants<HolderKnob>('migrate-vs-reference-holder', makePin, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'a FOLL_GET holder: after the unmap the refcount must equal the expected count, else -EAGAIN and the page is remapped' },
    { name: 'no-refcount-check', kernels: 'a hypothetical change to v6.12', ref: 'U7.a', expected: 'I10', description: 'no refcount check: the page is copied while the FOLL_GET holder can still write the old one' },
    { name: 'lkmm-early-refcount-check', ref: '§7', expected: 'I10', model: 'lkmm', finding: '§1', description: 'FINDING, to be confirmed (docs/weak-memory-findings.md §1): the kernel\'s own protocol under the LKMM; the copy\'s loads are ordered after the refcount check only by a control dependency, so they can read the page before the holder\'s last write' },
    { name: 'acquire-after-ctrl-dep', ref: '§7', expected: 'ok', model: 'lkmm', kernels: 'a proposed fix', origin: ACQUIRE_FIX, description: 'smp_acquire__after_ctrl_dep() after the early check: the copy reads the page after the holder\'s write whenever the check saw the holder\'s put' },
    { name: 'pinned-holder', ref: '§7', expected: 'ok', model: 'lkmm', kernels: 'v5.19–v6.18',
      description: 'a FOLL_PIN holder: try_to_migrate_one() sees folio_maybe_dma_pinned() in folio_try_share_anon_rmap_pte() and restores the PTE before any refcount check; if the pin is already gone, the smp_mb__after_atomic() after ClearPageAnonExclusive() orders the copy after the unpin it saw (ok under the LKMM too)' },
    { name: 'pinned-holder-no-refcount-check', ref: '§7', expected: 'ok', kernels: 'a hypothetical change to v6.12',
      description: 'U7.a\'s change against a FOLL_PIN holder: still ok, because the maybe-pinned back-off of try_to_migrate_one() comes before any refcount check' },
  ]),
};

// ---------------------------------------------------------------- §7.3: a pinned page, migration and fork
type PinnedForkKnob = 'ignore-pins';

/**
 * Why try_to_migrate_one() must not unmap a maybe-pinned AnonExclusive page even though
 * __migrate_folio()'s refcount check would fail the migration anyway: while the page sits behind a
 * migration entry, fork()'s copy_nonpresent_pte() shares it (the entry becomes readable in both
 * processes) without any pin check, and the failed migration then restores a readable, not
 * exclusive PTE: the pinned page is no longer the parent's own. (The rmap walk of the failed
 * migration would restore the child's copy of the entry too; the model restores the parent's.)
 */
function makePinnedFork(knob: PinnedForkKnob | undefined) {
  return (b: Builder) => {
    const w = newAnonMigration(b, 2 + GUP_PIN_COUNTING_BIAS); // mapping + an RDMA pin held all along + isolation
    w.mm.write_protect_seq = b.loc('mm.write_protect_seq', 0);
    b.addField(w.mm.obj, 'write_protect_seq', w.mm.write_protect_seq);
    w.mm.MMF_HAS_PINNED = b.loc('mm.MMF_HAS_PINNED', 1); // the pin was taken by this mm
    b.addField(w.mm.obj, 'MMF_HAS_PINNED', w.mm.MMF_HAS_PINNED);
    const C = newAnonFolio(b, 'C', 3, 0, { exclusive: false }); // the child's copy, if fork makes one
    const T1 = newPageTable(b, 1, [PTE_NONE]);
    const child = newMm(b, pmd_table(1), [T1], [w.src, C], { pmdName: 'child_pmd' });
    b.thread('CPU0', function* (t: Ctx) {
      // fork() of the process while the page may be under migration.
      yield* dup_mmap(t, { mm: w.mm, T: w.T, idx: 0 }, { mm: child, T: T1, idx: 0 }, { childCopy: C });
    });
    b.thread('CPU1', function* (t: Ctx) {
      yield* migrateAnonFolio(t, w.T, 0, w.src, w.dst, { copying: w.copying }, { unmap: { ignorePins: knob === 'ignore-pins' } });
    });
    b.final((s) => {
      const pte = s.value(w.T.entries[0]);
      if (pte_present(pte) && pte_pfn(pte) === w.src.pfn && s.value(w.src.PG_anon_exclusive) === 1) return null;
      return { invariant: I15, message: `the pinned page is ${pte_pfn(pte) === w.src.pfn ? 'mapped by the parent but no longer AnonExclusive (fork shared it)' : `no longer mapped by the parent (${showPte(pte)})`}: the parent's next write copies away from the pin` };
    });
  };
}

export const migratePinnedForkScenario: Scenario = {
  name: 'migrate-pinned-vs-fork',
  description: 'migration of an AnonExclusive page that stays pinned (an RDMA buffer) against fork() of its process (§7.3; the maybe-pinned back-off of try_to_migrate_one())',
  seed: '002', section: '§7',
  variants: variants<PinnedForkKnob>('migrate-pinned-vs-fork', makePinnedFork, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'try_to_migrate_one() backs off before unmapping a maybe-pinned AnonExclusive page; fork sees the present PTE and gives the child a copy' },
    { name: 'ignore-pins', ref: '§7', expected: 'I15', kernels: 'a hypothetical change to v6.12',
      origin: 'a change a patch could make: try_to_migrate_one() clears PageAnonExclusive without folio_try_share_anon_rmap_pte()\'s pin check, trusting __migrate_folio()\'s refcount check to fail the migration of a pinned page',
      description: 'the pinned page gets a migration entry; fork makes it readable in both processes, and the failed migration restores a read-only, possibly shared PTE over the pinned page' },
  ]),
};

// ---------------------------------------------------------------- U7.b: vs GUP-fast
function makeGup(knob: 'check-before-unmap' | undefined) {
  return (b: Builder) => {
    const w = newAnonMigration(b, 2); // mapping + isolation
    b.thread('CPU0', function* (t: Ctx) {
      const g = yield* get_user_pages_fast(t, w.cpus.cpu[0], w.mm, 0, { write: true });
      if (g) {
        yield t.store(g.folio.data, 1); // O_DIRECT read lands in the page
        yield t.store(w.wrote, 1);
        yield* put_page(t, w.mm, g);
      }
    });
    migratePagesOnCpu1(b, w, () => ({ checkBeforeUnmap: knob === 'check-before-unmap' }));
  };
}

export const migrateGupScenario: Scenario = {
  name: 'migrate-vs-gup-fast',
  description: 'migration of a mapped page against get_user_pages_fast() taking a reference to write into it (§7.3, U7.b)',
  seed: '002', section: '§7',
  variants: variants('migrate-vs-gup-fast', makeGup, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'unmap first (GUP-fast\'s PTE recheck then fails), check the refcount after' },
    { name: 'check-before-unmap', kernels: 'a hypothetical change to v6.12', ref: 'U7.b', expected: 'I10', description: 'the refcount is checked before the unmap: GUP-fast grabs the page in between and passes its recheck' },
    { name: 'lkmm-early-refcount-check', ref: '§7', expected: 'I10', model: 'lkmm', finding: '§1', description: 'FINDING, to be confirmed (docs/weak-memory-findings.md §1): the kernel\'s own protocol under the LKMM; GUP\'s user writes then drops its reference, the migration reads the dropped count and copies stale data (control dependency only)' },
  ]),
};

// ---------------------------------------------------------------- U7.c: vs a stale TLB entry
type TlbKnob = 'copy-before-flush' | 'flush-no-wait';

/**
 * CPU0 stores to a twice (values 1 then 2), each store one instruction; its TLB starts empty, so
 * the first store's walk can fill it while CPU1 is unmapping and flushing: the TLB flush must
 * leave no entry a later store can use once the copy starts (docs/design/protocols.md §M.2).
 */
function makeTlb(knob: TlbKnob | undefined) {
  return (b: Builder, params: Params) => {
    const stores = params.stores ?? 2;
    const w = newAnonMigration(b, 2); // mapping + isolation
    const { cpus, src, mm, copying } = w;
    const mmu = newMmu(b, cpus.cpu[0], { flush: 'ipi', tlb: 0 });
    b.thread('CPU0', function* (t: Ctx) {
      // Each user store to a: through the TLB, or after a miss through a page walk; a migration
      // entry sends it to the fault handler, which waits for the migration to finish.
      for (let v = 1; v <= stores; v++) {
        for (;;) {
          yield* mmuAccessBegin(t, mmu); // one user store: TLB lookup, walk on a miss, the store
          const { pte, from } = yield* mmuTranslate(t, mmu, mm, 0);
          if (pte_present(pte) && pte_write(pte)) {
            const f = folioAt(mm, pte_pfn(pte));
            if (f === src) {
              const c = yield* ghostLoad(t, copying);
              yield t.assert(!c, I16, () => `CPU0 writes src through a TLB entry that is stale: src is being copied for migration`);
            }
            t.depends('addr', from); // the store's physical address is the translation's pfn
            yield t.store(f.data, v);
            yield t.store(w.wrote, v);
            yield* mmuAccessEnd(t, mmu);
            break;
          }
          yield* mmuAccessEnd(t, mmu);
          yield* migration_entry_wait(t, w.T, 0);
        }
      }
    });
    migratePagesOnCpu1(b, w, (t) => ({
      flush: () => flush_tlb_page(t, cpus, cpus.cpu[1], [mmu], { wait: knob !== 'flush-no-wait' }),
      flushAfterCopy: knob === 'copy-before-flush',
    }));
  };
}

export const migrateTlbScenario: Scenario = {
  name: 'migrate-vs-stale-tlb',
  description: 'migration of a page another CPU keeps storing to through its TLB (§7.3, U7.c; the flush as x86 does it, §M.2)',
  seed: '002', section: '§7',
  variants: variants<TlbKnob>('migrate-vs-stale-tlb', makeTlb, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'clear the PTE and flush the TLB before the copy: flush_tlb_func() runs on CPU0 between two of its stores, so the entry a store in flight just filled is gone too' },
    { name: 'copy-before-flush', kernels: 'a hypothetical change to v6.12', ref: 'U7.c', expected: 'I16', also: ['I10'], description: 'the batched flush runs after the copy: src is freed while a TLB still maps it (I16), and a store through the stale entry lands in src after it was copied and is lost (I10)' },
    { name: 'flush-no-wait', kernels: 'a hypothetical change to v6.12', ref: '§7', origin: 'a hypothetical change to v6.12: flush_tlb_multi() sends the flush IPIs without waiting for their handlers (on_each_cpu_cond_mask(…, wait=false))', expected: 'I16', also: ['I10'], description: 'the flush returns before flush_tlb_func() has run on CPU0: the copy starts while CPU0 still stores through the old translation' },
  ], { stores: { default: 2, min: 1, max: 4 } }),
};

// ---------------------------------------------------------------- U7.d: buffer heads
function makeBh(knob: 'drop-private-lock' | undefined) {
  return (b: Builder) => {
    const src = newFolio(b, 'src', 1, 2);
    const dst = newFolio(b, 'dst', 2, 1);
    const A = newAddressSpace(b, 'A', [1]);
    const privateLock = newSpinlock(b, 'A.private_lock');
    b.addField(A.obj, 'private_lock', privateLock);
    const { b_count: bhCount, b_page: bhPage } = newBufferHead(b, 'bh', 1);
    const wrote = ghostWord(b, 'wrote');
    const folios = (pfn: number): Folio => (pfn === 1 ? src : dst);
    b.thread('CPU0', function* (t: Ctx) {
      // __find_get_block(): find the buffer under private_lock, get_bh(), then modify it.
      const page = yield* __find_get_block(t, privateLock, bhPage, bhCount);
      yield t.store(folios(page).data, 1); // mark_buffer_dirty after writing metadata into b_data
      yield t.store(wrote, 1);
      yield* put_bh(t, bhCount); // brelse()
    });
    b.thread('CPU1', function* (t: Ctx) {
      // buffer_migrate_folio_norefs(): no buffer may be in use; keep private_lock across the move.
      yield* __buffer_migrate_folio(t, A, src, dst, { privateLock, bhCount, bhPage }, knob === 'drop-private-lock');
    });
    b.final((s) => lostWrite(s.value(wrote), s.value(folios(slotPfn(s.value(A.slots[0]))).data), 'the block in the page cache'));
  };
}

export const migrateBhScenario: Scenario = {
  name: 'migrate-buffer-head',
  description: 'migration of a block-device page with buffer heads against __find_get_block() (§7.7, U7.d, ebdf4de5642f)',
  seed: '002', section: '§7',
  variants: variants('migrate-buffer-head', makeBh, [
    { name: 'safe', kernels: 'v5.0–v6.10 (the pre-v6.11 order: mapping switch, then the copy)', ref: '§7', expected: 'ok', description: 'private_lock is held from the "no buffer in use" check across the move (Jan Kara, 2019)' },
    { name: 'drop-private-lock', kernels: 'before ebdf4de5642f (2019)', ref: 'U7.d', expected: 'I10', description: 'private_lock is dropped after the check: __find_get_block() grabs a buffer and writes into the old page after the copy' },
  ]),
};

// ---------------------------------------------------------------- U7.e: dirty bit on collect
type DirtyKnob = 'drop-dirty-bit' | 'fixed';

/** migrate_vma_collect_pmd() as each variant's kernel has it (mm/migrate_device.ts CollectOpts). */
function dirtyOpts(knob: DirtyKnob | undefined): CollectOpts {
  if (knob === 'drop-dirty-bit') return { dropDirtyBit: true, noDirtyInEntry: true, flushAfterUnlock: true }; // v5.19–v6.0
  if (knob === 'fixed') return { noDirtyInEntry: true, flushAfterUnlock: true }; // fd35ca3d12cc, before 60bae7370896 and 2e3468778dbe
  return {};
}

function makeDirty(knob: DirtyKnob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const p = newAnonFolio(b, 'p', 1, 1); // a private anon page, mapped writable: AnonExclusive
    const T = newPageTable(b, 0, [mk_pte(1, _PAGE_PRESENT | _PAGE_RW)]); // writable, still clean
    const pgDirty = folioField(b, p, 'PG_dirty', 0);
    const slot: ObjectFields['swap_slot'] = { data: b.loc('swap slot', 0) };
    b.object('swap_slot', 'swap slot', slot);
    const backing = slot.data;
    const swapped = ghostWord(b, 'swapped_out');
    const wrote = ghostWord(b, 'wrote');
    const done = ghostWord(b, 'migration_done');
    b.thread('CPU0', function* (t: Ctx) {
      // A user store to a: the MMU sets the PTE's dirty bit and the data lands in p, in one
      // instruction (a migration entry makes it fault instead; the fault is not modeled).
      const cpu = cpus.cpu[0];
      yield* insnBegin(t, cpu); // one user store: the MMU sets the dirty bit, then the data
      const pte = yield t.rmw(T.entries[0], (v) => (pte_present(v) && pte_write(v) ? v | _PAGE_DIRTY : undefined));
      if (pte_present(pte) && pte_write(pte)) {
        yield t.store(p.data, 1);
        yield t.store(wrote, 1);
      }
      yield* insnEnd(t, cpu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // migrate_vma_collect_pmd(), then the device migration fails and the PTE is restored.
      const cpu = cpus.cpu[1];
      yield* migrate_vma_collect_pmd(t, cpus, cpu, T, 0, p, pgDirty, dirtyOpts(knob));
      yield* migrate_vma_finalize(t, T, 0, p);
      yield t.store(done, 1);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // Reclaim of p after the failed migration: unmap (moving the PTE dirty bit to the folio),
      // then write a dirty folio to swap or drop a clean one.
      const cpu = cpus.cpu[2];
      yield t.assume((yield t.load(done)) === 1);
      yield* shrink_folio_list(t, cpus, cpu, T, 0, p, { pgDirty, backing, swapped });
    });
    b.final((s) => {
      if (!s.value(wrote)) return null;
      const seen = s.value(swapped) ? s.value(backing) : s.value(p.data);
      return seen === 1 ? null : { invariant: I10, message: `the user's write is lost: a reads ${seen} after reclaim dropped the folio as clean` };
    });
  };
}

export const migrateDirtyScenario: Scenario = {
  name: 'migrate-vma-dirty-bit',
  description: 'migrate_vma_collect_pmd() clearing a PTE the MMU is making dirty, a failed device migration, then reclaim (§7.5, §14.6, U7.e)',
  seed: '002', section: '§7',
  variants: variants<DirtyKnob>('migrate-vma-dirty-bit', makeDirty, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'v6.1+: the PTE cleared atomically, folio_mark_dirty() when it was dirty (Alistair Popple, 2022), and the migration entry keeps the dirty bit too' },
    { name: 'drop-dirty-bit', kernels: 'v5.19–v6.0 (before fd35ca3d12cc)', commit: 'fd35ca3d12cc', fixes: '8c3328f1f36a', ref: 'U7.e', expected: 'I10',
      description: 'the kernel before fd35ca3d12cc: the PTE read earlier is cleared with ptep_clear_flush() whose result is dropped, so its dirty bit is moved nowhere: the failed migration restores a clean PTE and reclaim discards the folio as clean' },
    { name: 'fixed', kernels: 'v6.0 (fd35ca3d12cc, before 2e3468778dbe and 60bae7370896)', commit: 'fd35ca3d12cc', fixes: '8c3328f1f36a', ref: '§7', expected: 'ok',
      origin: 'the kernel right after fd35ca3d12cc: the value ptep_clear_flush() returns is kept and folio_mark_dirty() is called when it was dirty (the migration entry does not keep the dirty bit yet)',
      description: 'fd35ca3d12cc: the dirty bit of the cleared PTE goes to the folio, so reclaim writes the page out' },
  ]),
};
