// §10 / U10: memory hot-remove against a speculative PFN walker (seed 000: "how is that
// synchronised against memory hotplug? AFAICT if it isn't couldn't the pages be freed and memory
// removed?"). Current kernels have no grace period between offlining a section and unmapping its
// memmap, so a walker that passed pfn_to_online_page() can touch unmapped struct pages.
import type { Ctx, ThreadGen } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus, rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '../rcu.ts';
import { flush_tlb_kernel_range, newPhysMemmap, newVmemmap, page_ref_add_unless_zero, sp_rmw } from '../mm/hugetlb_vmemmap.ts';
import { SECTION_OFFLINE, SECTION_REMOVED, newSection, pfn_to_online_page } from '../mm/memory_hotplug.ts';
import { variants, type Scenario } from '../scenario.ts';

type Knob = 'current-kernel';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const M = newPhysMemmap(b, 1, 'memmap page', [1, 0], [0, 0]); // page 0: one order-0 folio in use
    const vm = newVmemmap(b, cpus, [M], [1]);
    const section = newSection(b);
    const fix = knob !== 'current-kernel';
    b.thread('CPU0', function* (t: Ctx) {
      // A PFN walker (compaction's isolate_migratepages_block, memory-failure, page_idle, ...).
      const cpu = cpus.cpu[0];
      if (fix) yield* t.call('rcu_read_lock', rcu_read_lock(t, cpu));
      if (yield* t.call('pfn_to_online_page', pfn_to_online_page(t, section))) {
        if (yield* t.call('folio_try_get', page_ref_add_unless_zero(t, cpu, vm, 0))) {
          yield* t.call('folio_put', sp_rmw(t, cpu, vm, 0, (v) => v - 1, 'folio_put'));
        }
      }
      if (fix) yield* t.call('rcu_read_unlock', rcu_read_unlock(t, cpu));
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      yield* t.call('offline_pages', (function* (): ThreadGen<void> {
        // do_migrate_range(): the page is migrated away; its last reference here is dropped.
        const old = yield* t.call('folio_put', sp_rmw(t, cpu, vm, 0, (v) => v - 1, 'folio_put'));
        yield t.assume(old === 1);
        yield t.store(section, SECTION_OFFLINE);
      })());
      yield* t.call('__remove_pages', (function* (): ThreadGen<void> {
        if (fix) yield* t.call('synchronize_rcu', synchronize_rcu(t, cpus, cpu));
        yield t.store(section, SECTION_REMOVED);
        yield t.store(vm.pte[0], 0); // arch_remove_memory(): vmemmap unmapped
        yield* t.call('flush_tlb_kernel_range', flush_tlb_kernel_range(t, cpus, cpu));
      })());
    });
  };
}

export const hotplugScenario: Scenario = {
  name: 'memory-hot-remove',
  description: 'memory offline + remove unmapping a memmap while a PFN walker uses a struct page of it (§10, U10)',
  seed: '000', section: '§10',
  variants: variants<Knob>('memory-hot-remove', make, [
    { name: 'safe', ref: '§10', expected: 'ok', description: 'NOT the current kernel: the candidate fix (Hildenbrand/Zhao, June 2024) with walkers inside rcu_read_lock() and synchronize_rcu() between offline and memmap unmap' },
    { name: 'current-kernel', ref: 'U10', expected: 'I2', description: 'current kernels: no grace period between offlining the section and unmapping its memmap; a walker that passed pfn_to_online_page() touches unmapped struct pages' },
  ]),
};
