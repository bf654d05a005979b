// The visited set of a parallel search: an open-addressing hash table of state fingerprints in a
// SharedArrayBuffer, read and written by every worker with 32-bit Atomics. Each slot also holds
// the best edge that reached its state: workers race to lower it, so once a level is done the
// slot names the canonical parent whoever got there first.

// invariant: slot i is four 32-bit words:
//   4i     the low half of fingerprint + 1
//   4i+1   its high half (21 bits) | PRESENT, and LOCKED while a claimer writes the slot's key;
//          0 only while the slot is empty
//   4i+2   the low half of the edge (parent rank * 65536 + choice)
//   4i+3   the edge's high 16 bits | (level + 1) << 16
// A slot is taken by a compare-and-swap of word 4i+1 from 0 to the tag's high half | PRESENT |
// LOCKED, and its key is written before the lock is dropped, so a reader that waits for an
// unlocked word 4i+1 sees a whole key. A fingerprint, once written, never moves or changes; a
// key only decreases, and only to another edge of its level, under the slot's lock. Linear
// probing from the fingerprint's home slot (key-index.ts home) masked to the capacity, a power
// of two. Nothing here allocates: a claim used to cost a few BigInts (64-bit Atomics), which
// showed as 3% of a search's instructions, and their garbage. A thread holds a slot's lock for a
// few stores with no call, loop or allocation between taking and dropping it, so nothing that
// stops a worker thread (an exception, termination at an interrupt check, running out of
// memory) can leave a slot locked for the others to wait on.

import { home } from './key-index.js';

const PRESENT = 1 << 29;
const LOCKED = 1 << 30;
const TAG_HI = (1 << 21) - 1;

/** The largest level an edge key holds. */
const MAX_LEVEL = 0x7ffe;
/** Edges are below 2^48: a parent rank below 2^32, a choice below 2^16. */
const EDGE_LIMIT = 2 ** 48;

/**
 * What `claim` found: `old`, the state was first reached at an earlier level (nothing to do);
 * `inserted`, this call added the fingerprint; `lowest`, the stored edge is now the caller's (it
 * was absent, higher or equal), so the caller's copy of the state is, for now, the one to keep;
 * `lowered`, it replaced an edge of this level already stored (higher, or equal: the same edge
 * claimed again by a partition redoing its expansion), so another copy may have lost.
 */
export interface Claim {
  readonly old: boolean;
  readonly inserted: boolean;
  readonly lowest: boolean;
  readonly lowered: boolean;
}

const CLAIM_OLD: Claim = { old: true, inserted: false, lowest: false, lowered: false };
const CLAIM_INSERTED: Claim = { old: false, inserted: true, lowest: true, lowered: false };
const CLAIM_LOWER: Claim = { old: false, inserted: false, lowest: true, lowered: true };
const CLAIM_HIGHER: Claim = { old: false, inserted: false, lowest: false, lowered: false };

/** The edge (parent rank * 65536 + choice) a table stores, checked to fit. */
export function edgeOfChoice(parentRank: number, choice: number): number {
  if (parentRank > 0xffffffff || choice > 0xffff) throw new Error(`[internal] edge out of range: parent rank ${parentRank}, choice ${choice}`);
  return parentRank * 65536 + choice;
}

