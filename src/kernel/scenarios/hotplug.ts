// §10 / U10: memory hot-remove against a speculative PFN walker (seed 000: "how is that
// synchronised against memory hotplug? AFAICT if it isn't couldn't the pages be freed and memory
// removed?"). Current kernels have no grace period between offlining a section and unmapping its
// memmap, so a walker that passed pfn_to_online_page() can touch unmapped struct pages.
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { rcu_read_lock, rcu_read_unlock } from '../include/linux/rcupdate.ts';
import { folio_put_testzero, newPhysMemmap, newVmemmap, page_ref_add_unless } from '../mm/hugetlb_vmemmap.ts';
import { __remove_pages, newSection, offline_pages, pfn_to_online_page } from '../mm/memory_hotplug.ts';
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
      if (fix) yield* rcu_read_lock(t, cpu);
      if (yield* pfn_to_online_page(t, section)) {
        if (yield* page_ref_add_unless(t, cpu, vm, 0)) { // folio_try_get()
          yield* folio_put_testzero(t, cpu, vm, 0, 'folio_put');
        }
      }
      if (fix) yield* rcu_read_unlock(t, cpu);
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      yield* offline_pages(t, cpu, vm, section, 0);
      yield* __remove_pages(t, cpus, cpu, vm, section, 0, { synchronizeRcu: fix });
    });
  };
}

export const hotplugScenario: Scenario = {
  name: 'memory-hot-remove',
  description: 'memory offline + remove unmapping a memmap while a PFN walker uses a struct page of it (§10, U10)',
  seed: '000', section: '§10',
  variants: variants<Knob>('memory-hot-remove', make, [
    { name: 'safe', kernels: 'a proposed fix (Hildenbrand/Zhao, June 2024), not merged', ref: '§10', expected: 'ok', description: 'NOT the current kernel: the candidate fix (Hildenbrand/Zhao, June 2024) with walkers inside rcu_read_lock() and synchronize_rcu() between offline and memmap unmap' },
    { name: 'current-kernel', ref: 'U10', expected: 'I2', description: 'current kernels: no grace period between offlining the section and unmapping its memmap; a walker that passed pfn_to_online_page() touches unmapped struct pages' },
  ]),
};
