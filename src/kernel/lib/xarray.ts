// The xarray below a page cache with one level of nodes (lib/xarray.c; docs/design/protocols.md §M.1,
// "page cache": an xarray per mapping, the i_pages lock, RCU-freed nodes). xa_head points to a node
// (or is empty); a node holds slots of folio pfns. A lookup walks head -> node -> slot under
// rcu_read_lock() and xas_reload() rereads the slot *in the node it walked*, not from the head.
// When the last entry goes, xas_delete_node() unlinks the node and frees it through call_rcu()
// (radix_tree_node_rcu_free), so a lookup still inside it reads a dead node, never a reused one.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { Mode } from '../../engine/ops.ts';
import type { Builder } from '../../engine/program.ts';
import { call_rcu, type Cpu, type Cpus } from '../rcu.ts';
import { ghostLoad } from '../ghost.ts';
import type { XaCursor } from '../mm/filemap.ts';

/** Ghost slab lifecycle of an xa_node: in use. */
export const NODE_LIVE = 0;
/** Ghost slab lifecycle of an xa_node: freed (after its RCU grace period). */
export const NODE_FREED = 1;
/** Ghost slab lifecycle of an xa_node: reused by the slab for another object. */
export const NODE_REUSED = 2;
const showLife = (v: number): string => ['in use', 'freed', 'reused by the slab'][v] ?? String(v);

/** struct xa_node: its slots (folio pfns, 0 = empty) and a ghost lifecycle word. */
export interface XaNode {
  id: number;
  name: string;
  slots: Loc[];
  /** Ghost: the node's slab lifecycle. */
  life: Loc;
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
  return {
    id, name,
    slots: slots.map((v, i) => b.loc(`${name}.slots[${i}]`, v, (p) => (p ? `folio pfn ${p}` : 'empty'))),
    life: b.loc(`${name}.life`, NODE_LIVE, showLife),
  };
}

/** An xarray whose head is `head` (null: empty). */
export function newXarray(b: Builder, name: string, head: XaNode | null): Xarray {
  return {
    name,
    head: b.loc(`${name}.xa_head`, head ? head.id : 0, (v) => (v ? `xa_node#${v}` : 'empty')),
    xa_lock: b.loc(`${name}.xa_lock`, 0, (v) => (v ? 'locked' : 'unlocked')),
  };
}

/** xas_load(): head, then the slot in that node; returns the node walked and the entry. */
export function* xas_load(t: Ctx, xa: Xarray, nodes: XaNode[], index: number): ThreadGen<{ node: XaNode | null; pfn: number }> {
  const h = yield t.load(xa.head); // rcu_dereference(xa->xa_head)
  if (h === 0) return { node: null, pfn: 0 };
  const node = nodes.find((n) => n.id === h)!;
  t.depends('addr', xa.head); // the slot's address is computed from the node pointer
  return { node, pfn: yield t.load(node.slots[index]) };
}

/** xas_reload(): the slot again, in the node xas_load() walked. */
export function* xas_reload(t: Ctx, node: XaNode | null, index: number): ThreadGen<number> {
  if (!node) return 0;
  return yield t.load(node.slots[index]);
}

/**
 * The ghost truth for I9: what xa[index] holds now, read in the node the lookup walked. A's
 * entries live only in that node, and erasing clears the slot before the node is unlinked, so
 * the node's slot is the truth until the slab reuses the node for someone else. (Reading the
 * head instead would compare against a different location, which the LKMM does not order with
 * the lookup's own slot loads.)
 */
export function* xa_ghost_entry(t: Ctx, node: XaNode, index: number): ThreadGen<number> {
  if ((yield* ghostLoad(t, node.life)) === NODE_REUSED) return 0;
  return yield* ghostLoad(t, node.slots[index]);
}

/** The lookup cursor filemap_get_entry_at() walks with: remembers the node xas_load() walked. */
export function xaCursor(t: Ctx, xa: Xarray, nodes: XaNode[], index: number): XaCursor {
  let node: XaNode | null = null;
  return {
    name: `${xa.name}[${index}]`,
    *xas_load() {
      const r = yield* t.call('xas_load', xas_load(t, xa, nodes, index));
      node = r.node;
      return r.pfn;
    },
    xas_reload: () => t.call('xas_reload', xas_reload(t, node, index)),
    *truth() {
      const pfn = node ? yield* t.call('(check)', xa_ghost_entry(t, node, index)) : 0;
      return { pfn, text: pfn ? `folio pfn ${pfn}` : 'empty' };
    },
  };
}

/**
 * Erasing the last entry of a node, under xa_lock: clear the slot, unlink the node from the head
 * (xas_delete_node), then free it: through call_rcu() (radix_tree_node_rcu_free), or at once
 * (the unsafe knob).
 */
export function* xa_erase_last(t: Ctx, cpus: Cpus, self: Cpu, xa: Xarray, node: XaNode, index: number, rcuFree: boolean): ThreadGen<void> {
  yield t.lock(xa.xa_lock);
  yield t.store(node.slots[index], 0);
  yield* t.call('xas_delete_node', (function* (): ThreadGen<void> { yield t.store(xa.head, 0); })());
  yield t.unlock(xa.xa_lock);
  const free = () => t.call('kmem_cache_free', (function* (): ThreadGen<void> { yield t.store(node.life, NODE_FREED); })());
  if (rcuFree) yield* t.call('xa_node_free', call_rcu(t, cpus, self, free));
  else yield* t.call('xa_node_free', free());
}

/** The slab handing a freed node to another xarray, which stores an entry in it. */
export function* xa_node_reuse(t: Ctx, xa: Xarray, node: XaNode, index: number, pfn: number): ThreadGen<void> {
  const life = yield t.load(node.life);
  yield t.assume(life === NODE_FREED); // the slab only hands out free objects
  yield t.store(node.life, NODE_REUSED);
  yield t.lock(xa.xa_lock);
  for (const s of node.slots) yield t.store(s, 0); // xas_alloc(): a zeroed node
  yield t.store(node.slots[index], pfn, Mode.Release); // rcu_assign_pointer(*slot, folio)
  yield t.store(xa.head, node.id, Mode.Release); // rcu_assign_pointer(xa->xa_head, node)
  yield t.unlock(xa.xa_lock);
}
