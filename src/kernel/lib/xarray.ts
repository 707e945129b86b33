// The xarray below a page cache (lib/xarray.c; docs/design/protocols.md §M "page cache: an xarray per mapping,
// the i_pages lock, RCU-freed nodes"): xas_store() on a flat AddressSpace (mm/filemap.ts), and
// an xarray with one level of nodes. xa_head points to a node
// (or is empty); a node holds slots of folio pfns. A lookup walks head -> node -> slot under
// rcu_read_lock() and xas_reload() rereads the slot *in the node it walked*, not from the head.
// When the last entry goes, xas_delete_node() unlinks the node and frees it through call_rcu()
// (radix_tree_node_rcu_free), so a lookup still inside it reads a dead node, never a reused one.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { FREED, Mode } from '../../engine/ops.ts';
import { I9 } from '../invariants.ts';
import type { Builder } from '../../engine/program.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { call_rcu } from '../kernel/rcu/tree.ts';
import { ghostLoad } from '../ghost.ts';
import type { AddressSpace, XaCursor } from '../mm/filemap.ts';
import { MAINLINE, kernelFunction, modelStep } from '../kfn.ts';

const xarrayC = (name: string, note?: string) => ({ name, file: 'lib/xarray.c', version: MAINLINE, ...(note ? { note } : {}) });

/**
 * xas_store() of a flat AddressSpace's slot, under the i_pages lock; bumps the slot's ghost
 * version. The slot is written with rcu_assign_pointer() (lib/xarray.c xas_store()), a
 * store-release: everything the writer did to the folio before (its mapping, index, reference)
 * is visible to a lookup that finds it. `release: false` is the barrier-drop knob (a plain
 * WRITE_ONCE).
 */
export const xas_store = kernelFunction(xarrayC('xas_store'),
  function* (t: Ctx, m: AddressSpace, index: number, pfn: number, release = true): ThreadGen<void> {
    const old = yield t.load(m.slots[index]);
    yield t.store(m.slots[index], pfn | (((old >> 8) + 1) << 8), release ? Mode.Release : Mode.Once);
  });


/**
 * struct xa_node: its slots (folio pfns, 0 = empty). An object of the program (kind 'xa_node'):
 * kmem_cache_free() frees it, and a lookup that reads a slot of a freed node, or of a node the
 * slab reallocated after the lookup read the pointer to it, is an I9 use-after-free at that read.
 */
export interface XaNode {
  id: number;
  name: string;
  slots: Loc[];
}

/** struct xarray: xa_head (one node deep in the model) and xa_lock. */
export interface Xarray {
  name: string;
  /** xa_head: a node id, 0 = empty. */
  head: Loc;
  xa_lock: Loc;
}

/** An xa_node with id `id` and slots `slots` (folio pfns). */
export function newXaNode(b: Builder, id: number, slots: number[]): XaNode {
  const name = `xa_node#${id}`;
  const locs = slots.map((v, i) => b.loc(`${name}.slots[${i}]`, v, (p) => (p ? `folio pfn ${p}` : 'empty')));
  b.object('xa_node', name, { slots: locs }, { invariant: I9 });
  return { id, name, slots: locs };
}

/** An xarray whose head is `head` (null: empty). */
export function newXarray(b: Builder, name: string, head: XaNode | null): Xarray {
  return {
    name,
    head: b.loc(`${name}.xa_head`, head ? head.id : 0, (v) => (v ? `xa_node#${v}` : 'empty')),
    xa_lock: b.loc(`${name}.xa_lock`, 0, (v) => (v ? 'locked' : 'unlocked')),
  };
}

const XAS_LOAD = xarrayC('xas_load');
const XAS_RELOAD = { name: 'xas_reload', file: 'include/linux/xarray.h', version: MAINLINE };

/** xas_load() of a flat AddressSpace's slot: the folio pfn it holds (0 = empty). */
export const xasLoadSlot = kernelFunction(XAS_LOAD, function* (t: Ctx, slot: Loc): ThreadGen<number> {
  return (yield t.load(slot)) & 0xff; // slotPfn(): without the ghost version
});

/** xas_reload() of a flat AddressSpace's slot. */
export const xasReloadSlot = kernelFunction(XAS_RELOAD, function* (t: Ctx, slot: Loc): ThreadGen<number> {
  return (yield t.load(slot)) & 0xff;
});

/** xas_load(): head, then the slot in that node; returns the node walked and the entry. */
export const xas_load = kernelFunction(XAS_LOAD,
  function* (t: Ctx, xa: Xarray, nodes: XaNode[], index: number): ThreadGen<{ node: XaNode | null; pfn: number }> {
    const h = yield t.load(xa.head); // rcu_dereference(xa->xa_head)
    if (h === 0) return { node: null, pfn: 0 };
    const node = nodes.find((n) => n.id === h)!;
    t.depends('addr', xa.head); // the slot's address is computed from the node pointer
    return { node, pfn: yield t.load(node.slots[index]) };
  });

