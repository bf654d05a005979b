// The visited set of a search in one thread: state key -> state id. Keys that are non-negative
// safe integers (fingerprints) live in an open-addressing table of doubles (../shared/PERF-NOTES.md
// measured such a table at several times the speed of a Set of numbers, in half the memory; V8
// keeps 53-bit keys of a Map as heap numbers); any other key goes to a Map.

// invariant: keys[i] holds a fingerprint + 1, 0 when the slot is empty; ids[i] is its state id
// (when the index keeps ids). Capacity is a power of two and at most half full (linear probing
// from home(fp) masked).
export class KeyIndex {
  private keys = new Float64Array(1 << 12);
  private ids: Int32Array;
  private mask = (1 << 12) - 1;
  private count = 0;
  private readonly other = new Map<string | number, number>();

  /**
   * `withIds` false: a set of keys, whose every present key answers id 0. A search that never
   * asks for ids saves their column: a third of the table, whose growth is mostly first touches
   * of fresh pages, and a write to another cache line for each new key.
   */
  constructor(private readonly withIds = true) {
    this.ids = new Int32Array(withIds ? 1 << 12 : 0);
  }

  get size(): number {
    return this.count + this.other.size;
  }

  /** The id stored for `key`, or -1. */
  get(key: string | number): number {
    if (typeof key !== 'number' || !isFingerprint(key)) return this.other.get(key) ?? -1;
    const i = this.slotOf(key);
    return this.keys[i] === 0 ? -1 : (this.ids[i] ?? 0);
  }

  /**
   * Stores `id` for `key` unless `key` is present; true when it was not. Unlike `add`, a key
   * found present costs no read of its id (on a table of millions, that read is a cache miss).
   */
  insert(key: string | number, id: number): boolean {
    if (typeof key !== 'number' || !isFingerprint(key)) return this.add(key, id) < 0;
    const i = this.slotOf(key);
    if (this.keys[i] !== 0) return false;
    this.put(i, key, id);
    return true;
  }

  /** Stores `id` for `key`, unless `key` is present: returns the id stored before, or -1. */
  add(key: string | number, id: number): number {
    if (typeof key !== 'number' || !isFingerprint(key)) {
      const old = this.other.get(key);
      if (old !== undefined) return old;
      this.other.set(key, this.withIds ? id : 0);
      return -1;
    }
    const i = this.slotOf(key);
    if (this.keys[i] !== 0) return this.ids[i] ?? 0;
    this.put(i, key, id);
    return -1;
  }

  // The slot of fingerprint `key`: where it is, or the empty slot where it would go.
  private slotOf(key: number): number {
    const tag = key + 1;
    const keys = this.keys;
    for (let i = home(key) & this.mask; ; i = (i + 1) & this.mask) {
      const cur = keys[i] as number;
      if (cur === tag || cur === 0) return i;
    }
  }

  private put(i: number, key: number, id: number): void {
    this.keys[i] = key + 1;
    if (this.withIds) this.ids[i] = id;
    if (++this.count * 2 > this.mask + 1) this.grow();
  }

  /** Forgets every key (keeping the table's capacity). */
  clear(): void {
    this.keys.fill(0);
    this.count = 0;
    this.other.clear();
  }

  /** Every (key, id), in no particular order. */
  *entries(): Generator<[string | number, number]> {
    for (let i = 0; i <= this.mask; i++) {
      const tag = this.keys[i] as number;
      if (tag !== 0) yield [tag - 1, this.ids[i] ?? 0];
    }
    yield* this.other;
  }

  private grow(): void {
    const keys = this.keys;
    const ids = this.ids;
    const capacity = 2 * (this.mask + 1);
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(this.withIds ? capacity : 0);
    this.mask = capacity - 1;
    for (let j = 0; j < keys.length; j++) {
      const tag = keys[j] as number;
      if (tag === 0) continue;
      let i = home(tag - 1) & this.mask;
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = tag;
      if (this.withIds) this.ids[i] = ids[j] as number;
    }
  }
}

/**
 * The home slot of a fingerprint (a non-negative safe integer) in a power-of-two table, before
 * masking: its high 32 bits (a fingerprint's best-mixed ones) xor its low 32. (`key % capacity`
 * on a double is a call to fmod, once per lookup and per rehashed key.)
 */
export function home(key: number): number {
  return ((key / 0x200000) | 0) ^ (key | 0);
}

function isFingerprint(k: number): boolean {
  return Number.isSafeInteger(k) && k >= 0 && k < Number.MAX_SAFE_INTEGER;
}
