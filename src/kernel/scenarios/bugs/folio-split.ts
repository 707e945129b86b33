// Bug-history scenario B28 (577a1f495fd7, "mm/huge_memory: fix a folio_split() race condition with
// folio_try_get()"): a non-uniform folio_split() of a page-cache folio splits its multi-index
// xarray entry one order at a time with xas_try_split(), storing at each step the folio being
// split — which, once __split_folio_to_order() has run, is only the first of the new folios. So
// the slots of a later new folio can name an earlier one: an order-2 folio f at indices 0-3 split
// at index 3 leaves the xarray as [f, f, f2, f2] for the folios f (0-1), f2 (2) and f3 (3). The
// store loop then unfreezes f2 and stores it, unfreezes f3 and stores it; in between, a lookup of
// index 3 reads f2, folio_try_get() succeeds on the unfrozen f2, xas_reload() still reads f2, and
// the lookup returns f2 — index 2's page — for index 3 (I9). The fix stores the original folio,
// frozen until every slot holds its final folio, in every xas_try_split() slot: a lookup spins
// on it until then.
//
// The commit's example splits an order-3 folio into four; an order-2 folio into three is the
// smallest split with a new folio whose slots name another.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { folio_put, type Folio } from '../../include/linux/page_ref.ts';
import { FOLIO_TAIL, newXaNode, newXarray, xaCursor, xaSlots } from '../../lib/xarray.ts';
import { filemap_get_entry } from '../../mm/filemap.ts';
import { __folio_split, __folio_split_v6_18, newPagecacheFolio, type PagecacheFolio } from '../../mm/huge_memory.ts';
import { variants, type Scenario } from '../../scenario.ts';

type Knob = 'pre-fix' | 'fixed';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    // A shmem/file folio f of order 2 at indices 0-3 (pfns 1-4): the page cache's four references
    // and the truncating caller's. Pages 2 and 3 become the folios f2 and f3.
    const f = newPagecacheFolio(b, 'f', 1, 0, 2, 5);
    const f2 = newPagecacheFolio(b, 'f2', 3, 2, FOLIO_TAIL, 0);
    const f3 = newPagecacheFolio(b, 'f3', 4, 3, FOLIO_TAIL, 0);
    const pages: PagecacheFolio[] = [f, f2, f3];
    const N = newXaNode(b, 1, xaSlots(4, [{ index: 0, order: 2, pfn: f.pfn }]), (pfn) => pages.find((p) => p.pfn === pfn)?.name);
    const xa = newXarray(b, 'mapping.i_pages', N);
    const byPfn = (pfn: number): PagecacheFolio => {
      const p = pages.find((x) => x.pfn === pfn);
      if (!p) throw new Error(`no folio at pfn ${pfn}`);
      return p;
    };
    const identity = (folio: Folio) => pages.find((p) => p === folio);
    b.thread('CPU0', function* (t: Ctx) {
      // A read of index 3 (filemap_read() -> filemap_get_pages() -> filemap_get_entry()).
      const got = yield* filemap_get_entry(t, cpus.cpu[0], xaCursor(t, xa, [N], 3, 'mapping, 3', identity), byPfn);
      if (got) yield* folio_put(t, got);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // MADV_REMOVE / fallocate(PUNCH_HOLE) of index 3: truncate_inode_partial_folio() ->
      // try_folio_split(f, page 3) -> folio_split(f, 0, page 3), f locked and unmapped.
      yield* (knob === 'fixed' ? __folio_split : __folio_split_v6_18)(t, xa, N, pages, 2, 0, 3);
    });
  };
}

const common = { ref: '§5', commit: '577a1f495fd7', fixes: '00527733d0dc' } as const;

export const folioSplitLookupScenario: Scenario = {
  name: 'folio-split-vs-page-cache-lookup',
  description: 'a non-uniform folio_split() of a page-cache folio (xas_try_split() step by step, then the store loop) against filemap_get_entry() of one of its indices (B28)',
  seed: '004', section: '§5',
  variants: variants<Knob>('folio-split-vs-page-cache-lookup', make, [
    { name: 'pre-fix', ...common, expected: 'I9', kernels: 'v6.15–v6.19',
      description: 'xas_try_split() stores the folio being split at each step: index 3\'s slot names f2, which is unfrozen before f3 is stored; the lookup of index 3 returns f2' },
    { name: 'fixed', ...common, expected: 'ok', kernels: 'v7.0, stable 6.18.y',
      description: 'xas_try_split() stores the original folio, frozen until every new folio is in its slot: the lookup retries until index 3\'s slot holds f3' },
  ]),
};
