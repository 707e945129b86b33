// The xarray below a page cache (lib/xarray.c; docs/design/protocols.md §M "page cache: an xarray per mapping,
// the i_pages lock, RCU-freed nodes"): xas_store() on a flat AddressSpace (mm/filemap.ts), and
// an xarray with one level of nodes. xa_head points to a node
// (or is empty); a node holds slots of folio pfns. A lookup walks head -> node -> slot under
// rcu_read_lock() and xas_reload() rereads the slot *in the node it walked*, not from the head.
// When the last entry goes, xas_delete_node() unlinks the node and frees it through call_rcu()
// (radix_tree_node_rcu_free), so a lookup still inside it reads a dead node, never a reused one.
//
// Multi-index entries (CONFIG_XARRAY_MULTI): an entry of order k covers 2^k slots of a node; its
// first (canonical) slot holds the entry and the others hold sibling entries pointing back to it
// (xa_mk_sibling(offset)). A lookup that lands on a sibling reads the canonical slot
// (xas_descend(), xas_reload()). xas_try_split() splits an entry in place, storing the given entry
// in every slot of each new, smaller entry — which entry it stores is what B28 (577a1f495fd7) is
// about.
import type { Ctx, Loc, ThreadGen } from '../../engine/ops.ts';
import { FREED, Mode } from '../../engine/ops.ts';
import { I9 } from '../invariants.ts';
import type { Builder } from '../../engine/program.ts';
import type { Cpu, Cpus } from '../cpus.ts';
import { call_rcu } from '../kernel/rcu/tree.ts';
import { ghostLoad } from '../ghost.ts';
import type { AddressSpace, XaCursor } from '../mm/filemap.ts';
import type { Folio } from '../include/linux/page_ref.ts';
import { MAINLINE, kernelFunction, modelStep } from '../kfn.ts';
import type { ObjectFields } from '../../trace-format/index.ts';
import { newSpinlock } from '../include/linux/spinlock.ts';

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

/** A slot value that is a sibling entry: the slot belongs to the multi-index entry at offset (bits 0-7). */
export const XA_SIBLING = 0x1000;
/** xa_mk_sibling(): the sibling entry pointing to canonical slot `offset`. */
export const xa_mk_sibling = (offset: number): number => XA_SIBLING | offset;
/** xa_is_sibling() */
export const xa_is_sibling = (v: number): boolean => (v & XA_SIBLING) !== 0;
/** xa_to_sibling(): the canonical offset a sibling entry points to. */
export const xa_to_sibling = (v: number): number => v & 0xff;

/**
 * A node slot as traces print it: "folio pfn 1" (or, given `folioName`, "f2 (pfn 3)"),
 * "sibling of [0]", "empty".
 */
export const showXaSlot = (v: number, folioName?: (pfn: number) => string | undefined): string => {
  if (xa_is_sibling(v)) return `sibling of [${xa_to_sibling(v)}]`;
  if (!v) return 'empty';
  const name = folioName?.(v);
  return name ? `${name} (pfn ${v})` : `folio pfn ${v}`;
};

/**
 * The slots of a node holding multi-index entries: each `{ index, order, pfn }` fills 2^order
 * slots from `index` (its canonical slot, then siblings); `size` slots in all, the rest empty.
 */
export function xaSlots(size: number, entries: { index: number; order: number; pfn: number }[]): number[] {
  const slots = new Array<number>(size).fill(0);
  for (const e of entries) for (let i = 0; i < 1 << e.order; i++) slots[e.index + i] = i === 0 ? e.pfn : xa_mk_sibling(e.index);
  return slots;
}

/**
 * An xa_node with id `id` and slots `slots` (folio pfns, sibling entries: xaSlots()); traces name
 * a slot's folio by `folioName(pfn)` if given.
 */
export function newXaNode(b: Builder, id: number, slots: number[], folioName?: (pfn: number) => string | undefined): XaNode {
  const name = `xa_node#${id}`;
  const locs = slots.map((v, i) => b.loc(`${name}.slots[${i}]`, v, (x) => showXaSlot(x, folioName)));
  b.object('xa_node', name, { slots: locs } satisfies ObjectFields['xa_node'], { invariant: I9 });
  return { id, name, slots: locs };
}

