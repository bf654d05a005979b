// A growable column of 32-bit integers: per-state data of a search (parent, choice, sleep mask),
// 4 bytes a state where a JS array of small integers takes 8 and grows by copying more often.

export class IntColumn {
  private data: Int32Array;
  private size = 0;

  constructor(capacity = 64) {
    this.data = new Int32Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(v: number): void {
    if (this.size === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.size++] = v;
  }

  /** The value at `i` (0 <= i < length). */
  at(i: number): number {
    return this.data[i] as number;
  }
}
