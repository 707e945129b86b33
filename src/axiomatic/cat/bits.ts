// Event sets and relations over the n events of one execution, as bitsets.
// A set is a Uint32Array of `w = ceil(n/32)` words; a relation is n rows of w words
// (row i = the successors of event i), stored in one Uint32Array of n*w words.

// Typed arrays larger than 64 bytes get their own off-heap backing store in V8, which costs
// about 1-2 us per allocation and loads the GC. All sets and relations are therefore views into
// large shared chunks, handed out by a bump allocator (fresh chunks are zero-filled; a chunk is
// freed by the GC once no view into it remains).
const CHUNK_WORDS = 1 << 18;
let chunk = new ArrayBuffer(CHUNK_WORDS * 4);
let chunkOff = 0; // in words

/** A zero-filled Uint32Array of `len` words. */
export function alloc(len: number): Uint32Array {
  if (len > CHUNK_WORDS >>> 4) return new Uint32Array(len);
  if (chunkOff + len > CHUNK_WORDS) {
    chunk = new ArrayBuffer(CHUNK_WORDS * 4);
    chunkOff = 0;
  }
  const a = new Uint32Array(chunk, chunkOff * 4, len);
  chunkOff += len;
  return a;
}

/**
 * Working arrays of plus and acyclic, which die when the call returns: taken from one reused
 * buffer instead of the chunks, which they would otherwise fill as fast as the results do (a
 * closure's seven per-event arrays against its n*w-word result), bringing the collections that
 * off-heap allocation triggers sooner. Neither function is re-entered, nor calls the other.
 */
let scratchBuf = new Uint32Array(0);
function scratch(len: number): Uint32Array {
  if (scratchBuf.length < len) scratchBuf = new Uint32Array(Math.max(len, scratchBuf.length * 2));
  return scratchBuf;
}

/** A copy of a. */
export function copy(a: Uint32Array): Uint32Array {
  const c = alloc(a.length);
  c.set(a);
  return c;
}

export class Universe {
  readonly w: number;
  constructor(readonly n: number) {
    this.w = Math.max(1, (n + 31) >>> 5);
  }

