// The visited set of a parallel search: an open-addressing hash table of state fingerprints in a
// SharedArrayBuffer, read and written by every worker with Atomics (no locks). Each slot also
// holds the best edge that reached its state: workers race to lower it with compare-and-swap, so
// once a level is done the slot names the canonical parent whoever got there first.

// invariant: slot i is words 2i (fingerprint + 1, 0 when empty) and 2i+1 (edge key, 0 while the
// claimer has not written it yet). A fingerprint, once written, never moves or changes; an edge
// key only decreases. Linear probing from the fingerprint's home slot (key-index.ts home) masked
// to the capacity, a power of two.

import { home } from './key-index.js';

/** An edge key: (level of the state, rank of its parent in the previous level, choice). */
export function edgeKey(level: number, parentRank: number, choice: number): bigint {
  if (level >= 0x7fff || parentRank > 0xffffffff || choice > 0xffff) {
    throw new Error(`[internal] edge key out of range: level ${level}, parent rank ${parentRank}, choice ${choice}`);
  }
  return (BigInt(level + 1) << 48n) | (BigInt(parentRank) << 16n) | BigInt(choice);
}

const CHOICES: bigint[] = [];

/** edgeKey(level, parentRank, 0), to which `withChoice` adds a choice cheaply. */
export function edgeBase(level: number, parentRank: number): bigint {
  return edgeKey(level, parentRank, 0);
}

/** The edge key `base` (from edgeBase) with choice `choice`. */
export function withChoice(base: bigint, choice: number): bigint {
  if (choice > 0xffff) throw new Error(`[internal] edge key out of range: choice ${choice}`);
  let c = CHOICES[choice];
  if (c === undefined) {
    for (let k = CHOICES.length; k <= choice; k++) CHOICES.push(BigInt(k));
    c = CHOICES[choice] as bigint;
  }
  return base | c;
}

/** The level stored in an edge key. */
export function keyLevel(key: bigint): number {
  return Number(key >> 48n) - 1;
}

/** The (parent rank, choice) part of an edge key as one exactly representable number. */
export function keyEdge(key: bigint): number {
  return Number(key & 0xffffffffffffn);
}

/**
 * What `claim` found: `old`, the state was first reached at an earlier level (nothing to do);
 * `inserted`, this call added the fingerprint; `lowest`, the stored edge key is now the caller's
 * (it was absent, higher or equal), so the caller's copy of the state is, for now, the one to keep.
 */
export interface Claim {
  readonly old: boolean;
  readonly inserted: boolean;
  readonly lowest: boolean;
}

const CLAIM_OLD: Claim = { old: true, inserted: false, lowest: false };
const CLAIM_INSERTED: Claim = { old: false, inserted: true, lowest: true };
const CLAIM_LOWER: Claim = { old: false, inserted: false, lowest: true };
const CLAIM_HIGHER: Claim = { old: false, inserted: false, lowest: false };