/** xas_reload(): the slot again, in the node xas_load() walked (xas->xa_node, read from the head). */
export const xas_reload = kernelFunction(XAS_RELOAD,
  function* (t: Ctx, xa: Xarray, node: XaNode | null, index: number): ThreadGen<number> {
    if (!node) return 0;
    t.depends('addr', xa.head); // &xas->xa_node->slots[offset]: the node pointer xas_load() read
    return yield t.load(node.slots[index]);
  });

/**
 * The ghost truth for I9: what xa[index] holds now, read in the node the lookup walked. A's
 * entries live only in that node, and erasing clears the slot before the node is unlinked, so
 * the node's slot is the truth until the slab reuses the node for someone else. (Reading the
 * head instead would compare against a different location, which the LKMM does not order with
 * the lookup's own slot loads.)
 */
const xaGhostEntry = modelStep('(check)', function* (t: Ctx, node: XaNode, index: number): ThreadGen<number> {
  const v = yield* ghostLoad(t, node.slots[index]);
  return v === FREED ? 0 : v;
});

/**
 * The lookup cursor filemap_get_entry() walks with: remembers the node xas_load() walked. `what`
 * names the lookup in messages, e.g. 'A, 1'.
 */
export function xaCursor(t: Ctx, xa: Xarray, nodes: XaNode[], index: number, what = `${xa.name}, ${index}`): XaCursor {
  let node: XaNode | null = null;
  return {
    name: `${xa.name}[${index}]`,
    what,
    *xas_load() {
      const r = yield* xas_load(t, xa, nodes, index);
      node = r.node;
      return r.pfn;
    },
    xas_reload: () => xas_reload(t, xa, node, index),
    *truth() {
      const pfn = node ? yield* xaGhostEntry(t, node, index) : 0;
      return { pfn, text: pfn ? `folio pfn ${pfn}` : 'empty' };
    },
  };
}

/** xas_delete_node(): the emptied node is unlinked from the head. */
const xas_delete_node = kernelFunction(xarrayC('xas_delete_node'), function* (t: Ctx, xa: Xarray): ThreadGen<void> {
  yield t.store(xa.head, 0);
});

/** kmem_cache_free() of an xa_node (radix_tree_node_rcu_free()'s free): back to the slab. */
const kmem_cache_free = kernelFunction({ name: 'kmem_cache_free', file: 'mm/slub.c', version: MAINLINE }, function* (t: Ctx, node: XaNode): ThreadGen<void> {
  // The slab's free publishes the object back to it (a release; the slab takes it with an acquire).
  for (let i = node.slots.length - 1; i >= 0; i--) yield t.free(node.slots[i], i === 0 ? Mode.Release : Mode.Once);
});

/**
 * xa_node_free(): call_rcu(radix_tree_node_rcu_free), so a lookup still inside the node never
 * sees it reused; `rcuFree: false` frees it at once (a hypothetical change).
 */
const xa_node_free = kernelFunction(xarrayC('xa_node_free', 'rcuFree false is a hypothetical change'),
  function* (t: Ctx, cpus: Cpus, self: Cpu, node: XaNode, rcuFree: boolean): ThreadGen<void> {
    if (rcuFree) yield* call_rcu(t, cpus, self, () => kmem_cache_free(t, node));
    else yield* kmem_cache_free(t, node);
  });

/**
 * xa_erase() of the last entry of a node, under xa_lock: clear the slot, unlink the node from the
 * head (xas_delete_node), then free it (xa_node_free; the model runs the free after the unlock).
 */
export const xa_erase = kernelFunction(xarrayC('xa_erase', 'the last entry of a one-level node'),
  function* (t: Ctx, cpus: Cpus, self: Cpu, xa: Xarray, node: XaNode, index: number, rcuFree: boolean): ThreadGen<void> {
    yield t.lock(xa.xa_lock);
    yield t.store(node.slots[index], 0);
    yield* xas_delete_node(t, xa);
    yield t.unlock(xa.xa_lock);
    yield* xa_node_free(t, cpus, self, node, rcuFree);
  });

/**
 * xa_store() into an empty xarray whose new node (xas_alloc()) the slab hands out: the node `node`
 * if it is free now, zeroed, then the entry and the head published with rcu_assign_pointer().
 */
export const xa_store = kernelFunction(xarrayC('xa_store', 'the new node is a given freed one, reused by the slab'),
  function* (t: Ctx, xa: Xarray, node: XaNode, index: number, pfn: number): ThreadGen<void> {
    t.mayBeFreed(); // the slab's own look at its free object
    const v = yield t.load(node.slots[0], Mode.Acquire);
    yield t.assume(v === FREED); // the slab only hands out free objects
    for (const s of node.slots) yield t.alloc(s, 0); // xas_alloc(): a new, zeroed node
    yield t.lock(xa.xa_lock);
    yield t.store(node.slots[index], pfn, Mode.Release); // rcu_assign_pointer(*slot, folio)
    yield t.store(xa.head, node.id, Mode.Release); // rcu_assign_pointer(xa->xa_head, node)
    yield t.unlock(xa.xa_lock);
  });