  // ---- sets ----
  emptySet(): Uint32Array {
    return alloc(this.w);
  }
  fullSet(): Uint32Array {
    const s = alloc(this.w);
    for (let i = 0; i < this.n; i++) s[i >>> 5]! |= 1 << (i & 31);
    return s;
  }
  setOf(ids: Iterable<number>): Uint32Array {
    const s = alloc(this.w);
    for (const i of ids) s[i >>> 5]! |= 1 << (i & 31);
    return s;
  }
  static has(s: Uint32Array, i: number, off = 0): boolean {
    return (s[off + (i >>> 5)]! & (1 << (i & 31))) !== 0;
  }
  members(s: Uint32Array): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.w; k++) {
      let x = s[k]!;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        out.push((k << 5) | b);
        x &= x - 1;
      }
    }
    return out;
  }
  static isEmpty(a: Uint32Array): boolean {
    for (let k = 0; k < a.length; k++) if (a[k] !== 0) return false;
    return true;
  }
  static equal(a: Uint32Array, b: Uint32Array): boolean {
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
    return true;
  }
  static or(a: Uint32Array, b: Uint32Array): Uint32Array {
    const c = alloc(a.length);
    for (let k = 0; k < a.length; k++) c[k] = a[k]! | b[k]!;
    return c;
  }
  static and(a: Uint32Array, b: Uint32Array): Uint32Array {
    const c = alloc(a.length);
    for (let k = 0; k < a.length; k++) c[k] = a[k]! & b[k]!;
    return c;
  }
  static andNot(a: Uint32Array, b: Uint32Array): Uint32Array {
    const c = alloc(a.length);
    for (let k = 0; k < a.length; k++) c[k] = a[k]! & ~b[k]!;
    return c;
  }
  complementSet(a: Uint32Array): Uint32Array {
    return Universe.andNot(this.fullSet(), a);
  }

  // ---- relations ----
  emptyRel(): Uint32Array {
    return alloc(this.n * this.w);
  }
  relOf(pairs: Iterable<readonly [number, number]>): Uint32Array {
    const r = this.emptyRel();
    for (const [a, b] of pairs) r[a * this.w + (b >>> 5)]! |= 1 << (b & 31);
    return r;
  }
  hasPair(r: Uint32Array, a: number, b: number): boolean {
    return (r[a * this.w + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  }
  addPair(r: Uint32Array, a: number, b: number): void {
    r[a * this.w + (b >>> 5)]! |= 1 << (b & 31);
  }
  pairs(r: Uint32Array): [number, number][] {
    const out: [number, number][] = [];
    const w = this.w;
    for (let i = 0; i < this.n; i++) {
      for (let k = 0; k < w; k++) {
        let x = r[i * w + k]!;
        while (x !== 0) {
          const b = 31 - Math.clz32(x & -x);
          out.push([i, (k << 5) | b]);
          x &= x - 1;
        }
      }
    }
    return out;
  }
  identity(s?: Uint32Array): Uint32Array {
    const r = this.emptyRel();
    for (let i = 0; i < this.n; i++) if (!s || Universe.has(s, i)) r[i * this.w + (i >>> 5)]! |= 1 << (i & 31);
    return r;
  }
  fullRel(): Uint32Array {
    const r = this.emptyRel();
    const f = this.fullSet();
    for (let i = 0; i < this.n; i++) r.set(f, i * this.w);
    return r;
  }
  complementRel(a: Uint32Array): Uint32Array {
    return Universe.andNot(this.fullRel(), a);
  }
  cartesian(a: Uint32Array, b: Uint32Array): Uint32Array {
    const r = this.emptyRel();
    for (let i = 0; i < this.n; i++) if (Universe.has(a, i)) r.set(b, i * this.w);
    return r;
  }
  /**
   * a ; b. Row i of the result is the union of the rows of b named by row i of a; only the rows
   * of b that are not empty are looked up (the bits of a are masked with b's domain first), so
   * that a dense a followed by a sparse b (prop's `... ; rfe`) costs what b's domain makes it.
   */
  seq(a: Uint32Array, b: Uint32Array): Uint32Array {
    const w = this.w;
    const n = this.n;
    const c = alloc(n * w);
    const dom = this.domain(b);
    if (w === 1) {
      const d0 = dom[0]!;
      for (let i = 0; i < n; i++) {
        let x = a[i]! & d0;
        let acc = 0;
        while (x !== 0) {
          acc |= b[31 - Math.clz32(x & -x)]!;
          x &= x - 1;
        }
        c[i] = acc;
      }
      return c;
    }
    if (w === 2) {
      for (let i = 0; i < n; i++) {
        const io = i * 2;
        let acc0 = 0;
        let acc1 = 0;
        for (let k = 0; k < 2; k++) {
          let x = a[io + k]! & dom[k]!;
          while (x !== 0) {
            const jo = ((k << 5) | (31 - Math.clz32(x & -x))) * 2;
            x &= x - 1;
            acc0 |= b[jo]!;
            acc1 |= b[jo + 1]!;
          }
        }
        c[io] = acc0;
        c[io + 1] = acc1;
      }
      return c;
    }
    for (let i = 0; i < n; i++) {
      const io = i * w;
      for (let k = 0; k < w; k++) {
        let x = a[io + k]! & dom[k]!;
        while (x !== 0) {
          const j = (k << 5) | (31 - Math.clz32(x & -x));
          x &= x - 1;
          const jo = j * w;
          for (let m = 0; m < w; m++) c[io + m]! |= b[jo + m]!;
        }
      }
    }
    return c;
  }
  /** a ; [s]: the pairs of a whose target is in s. */
  maskCols(a: Uint32Array, s: Uint32Array): Uint32Array {
    const w = this.w;
    const c = alloc(this.n * w);
    for (let i = 0; i < this.n; i++) for (let k = 0; k < w; k++) c[i * w + k] = a[i * w + k]! & s[k]!;
    return c;
  }
  /** [s] ; a: the pairs of a whose source is in s. */
  restrictRows(s: Uint32Array, a: Uint32Array): Uint32Array {
    const w = this.w;
    const c = alloc(this.n * w);
    for (let i = 0; i < this.n; i++) if ((s[i >>> 5]! & (1 << (i & 31))) !== 0) for (let k = 0; k < w; k++) c[i * w + k] = a[i * w + k]!;
    return c;
  }
  inverse(a: Uint32Array): Uint32Array {
    const w = this.w;
    const c = alloc(this.n * w);
    for (let i = 0; i < this.n; i++) {
      for (let k = 0; k < w; k++) {
        let x = a[i * w + k]!;
        while (x !== 0) {
          const j = (k << 5) | (31 - Math.clz32(x & -x));
          x &= x - 1;
          c[j * w + (i >>> 5)]! |= 1 << (i & 31);
        }
      }
    }
    return c;
  }
  /**
   * Transitive closure. One word per row: Warshall. Wider: Tarjan's strongly connected
   * components, each component's row computed once every component it reaches is done (the
   * union of its successors' rows and bits; a successor already in the row is skipped, its row
   * being in it already), so the cost follows the edges of a rather than the pairs of the
   * closure (a Warshall pass costs n^2 bit tests plus a row union per pair of the closure).
   */
  plus(a: Uint32Array): Uint32Array {
    const w = this.w;
    const n = this.n;
    if (w === 1) {
      const c = copy(a);
      for (let k = 0; k < n; k++) {
        const kb = 1 << k;
        const rk = c[k]!;
        if (rk === 0) continue;
        for (let i = 0; i < n; i++) if ((c[i]! & kb) !== 0) c[i]! |= rk;
      }
      return c;
    }
    const c = alloc(n * w);
    // index and comp hold 1 + the value (0: not yet set), so that zero-filled arrays will do
    const buf = scratch(7 * n);
    buf.fill(0, 0, 7 * n);
    const index = buf.subarray(0, n);
    const low = buf.subarray(n, 2 * n);
    const comp = buf.subarray(2 * n, 3 * n);
    const stk = buf.subarray(3 * n, 4 * n);
    const fv = buf.subarray(4 * n, 5 * n); // the depth-first path: node, word being scanned, its bits left
    const fk = buf.subarray(5 * n, 6 * n);
    const fx = buf.subarray(6 * n, 7 * n);
    let sp = 0;
    let next = 1;
    let ncomp = 0;
    for (let root = 0; root < n; root++) {
      if (index[root] !== 0) continue;
      index[root] = low[root] = next++;
      stk[sp++] = root;
      fv[0] = root;
      fk[0] = 0;
      fx[0] = a[root * w]!;
      let dp = 1;
      while (dp > 0) {
        const v = fv[dp - 1]!;
        const vo = v * w;
        let k = fk[dp - 1]!;
        let x = fx[dp - 1]!;
        let descended = false;
        for (;;) {
          while (x === 0 && ++k < w) x = a[vo + k]!;
          if (x === 0) break;
          const j = (k << 5) | (31 - Math.clz32(x & -x));
          x &= x - 1;
          if (index[j] === 0) {
            fk[dp - 1] = k;
            fx[dp - 1] = x;
            index[j] = low[j] = next++;
            stk[sp++] = j;
            fv[dp] = j;
            fk[dp] = 0;
            fx[dp] = a[j * w]!;
            dp++;
            descended = true;
            break;
          }
          if (comp[j] === 0 && index[j]! < low[v]!) low[v] = index[j]!; // j is on the stack
        }
        if (descended) continue;
        dp--;
        if (dp > 0) {
          const p = fv[dp - 1]!;
          if (low[v]! < low[p]!) low[p] = low[v]!;
        }
        if (low[v] !== index[v]) continue;
        // v roots a component: stk[start..sp)
        let start = sp - 1;
        while (stk[start] !== v) start--;
        ncomp++;
        for (let m = start; m < sp; m++) comp[stk[m]!] = ncomp;
        const cyclic = sp - start > 1 || (a[vo + (v >>> 5)]! & (1 << (v & 31))) !== 0;
        if (cyclic) for (let m = start; m < sp; m++) c[vo + (stk[m]! >>> 5)]! |= 1 << (stk[m]! & 31);
        for (let m = start; m < sp; m++) {
          const io = stk[m]! * w;
          for (let kk = 0; kk < w; kk++) {
            let y = a[io + kk]! & ~c[vo + kk]!;
            while (y !== 0) {
              const j = (kk << 5) | (31 - Math.clz32(y & -y));
              const jo = j * w;
              for (let q = 0; q < w; q++) c[vo + q]! |= c[jo + q]!;
              c[vo + kk]! |= 1 << (j & 31);
              y &= ~c[vo + kk]!;
            }
          }
        }
        for (let m = start; m < sp; m++) if (stk[m] !== v) c.copyWithin(stk[m]! * w, vo, vo + w);
        sp = start;
      }
    }
    return c;
  }
  star(a: Uint32Array): Uint32Array {
    const c = this.plus(a);
    for (let i = 0; i < this.n; i++) c[i * this.w + (i >>> 5)]! |= 1 << (i & 31);
    return c;
  }
  opt(a: Uint32Array): Uint32Array {
    const c = copy(a);
    for (let i = 0; i < this.n; i++) c[i * this.w + (i >>> 5)]! |= 1 << (i & 31);
    return c;
  }
  domain(a: Uint32Array): Uint32Array {
    const s = this.emptySet();
    for (let i = 0; i < this.n; i++) {
      for (let k = 0; k < this.w; k++)
        if (a[i * this.w + k] !== 0) {
          s[i >>> 5]! |= 1 << (i & 31);
          break;
        }
    }
    return s;
  }
  range(a: Uint32Array): Uint32Array {
    const s = this.emptySet();
    for (let i = 0; i < this.n; i++) for (let k = 0; k < this.w; k++) s[k]! |= a[i * this.w + k]!;
    return s;
  }
  irreflexive(a: Uint32Array): boolean {
    for (let i = 0; i < this.n; i++) if ((a[i * this.w + (i >>> 5)]! & (1 << (i & 31))) !== 0) return false;
    return true;
  }
  /** Acyclicity by repeatedly removing events with no predecessor (Kahn). */
  acyclic(a: Uint32Array): boolean {
    const n = this.n;
    const w = this.w;
    const indeg = scratch(n).fill(0, 0, n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < w; k++) {
        let x = a[i * w + k]!;
        while (x !== 0) {
          indeg[(k << 5) | (31 - Math.clz32(x & -x))]!++;
          x &= x - 1;
        }
      }
    }
    const stack: number[] = [];
    for (let i = 0; i < n; i++) if (indeg[i] === 0) stack.push(i);
    let seen = 0;
    while (stack.length) {
      const i = stack.pop()!;
      seen++;
      for (let k = 0; k < w; k++) {
        let x = a[i * w + k]!;
        while (x !== 0) {
          const j = (k << 5) | (31 - Math.clz32(x & -x));
          x &= x - 1;
          if (--indeg[j]! === 0) stack.push(j);
        }
      }
    }
    return seen === n;
  }
  /** Restriction of a relation to a set of events on both sides. */
  restrict(a: Uint32Array, s: Uint32Array): Uint32Array {
    const c = this.emptyRel();
    for (let i = 0; i < this.n; i++) {
      if (!Universe.has(s, i)) continue;
      for (let k = 0; k < this.w; k++) c[i * this.w + k] = a[i * this.w + k]! & s[k]!;
    }
    return c;
  }
}