/** An xarray whose head is `head` (null: empty). */
export function newXarray(b: Builder, name: string, head: XaNode | null): Xarray {
  const fields: ObjectFields['xarray'] = {
    xa_head: b.loc(`${name}.xa_head`, head ? head.id : 0, (v) => (v ? `xa_node#${v}` : 'empty')),
    xa_lock: newSpinlock(b, `${name}.xa_lock`),
  };
  b.object('xarray', name, fields);
  return { name, head: fields.xa_head, xa_lock: fields.xa_lock };
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

/**
 * xas_load(): head, then the slot in that node (xas_descend(): a sibling entry sends it on to the
 * canonical slot); returns the node walked and the entry.
 */
export const xas_load = kernelFunction(XAS_LOAD,
  function* (t: Ctx, xa: Xarray, nodes: XaNode[], index: number): ThreadGen<{ node: XaNode | null; pfn: number }> {
    const h = yield t.load(xa.head); // rcu_dereference(xa->xa_head)
    if (h === 0) return { node: null, pfn: 0 };
    const node = nodes.find((n) => n.id === h)!;
    t.depends('addr', xa.head); // the slot's address is computed from the node pointer
    const entry = yield t.load(node.slots[index]);
    if (!xa_is_sibling(entry)) return { node, pfn: entry };
    t.depends('addr', node.slots[index]); // xas_descend(): offset = xa_to_sibling(entry)
    return { node, pfn: yield t.load(node.slots[xa_to_sibling(entry)]) };
  });

/**
 * xas_reload(): the slot again, in the node xas_load() walked (xas->xa_node, read from the head);
 * a sibling entry there is followed to its canonical slot (CONFIG_XARRAY_MULTI).
 */
export const xas_reload = kernelFunction(XAS_RELOAD,
  function* (t: Ctx, xa: Xarray, node: XaNode | null, index: number): ThreadGen<number> {
    if (!node) return 0;
    t.depends('addr', xa.head); // &xas->xa_node->slots[offset]: the node pointer xas_load() read
    const entry = yield t.load(node.slots[index]);
    if (!xa_is_sibling(entry)) return entry;
    t.depends('addr', node.slots[index]);
    return yield t.load(node.slots[xa_to_sibling(entry)]);
  });

/**
 * xas_try_split() within one node (lib/xarray.c, since v6.15; xa_lock held): the entry of order
 * `order` whose canonical slot is `index` becomes 2^(order - newOrder) entries of order
 * `newOrder` (xas_set_order(xas, index, newOrder)), each holding `entry`; from the last slot down,
 * each new entry's canonical slot is stored, then its siblings, with rcu_assign_pointer(). A
 * split that needs a new node (order >= XA_CHUNK_SHIFT), marks and the xas_load() of the old
 * entry are not modelled.
 */
export const xas_try_split = kernelFunction({ name: 'xas_try_split', file: 'lib/xarray.c', version: 'v6.15–v7.0', note: 'within one node' },
  function* (t: Ctx, node: XaNode, index: number, newOrder: number, entry: number, order: number): ThreadGen<void> {
    const xa_sibs = (1 << newOrder) - 1;
    let offset = index + (1 << order) - 1; // xas->xa_offset + sibs
    do {
      const canon = offset - xa_sibs;
      yield t.store(node.slots[canon], entry, Mode.Release); // rcu_assign_pointer(node->slots[canon], entry)
      while (offset > canon) yield t.store(node.slots[offset--], xa_mk_sibling(canon), Mode.Release);
    } while (offset-- > index);
  });

/**
 * __xa_store() of an entry at `index` (xa_lock held): an order-0 store into the slot, which must be
 * an entry's canonical slot (its siblings keep pointing to it), with rcu_assign_pointer().
 */
export const __xa_store = kernelFunction(xarrayC('__xa_store', 'into a canonical slot of the node'),
  function* (t: Ctx, node: XaNode, index: number, entry: number): ThreadGen<void> {
    yield t.store(node.slots[index], entry, Mode.Release);
  });

/**
 * The ghost truth for I9: what xa[index] holds now, read in the node the lookup walked. A's
 * entries live only in that node, and erasing clears the slot before the node is unlinked, so
 * the node's slot is the truth until the slab reuses the node for someone else. (Reading the
 * head instead would compare against a different location, which the LKMM does not order with
 * the lookup's own slot loads.)
 */
const xaGhostEntry = modelStep('(check)', function* (t: Ctx, node: XaNode, index: number): ThreadGen<number> {
  let v = yield* ghostLoad(t, node.slots[index]);
  if (v !== FREED && xa_is_sibling(v)) v = yield* ghostLoad(t, node.slots[xa_to_sibling(v)]);
  return v === FREED ? 0 : v;
});

/** Where a folio's identity lives, for the I9 check that a lookup's folio covers its index. */
export interface FolioIdentity {
  /** folio->index */
  index: Loc;
  /** folio_order() (FOLIO_TAIL: a tail page, not a folio) */
  order: Loc;
}

/** An order word's value for a tail page of a large folio (its struct page is no folio of its own). */
export const FOLIO_TAIL = 0x80;

/** folio_contains(folio, index) on ghost reads: does the folio cover the index? */
const folioCovers = modelStep('(check)', function* (t: Ctx, id: FolioIdentity, index: number): ThreadGen<{ ok: boolean; text: string }> {
  const first = yield* ghostLoad(t, id.index);
  const order = yield* ghostLoad(t, id.order);
  if (order === FOLIO_TAIL) return { ok: false, text: `a tail page, not a folio; the lookup is for index ${index}` };
  const last = first + (1 << order) - 1;
  return { ok: first <= index && index <= last, text: `it holds ${first === last ? `index ${first}` : `indices ${first}-${last}`}, the lookup is for index ${index}` };
});

/**
 * The lookup cursor filemap_get_entry() walks with: remembers the node xas_load() walked. `what`
 * names the lookup in messages, e.g. 'A, 1'. `identity` gives the folios' index and order words,
 * so that the lookup's I9 check also asks that the folio returned covers the index (a
 * multi-index entry can name a folio that does not).
 */
export function xaCursor(t: Ctx, xa: Xarray, nodes: XaNode[], index: number, what = `${xa.name}, ${index}`,
  identity?: (f: Folio) => FolioIdentity | undefined): XaCursor {
  let node: XaNode | null = null;
  return {
    ...(identity ? {
      *covers(f: Folio) {
        const id = identity(f);
        return id ? yield* folioCovers(t, id, index) : { ok: true, text: '' };
      },
    } : {}),
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
    if (rcuFree) yield* call_rcu(t, cpus, self, (cb) => kmem_cache_free(cb, node));
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
