// B15 (60bae7370896, mm/migrate_device.c: flush TLB while holding PTL): device migration's collect
// step clears a PTE under the PTL but, before the fix, flushed the TLB only after dropping the PTL.
// A MADV_DONTNEED that takes the PTL in between finds no present PTE (a migration entry), so it has
// nothing to flush and returns; the caller's next access still goes through its stale TLB entry to
// the old page instead of a fresh zero page. A neighbour of row U7.c (migrate-vs-stale-tlb, which is
// migration's own copy racing its deferred flush), not the same race.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { newAnonFolio } from '../../include/linux/page-flags.ts';
import { folioField } from '../../include/linux/page_ref.ts';
import { _PAGE_PRESENT, mk_pte, newPageTable, pmd_table, showPte } from '../../include/linux/pgtable.ts';
import { newMm } from '../../mm/mm.ts';
import { migrate_vma_collect_pmd, migrate_vma_finalize, type CollectOpts } from '../../mm/migrate_device.ts';
import { madvise_dontneed_single_vma } from '../../mm/madvise.ts';
import { flush_tlb_range } from '../../arch/x86/mm/tlb.ts';
import { insnBegin, insnEnd, newTlb } from '../../hw.ts';
import { ghostLoad } from '../../ghost.ts';
import { variants, type Scenario } from '../../scenario.ts';
import { I16 } from '../../invariants.ts';

type Knob = 'pre-fix' | 'fixed';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    // An anon page COW-shared with a child after fork (the child's mapping is one of its two
    // references): mapped read-only and not AnonExclusive, so the collect clears its PTE with
    // ptep_get_and_clear() and leaves the flush to the end of the range.
    const p = newAnonFolio(b, 'p', 1, 2, { exclusive: false, data: 7 });
    const pte0 = mk_pte(1, _PAGE_PRESENT);
    const T = newPageTable(b, 0, [pte0]);
    const mm = newMm(b, pmd_table(0), [T], [p]);
    const pgDirty = folioField(b, p, 'PG_dirty', 0);
    const tlb = newTlb(b, cpus.cpu[1], pte0); // CPU1 has read the page before
    const tlbs = [{ cpu: cpus.cpu[1], tlb }];
    const opts: CollectOpts = knob === 'pre-fix' ? { noDirtyInEntry: true, flushAfterUnlock: true, tlbs }
      : knob === 'fixed' ? { noDirtyInEntry: true, tlbs } : { tlbs };
    b.thread('CPU0', function* (t: Ctx) {
      // A driver's migrate_vma_setup(): collect (and unmap) the page; the migration then fails.
      if (yield* migrate_vma_collect_pmd(t, cpus, cpus.cpu[0], T, 0, p, pgDirty, opts)) yield* migrate_vma_finalize(t, T, 0, p);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // The process: madvise(addr, PAGE_SIZE, MADV_DONTNEED), then it reads addr (one instruction:
      // the TLB, or on a miss a walk that finds no page and faults in a zero page).
      const cpu = cpus.cpu[1];
      yield* madvise_dontneed_single_vma(t, mm, T, 0, () => flush_tlb_range(t, cpus, cpu, tlbs));
      yield* insnBegin(t, cpu);
      const e = yield t.load(tlb);
      if (e) {
        const now = yield* ghostLoad(t, T.entries[0]);
        yield t.assert(now === e, I16, () => `CPU1 reads addr through its TLB entry ${showPte(e)} after madvise(MADV_DONTNEED) returned, but the PTE is ${showPte(now)}: the zapped page is still reachable`);
        t.depends('addr', tlb);
        yield t.load(p.data);
      }
      yield* insnEnd(t, cpu);
    });
  };
}

export const migrateVmaDontneedScenario: Scenario = {
  name: 'migrate-vma-vs-madvise-dontneed',
  description: 'migrate_vma_collect_pmd() clearing a PTE another CPU still caches, against madvise(MADV_DONTNEED) of the page and that CPU\'s next access (B15, 60bae7370896)',
  seed: '002', section: '§7',
  variants: variants<Knob>('migrate-vma-vs-madvise-dontneed', make, [
    { name: 'safe', ref: '§7', expected: 'ok', description: 'today\'s code: flush_tlb_range() before pte_unmap_unlock()' },
    { name: 'pre-fix', ref: '§7', expected: 'I16', commit: '60bae7370896', fixes: '8c3328f1f36a', kernels: 'v4.14–v6.0 (before 60bae7370896)',
      description: 'the kernel before 60bae7370896: the collect drops the PTL, then flushes; MADV_DONTNEED takes the PTL in between, finds a migration entry, has nothing to flush and returns while CPU1 still caches the old translation' },
    { name: 'fixed', ref: '§7', expected: 'ok', commit: '60bae7370896', fixes: '8c3328f1f36a', kernels: 'v6.0 (60bae7370896, before 2e3468778dbe)',
      description: '60bae7370896: the flush runs before pte_unmap_unlock(), so a zap that takes the PTL after the collect finds the TLBs already flushed' },
  ]),
};
