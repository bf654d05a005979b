// A growable column of numbers: per-state data of a search (parent, choice, sleep mask; a
// partition's candidates), 4 bytes a state for 32-bit integers where a JS array of small
// integers takes 8 and grows by copying more often, 8 for doubles (fingerprints, edges), which a
// JS object would box.

export class Column {
  private data: Int32Array | Float64Array;
  private size = 0;

  constructor(
    private readonly kind: 'int32' | 'float64' = 'int32',
    capacity = 64,
  ) {
    this.data = kind === 'int32' ? new Int32Array(capacity) : new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(v: number): void {
    if (this.size === this.data.length) {
      const d = this.kind === 'int32' ? new Int32Array(2 * this.size) : new Float64Array(2 * this.size);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.size++] = v;
  }

  /** The value at `i` (0 <= i < length). */
  at(i: number): number {
    return this.data[i] as number;
  }

  /** A copy of the values as a Float64Array (for a message: transferable, and exact for both kinds). */
  toFloat64Array(): Float64Array {
    return Float64Array.from(this.data.subarray(0, this.size));
  }

  /** Forgets every value (keeping the capacity). */
  clear(): void {
    this.size = 0;
  }
}
