// Values as data: what a trace says a location holds, beside the text a pretty-printer made of
// it. A location declared with a value type (Builder.loc's third argument: a type name, show and
// decode) has its values decoded by the model that knows the encoding (the kernel knows how a PMD
// or a CPU's RCU word is laid out); a reader takes the meaning from the data and never parses the
// text, so rewording a pretty-printer cannot change what a reader understands.

/** A value as data: a location's raw integer, or what its decoder made of it; null is freed memory. */
export type TraceValue = number | boolean | string | null | readonly TraceValue[] | { readonly [k: string]: TraceValue };

/** A PTE (include/linux/pgtable.ts). */
export type PteValue =
  | { readonly entry: 'none' }
  | { readonly entry: 'present'; readonly pfn: number; readonly write: boolean; readonly dirty: boolean }
  | { readonly entry: 'migration'; readonly pfn: number }
  | { readonly entry: 'swap'; readonly offset: number; readonly type: number; readonly exclusive: boolean }
  | { readonly entry: 'other'; readonly raw: number };

/** A PMD entry (include/linux/pgtable.ts). `table` names the 'pagetable' object it points to. */
export type PmdValue =
  | { readonly entry: 'none' }
  | { readonly entry: 'table'; readonly table: string }
  | { readonly entry: 'huge'; readonly pfn: number; readonly write: boolean }
  | { readonly entry: 'invalid'; readonly pfn: number; readonly write: boolean }
  | { readonly entry: 'other'; readonly raw: number };

/** A CPU's RCU/IRQ word (src/kernel/cpus.ts). */
// (Object types are type aliases, not interfaces, so that they are TraceValues.)
export type CpuStateValue = {
  /** Bumped each time the CPU leaves its outermost read-side section. */
  readonly gen: number;
  readonly irqsOff: boolean;
  /** Read-side nesting: rcu_read_lock() levels, plus one for an IRQs-off region. */
  readonly readerDepth: number;
};

/** A folio's or struct page's _refcount. */
export type RefcountValue = {
  readonly count: number;
  /** The pins it holds: count / GUP_PIN_COUNTING_BIAS (a FOLL_PIN adds the bias). */
  readonly pins: number;
};

/** The value types the kernel model declares, by name, with the data each decodes to. */
export interface ValueTypes {
  /** A lock word the engine's lock operations take (spinlock_t, PG_locked, an rwsem's writer word): held or not. */
  lock: boolean;
  pte: PteValue;
  pmd: PmdValue;
  'cpu-state': CpuStateValue;
  refcount: RefcountValue;
  /** A folio's ghost "frozen by" word: the CPU that froze it, or null. */
  'frozen-by': number | null;
  /** A folio's ghost "freed" word: true while the folio is in the allocator. */
  'in-allocator': boolean;
  /** A CPU's hardware access in flight, which a broadcast invalidation waits for (src/kernel/hw.ts). */
  'access-in-flight': boolean;
}
export type ValueTypeName = keyof ValueTypes;

/** A value type of the kernel model, as Builder.loc takes it: the text and the data of a value. */
export interface TypedValue<K extends ValueTypeName> {
  readonly type: K;
  show(v: number): string;
  decode(v: number): ValueTypes[K];
}
