// The frontier of a breadth-first search as words (TransitionSystem.encode/decode) instead of
// live objects: the states of the level being expanded and of the next one, each level in an
// Int32Array of its own. Kept as objects, every state of a large search lived through a minor
// garbage collection and was copied into the old generation, whose first touches of fresh
// memory are dear here; words cost the collector nothing, and a state is rebuilt (young garbage)
// only when it is expanded. A system without a codec has its states kept as they are.

import { Column } from './column.js';

/** Encodes and rebuilds states (see TransitionSystem.encode). */
export interface StateCodec<S> {
  encode(s: S): ArrayLike<number>;
  decode(words: Int32Array, at: number): S;
}

/** A system's codec, if it has one. */
export function codecOf<S>(sys: { encode?(s: S): ArrayLike<number>; decode?(words: Int32Array, at: number): S }): StateCodec<S> | undefined {
  const { encode, decode } = sys;
  if (encode === undefined || decode === undefined) return undefined;
  return { encode: (s) => encode.call(sys, s), decode: (w, at) => decode.call(sys, w, at) };
}

/**
 * States stored and fetched by a handle: as words when a codec is given (one growing Int32Array),
 * else as the objects themselves. `clear` forgets them all and keeps the buffer.
 */
export class StateArena<S> {
  private objects: S[] = [];
  private words = new Int32Array(1024);
  private used = 0;

  constructor(private readonly codec: StateCodec<S> | undefined) {}

  put(s: S): number {
    const codec = this.codec;
    if (codec === undefined) return this.objects.push(s) - 1;
    const w = codec.encode(s);
    this.room(w.length);
    const at = this.used;
    for (let i = 0; i < w.length; i++) this.words[at + i] = w[i] as number;
    this.used += w.length;
    return at;
  }

  /** Stores a state given as its words (words[from..to), as the codec encodes it). */
  putWords(words: Int32Array, from: number, to: number): number {
    if (this.codec === undefined) throw new Error('[internal] putWords on an arena of objects');
    this.room(to - from);
    const at = this.used;
    // (word by word: a subarray to copy from is an object per state)
    const w = this.words;
    for (let i = from; i < to; i++) w[at + i - from] = words[i] as number;
    this.used += to - from;
    return at;
  }

  // Grows the buffer to take `len` more words.
  private room(len: number): void {
    if (this.used + len <= this.words.length) return;
    const bigger = new Int32Array(Math.max(2 * this.words.length, this.used + len));
    bigger.set(this.words.subarray(0, this.used));
    this.words = bigger;
  }

  /** The words the states are stored in (handles index them), or undefined for an arena of objects. */
  encoded(): Int32Array | undefined {
    return this.codec === undefined ? undefined : this.words;
  }

  get(handle: number): S {
    if (this.codec === undefined) {
      const s = this.objects[handle];
      if (s === undefined) throw new Error(`[internal] no state ${handle} in the arena`);
      return s;
    }
    return this.codec.decode(this.words, handle);
  }

  clear(): void {
    this.objects = [];
    this.used = 0;
  }
}

interface Level<S> {
  readonly arena: StateArena<S>;
  /** each state's handle, by position in the level (a column: cleared, not regrown, per level) */
  readonly at: Column;
}

/** States of two consecutive levels, by position within their level. */
export class WordFrontier<S> {
  private cur: Level<S>;
  private next: Level<S>;

  constructor(codec: StateCodec<S> | undefined) {
    this.cur = { arena: new StateArena(codec), at: new Column() };
    this.next = { arena: new StateArena(codec), at: new Column() };
  }

  /** Whether states are kept as words (a codec was given). */
  get encoded(): boolean {
    return this.cur.arena.encoded() !== undefined;
  }

  /** Adds a state at the end of the next level. */
  push(s: S): void {
    this.next.at.push(this.next.arena.put(s));
  }

  /** The state at position `k` of the level being expanded. */
  get(k: number): S {
    if (k < 0 || k >= this.cur.at.length) throw new Error(`[internal] no state ${k} in the frontier`);
    return this.cur.arena.get(this.cur.at.at(k));
  }

  /** Adds a state given as words (words[from..to), as the codec encodes it) at the end of the next level. */
  pushWords(words: Int32Array, from: number, to: number): void {
    this.next.at.push(this.next.arena.putWords(words, from, to));
  }

  /** The words the level being expanded is stored in (they do not change while it is), and where its state `k` is in them. */
  words(): Int32Array {
    const w = this.cur.arena.encoded();
    if (w === undefined) throw new Error('[internal] words() of a frontier of objects');
    return w;
  }
  handle(k: number): number {
    if (k < 0 || k >= this.cur.at.length) throw new Error(`[internal] no state ${k} in the frontier`);
    return this.cur.at.at(k);
  }

  /** The next level becomes the one being expanded (the old level's arena is cleared and reused). */
  advance(): void {
    const old = this.cur;
    this.cur = this.next;
    old.arena.clear();
    old.at.clear();
    this.next = old;
  }

  /** Every state of the next level. */
  nextStates(): S[] {
    const out: S[] = [];
    for (let k = 0; k < this.next.at.length; k++) out.push(this.next.arena.get(this.next.at.at(k)));
    return out;
  }
}