/** A fingerprint table over a SharedArrayBuffer; every worker wraps the same buffer. */
export class FingerprintTable {
  private readonly slots: BigInt64Array;
  // the same slots as 32-bit halves (little-endian: low word first), for reads without BigInts
  private readonly words: Int32Array;
  private readonly mask: number;
  readonly capacity: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.slots = new BigInt64Array(buffer);
    this.words = new Int32Array(buffer);
    this.capacity = this.slots.length / 2;
    if ((this.capacity & (this.capacity - 1)) !== 0) throw new Error(`[internal] table capacity ${this.capacity} is not a power of two`);
    this.mask = this.capacity - 1;
  }

  /** A new, empty table of `capacity` slots (a power of two), 16 bytes each. */
  static create(capacity: number): FingerprintTable {
    return new FingerprintTable(new SharedArrayBuffer(capacity * 16));
  }

  /**
   * Inserts fingerprint `fp` (a non-negative safe integer) reached by edge `key`, or lowers the
   * stored key to `key`; see Claim.
   */
  claim(fp: number, key: bigint): Claim {
    const tag = BigInt(fp) + 1n;
    const slots = this.slots;
    let i = home(fp) & this.mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const at = 2 * i;
      let cur = Atomics.load(slots, at);
      if (cur === 0n) {
        cur = Atomics.compareExchange(slots, at, 0n, tag);
        if (cur === 0n) {
          lowerKey(slots, at + 1, key);
          return CLAIM_INSERTED;
        }
      }
      if (cur === tag) {
        const stored = lowerKey(slots, at + 1, key);
        if (stored !== 0n && keyLevel(stored) < keyLevel(key)) return CLAIM_OLD;
        // (an equal key is the same edge: this partition's copy, or its redo after a restart)
        return stored === 0n || key <= stored ? CLAIM_LOWER : CLAIM_HIGHER;
      }
      i = (i + 1) & this.mask;
    }
    throw new Error('[internal] fingerprint table is full');
  }

  /**
   * The edge (parent rank * 65536 + choice) of the key stored for `fp`, whatever its level, or
   * -1 when absent; read through 32-bit loads, so only while no other thread claims.
   */
  edgeOf(fp: number): number {
    if (!LITTLE_ENDIAN) {
      const key = this.key(fp);
      return key === undefined ? -1 : keyEdge(key);
    }
    const tag = fp + 1;
    const tlo = tag % 0x100000000 | 0;
    const thi = Math.floor(tag / 0x100000000) | 0;
    const words = this.words;
    let i = home(fp) & this.mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const lo = words[4 * i] as number;
      const hi = words[4 * i + 1] as number;
      if (lo === tlo && hi === thi) return ((words[4 * i + 3] as number) & 0xffff) * 0x100000000 + ((words[4 * i + 2] as number) >>> 0);
      if (lo === 0 && hi === 0) return -1;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  /** The edge key stored for `fp`, or undefined when absent. */
  key(fp: number): bigint | undefined {
    const tag = BigInt(fp) + 1n;
    let i = home(fp) & this.mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const cur = Atomics.load(this.slots, 2 * i);
      if (cur === 0n) return undefined;
      if (cur === tag) return Atomics.load(this.slots, 2 * i + 1);
      i = (i + 1) & this.mask;
    }
    return undefined;
  }

  /**
   * A new table of `capacity` slots holding this table's entries whose level is below `level`,
   * and how many. Neither table may be in use by another thread meanwhile. Slots are copied as
   * 32-bit halves (on a little-endian machine): rebuilding through claim cost a BigInt per entry,
   * and every worker waits for it between two levels.
   */
  rebuilt(capacity: number, level: number): { table: FingerprintTable; count: number } {
    const to = FingerprintTable.create(capacity);
    let count = 0;
    if (!LITTLE_ENDIAN) {
      for (const [fp, key] of this.entriesBelow(level)) {
        to.claim(fp, key);
        count++;
      }
      return { table: to, count };
    }
    const src = this.words;
    const dst = to.words;
    const mask = capacity - 1;
    for (let i = 0; i < this.capacity; i++) {
      const lo = src[4 * i] as number;
      const hi = src[4 * i + 1] as number;
      const klo = src[4 * i + 2] as number;
      const khi = src[4 * i + 3] as number;
      if (lo === 0 && hi === 0) continue;
      // entriesBelow's test: a key is written and its level, (khi >>> 16) - 1, is below `level`
      if ((klo === 0 && khi === 0) || (khi >>> 16) - 1 >= level) continue;
      const fp = (hi >>> 0) * 0x100000000 + (lo >>> 0) - 1;
      let j = home(fp) & mask;
      while (dst[4 * j] !== 0 || dst[4 * j + 1] !== 0) j = (j + 1) & mask;
      dst[4 * j] = lo;
      dst[4 * j + 1] = hi;
      dst[4 * j + 2] = klo;
      dst[4 * j + 3] = khi;
      count++;
    }
    return { table: to, count };
  }

  /** Every (fingerprint, key) whose level is below `level`, for rebuilding a larger table. */
  *entriesBelow(level: number): Generator<[number, bigint]> {
    for (let i = 0; i < this.capacity; i++) {
      const tag = this.slots[2 * i] as bigint;
      if (tag === 0n) continue;
      const key = this.slots[2 * i + 1] as bigint;
      if (key !== 0n && keyLevel(key) < level) yield [Number(tag - 1n), key];
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Lowers the key at `at` to `key` unless it is already lower; returns the key it found before
// (0n: none yet). A CAS loop: another worker may lower it between our load and our swap.
function lowerKey(slots: BigInt64Array, at: number, key: bigint): bigint {
  for (;;) {
    const cur = Atomics.load(slots, at);
    if (cur !== 0n && cur <= key) return cur;
    if (Atomics.compareExchange(slots, at, cur, key) === cur) return cur;
  }
}
