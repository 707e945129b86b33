// §5 with the xarray's own nodes: a page-cache lookup walks i_pages' head to a node and reads the
// slot there; truncation erases the node's last entry, unlinks the node and frees it. The node
// is freed through RCU (radix_tree_node_rcu_free) because a lookup may still be inside it, and
// xas_reload() rereads the slot in that same node: if the slab reused the node for another
// file's i_pages in the meantime, the reload agrees with the bogus load and the lookup returns
// the other file's folio (seed 004's "B and then C happening before A resumes").
import type { Ctx } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { Cpus } from '../cpus.ts';
import { folio_put, newFolio } from '../include/linux/page_ref.ts';
import { filemap_get_entry } from '../mm/filemap.ts';
import { newXaNode, newXarray, xaCursor, xa_erase, xa_store } from '../lib/xarray.ts';
import { variants, type Scenario } from '../scenario.ts';

type Knob = 'node-freed-without-rcu';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 3);
    const F = newFolio(b, 'F', 1, 1); // file A's page at index 1 (the page cache's reference)
    const G = newFolio(b, 'G', 2, 1); // file B's page at index 1
    const N = newXaNode(b, 1, [0, 1]);
    const A = newXarray(b, 'A.i_pages', N);
    const B = newXarray(b, 'B.i_pages', null);
    const folios = (pfn: number) => (pfn === 1 ? F : G);
    b.thread('CPU0', function* (t: Ctx) {
      const f = yield* filemap_get_entry(t, cpus.cpu[0], xaCursor(t, A, [N], 1, 'A, 1'), folios);
      if (f) yield* folio_put(t, f);
    });
    b.thread('CPU1', function* (t: Ctx) {
      // truncate_inode_pages(A): the last entry goes (as xa_erase() erases it), and with it the node.
      yield* xa_erase(t, cpus, cpus.cpu[1], A, N, 1, knob !== 'node-freed-without-rcu');
      yield* folio_put(t, F);
    });
    b.thread('CPU2', function* (t: Ctx) {
      // filemap_add_folio(B, G, 1), as xa_store() stores it: xas_create() gets the node from the slab.
      yield* xa_store(t, B, N, 1, 2);
    });
  };
}

export const xarrayNodeScenario: Scenario = {
  name: 'filemap-lookup-vs-xa-node-free',
  description: 'filemap_get_entry() inside an xarray node that truncation frees and the slab reuses for another file (§5, RCU-freed xa_node)',
  seed: '004', section: '§5',
  variants: variants<Knob>('filemap-lookup-vs-xa-node-free', make, [
    { name: 'safe', ref: '§5', expected: 'ok', description: 'xas_delete_node() frees the node with call_rcu() (radix_tree_node_rcu_free): no reuse while a lookup is inside it' },
    { name: 'node-freed-without-rcu', kernels: 'a hypothetical change to v6.12', ref: '§5', origin: 'a change that frees the node at once (the radix tree has freed nodes through RCU since lookups became lockless)', expected: 'I9', description: 'the node goes straight back to the slab: B reuses it, and xas_load() and xas_reload() both read B\'s entry, so the lookup returns B\'s folio as A\'s' },
  ]),
};