/** A fingerprint table over a SharedArrayBuffer; every worker wraps the same buffer. */
export class FingerprintTable {
  private readonly words: Int32Array;
  private readonly mask: number;
  readonly capacity: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.capacity = this.words.length / 4;
    if ((this.capacity & (this.capacity - 1)) !== 0) throw new Error(`[internal] table capacity ${this.capacity} is not a power of two`);
    this.mask = this.capacity - 1;
  }

  /** A new, empty table of `capacity` slots (a power of two), 16 bytes each. */
  static create(capacity: number): FingerprintTable {
    return new FingerprintTable(new SharedArrayBuffer(capacity * 16));
  }

  /**
   * Inserts fingerprint `fp` (a non-negative safe integer) reached at `level` by `edge` (parent
   * rank * 65536 + choice), or lowers the stored edge to `edge`; see Claim.
   */
  claim(fp: number, level: number, edge: number): Claim {
    if (level > MAX_LEVEL || !(edge < EDGE_LIMIT)) throw new Error(`[internal] edge key out of range: level ${level}, edge ${edge}`);
    const tag = fp + 1;
    // (x | 0 is x % 2 ** 32 as an int32 for a safe integer x >= 0; `%` on a double calls fmod)
    const tlo = tag | 0;
    const thi = Math.floor(tag / 0x100000000) | PRESENT;
    const klo = edge | 0;
    const khi = Math.floor(edge / 0x100000000) | ((level + 1) << 16);
    const w = this.words;
    let i = home(fp) & this.mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const at = 4 * i;
      let hi = Atomics.load(w, at + 1);
      if (hi === 0) {
        hi = Atomics.compareExchange(w, at + 1, 0, thi | LOCKED);
        if (hi === 0) {
          w[at] = tlo;
          w[at + 2] = klo;
          w[at + 3] = khi;
          Atomics.store(w, at + 1, thi);
          return CLAIM_INSERTED;
        }
      }
      // another claimer is writing this slot: wait for its key (a few instructions)
      while ((hi & LOCKED) !== 0) hi = Atomics.load(w, at + 1);
      if (hi === thi && w[at] === tlo) {
        // a key's level never changes: a state of an earlier level needs no lock
        const storedLevel = ((w[at + 3] as number) >>> 16) - 1;
        if (storedLevel < level) return CLAIM_OLD;
        while (Atomics.compareExchange(w, at + 1, thi, thi | LOCKED) !== thi);
        const stored = this.slotEdge(i);
        // (an equal edge is the same edge: this partition's redo after a restart, which may have
        // lowered another copy's edge the first time round)
        const lower = edge <= stored;
        if (edge < stored) {
          w[at + 2] = klo;
          w[at + 3] = khi;
        }
        Atomics.store(w, at + 1, thi);
        return lower ? CLAIM_LOWER : CLAIM_HIGHER;
      }
      i = (i + 1) & this.mask;
    }
    throw new Error('[internal] fingerprint table is full');
  }

  /** The slot holding `fp`, or -1; only while no other thread claims. */
  private slotOf(fp: number): number {
    const tag = fp + 1;
    const tlo = tag | 0;
    const thi = Math.floor(tag / 0x100000000) | PRESENT;
    const w = this.words;
    let i = home(fp) & this.mask;
    for (let probes = 0; probes < this.capacity; probes++) {
      const hi = w[4 * i + 1] as number;
      if (hi === thi && w[4 * i] === tlo) return i;
      if (hi === 0) return -1;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  /** The edge (parent rank * 65536 + choice) stored for `fp`, whatever its level, or -1 when absent; only while no other thread claims. */
  edgeOf(fp: number): number {
    const i = this.slotOf(fp);
    return i < 0 ? -1 : this.slotEdge(i);
  }

  /** The level and edge stored for `fp`, or undefined when absent; only while no other thread claims. */
  key(fp: number): { level: number; edge: number } | undefined {
    const i = this.slotOf(fp);
    if (i < 0) return undefined;
    return { level: ((this.words[4 * i + 3] as number) >>> 16) - 1, edge: this.slotEdge(i) };
  }

  /** The edge slot i holds (its key's low 48 bits). */
  private slotEdge(i: number): number {
    return ((this.words[4 * i + 3] as number) & 0xffff) * 0x100000000 + ((this.words[4 * i + 2] as number) >>> 0);
  }

  /**
   * A new table of `capacity` slots holding this table's entries whose level is below `level`,
   * and how many. Neither table may be in use by another thread meanwhile.
   */
  rebuilt(capacity: number, level: number): { table: FingerprintTable; count: number } {
    const to = FingerprintTable.create(capacity);
    return { table: to, count: this.copyInto(to, 0, this.capacity, level) };
  }

  /**
   * Copies this table's entries in slots from..to-1 whose level is below `level` into `dst` (a
   * larger, fresh table) and returns how many. Threads may copy disjoint slot ranges into the same
   * `dst` at once (no other thread may claim in either table meanwhile): the copies of a regrowth
   * are split over the partitions, whose first touches of the new table's pages are most of its
   * cost. A slot of `dst` is taken by a compare-and-swap of word 4i+1, as claim takes it.
   */
  copyInto(dst: FingerprintTable, from: number, to: number, level: number): number {
    let count = 0;
    const src = this.words;
    const out = dst.words;
    const mask = dst.mask;
    for (let i = from; i < to; i++) {
      const hi = src[4 * i + 1] as number;
      if (hi === 0) continue;
      const khi = src[4 * i + 3] as number;
      if ((khi >>> 16) - 1 >= level) continue;
      const lo = src[4 * i] as number;
      const fp = (hi & TAG_HI) * 0x100000000 + (lo >>> 0) - 1;
      let j = home(fp) & mask;
      while (Atomics.compareExchange(out, 4 * j + 1, 0, hi) !== 0) j = (j + 1) & mask;
      out[4 * j] = lo;
      out[4 * j + 2] = src[4 * i + 2] as number;
      out[4 * j + 3] = khi;
      count++;
    }
    return count;
  }

  /** Every (fingerprint, level, edge) in slots from..to-1 whose level is below `level`. */
  *entriesBelow(level: number, from = 0, to = this.capacity): Generator<[number, number, number]> {
    const w = this.words;
    for (let i = from; i < to; i++) {
      const hi = w[4 * i + 1] as number;
      if (hi === 0) continue;
      const l = ((w[4 * i + 3] as number) >>> 16) - 1;
      if (l >= level) continue;
      const fp = (hi & TAG_HI) * 0x100000000 + ((w[4 * i] as number) >>> 0) - 1;
      yield [fp, l, this.slotEdge(i)];
    }
  }
}
