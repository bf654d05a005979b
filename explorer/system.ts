// What the explorer sees of a model: a transition system with a canonical key per state and a
// few observations. Nothing here knows about Arm, TLBs or litmus tests.

/** Something worth reporting, found on a state or an edge. `key` identifies it across the search. */
export interface Finding {
  readonly key: string;
  readonly detail: unknown;
}

/** A transition system to explore. Transitions are identified by their index in `enabled(s)`. */
export interface TransitionSystem<S, T> {
  initial(): S;
  /** enabled transitions, in a fixed order: choice i of a trace is `enabled(s)[i]` */
  enabled(s: S): readonly T[];
  /**
   * the successor, and what the edge itself showed (e.g. an access through a stale entry); a
   * system whose successors are representatives of symmetric states (explorer/symmetry.ts) also
   * gives the permutation of threads that made it one (`perm[i]`: where thread i went)
   */
  step(s: S, t: T): { readonly state: S; readonly findings: readonly Finding[]; readonly perm?: readonly number[] };
  /**
   * canonical key: equal states have equal keys; a number key is a fingerprint (distinct states
   * may collide with negligible probability), a string key is exact
   */
  key(s: S): string | number;
  /**
   * optional: a state as a few words and back, for a search to keep states it has not expanded
   * yet out of the garbage collector's way (explorer/word-frontier.ts); decode(words, at) rebuilds
   * a state equal to the one encoded at `at` (after `keep`, which may make that cheap)
   */
  encode?(s: S): ArrayLike<number>;
  decode?(words: Int32Array, at: number): S;
  /**
   * optional: called once for each new state a search keeps (after `key`), before it is stored;
   * may replace parts of it in place by equal parts of states kept before, so they are stored once
   */
  keep?(s: S): void;
  /** findings that hold in a state (e.g. a CPU holds two conflicting translations) */
  stateFindings(s: S): readonly Finding[];
  /** for a final state (no more program steps), its outcome key; undefined if not final or filtered out */
  outcome(s: S): string | undefined;
  /** optional: what to keep about a state with an outcome (structured-clone safe), as its witness's detail */
  outcomeDetail?(s: S): unknown;
  /**
   * optional partial-order reduction: the indices (into `ts`, ascending) of a persistent set of
   * the transitions `ts` enabled in `s` (Godefroid 1996), or undefined to explore them all. A
   * reduced search must reach the same outcomes and findings, not the same states; traces keep
   * indexing the full `enabled` list, so they replay with or without it.
   */
  reduce?(s: S, ts: readonly T[]): readonly number[] | undefined;
  /**
   * optional sleep sets (Godefroid 1996, ch. 5), used with `reduce`: a search need not take a
   * step it is known to reach the successor of by another path it also explores. A search keeps
   * for each state a mask of asleep groups, set when the state is first reached (in breadth-first
   * order: over its canonical edge), and does not take an asleep group's steps from it; see
   * explorer/sleep.ts for the rule and why states, witnesses and findings stay the same.
   */
  sleep?: SleepSets<S, T>;
  /**
   * optional: the thread (a small non-negative integer) that performs `t`, for schedulers that
   * reason about threads (PCT) and for counting context switches; without it, one thread does all
   */
  actor?(t: T): number;
  /**
   * optional: states as one structured-clone-safe batch for a copy of this system in another
   * thread (built from the same recipe), and back; the batch may share the states' equal parts,
   * as states reached by steps do. Lets a search hand states to workers instead of having them
   * replay traces.
   */
  pack?(states: readonly S[]): unknown;
  unpack?(batch: unknown): S[];
  /**
   * optional, with encode: the states encoded at `at` in `words` (this system's encode) as one
   * structured-clone-safe batch for unpackEncoded in another thread, without rebuilding them; and
   * back: the batch's states as this system's own encodings, one after another, each as long as
   * the state's encoding, kept as `keep` keeps states
   */
  packEncoded?(words: Int32Array, at: readonly number[]): unknown;
  unpackEncoded?(batch: unknown): { readonly words: Int32Array; readonly at: readonly number[] };
  /**
   * optional, with encode and decode: states expanded from their words (WordExpander) rather
   * than rebuilt as objects. A search given one uses it for every state it expands, in place of
   * decode, enabled, reduce, sleep.group, step, key, keep, encode, stateFindings and outcome.
   */
  expander?: WordExpander;
}

/**
 * The expansion of a state given as words (TransitionSystem.encode's), one state at a time: what
 * a search asks of `enabled`, `reduce`, `sleep.group`, `step` and `key`, answered without
 * building the state where the system can. Everything it gives must be what those would give:
 * the same choices, successors (as their encodings), keys and findings.
 */
export interface WordExpander {
  /** words per state (valid after the first `begin`) */
  readonly width: number;
  /**
   * Starts on the state encoded at `at` in `words` (which must stay as they are until the next
   * `begin`): returns how many transitions it enables.
   */
  begin(words: Int32Array, at: number): number;
  /** after `begin`: the choice `reduce` gives alone, or -1 where it gives none */
  readonly forced: number;
  /** after `begin`: each choice's sleep group (sleep.group), where the system has sleep sets */
  readonly groups: Int8Array;
  /**
   * The successor by choice `i` of the state begun: its words written to out[0..width); its key
   * is then `key` (a field: a double returned from a call that is not inlined is a new heap
   * number, one per transition) and the edge's findings `findings`.
   */
  step(i: number, out: Int32Array): void;
  readonly key: number;
  readonly findings: readonly Finding[];
  /** after `step`: true if the successor has no state finding and no outcome (false where the expander cannot tell cheaply) */
  readonly plain: boolean;
  /** stateFindings, outcome and outcomeDetail of the state encoded at `at` in `words` */
  stateFindings(words: Int32Array, at: number): readonly Finding[];
  outcome(words: Int32Array, at: number): string | undefined;
  outcomeDetail(words: Int32Array, at: number): unknown;
}

/**
 * Groups of transitions for sleep sets. Contract, for a group g of `group(s, t)` (0..30) and any
 * transition u of another group h with g not in conflicts(h): in s, every step of g and u commute
 * (s·t·u = s·u·t), neither enables, disables or changes the other (so g's steps in s·u are g's
 * steps in s), and t shows the same findings from s·u as from s. Besides, taking a grouped step
 * must not make `reduce` force a step in a state where it forced none before.
 */
export interface SleepSets<S, T> {
  group(s: S, t: T): number;
  /** the mask of groups whose steps may not commute with g's, g's own bit included */
  conflicts(g: number): number;
  /** a mask once threads are permuted (a step's `perm`); without it, a permuted successor sleeps on nothing */
  permute?(mask: number, perm: readonly number[]): number;
}

/** A versioned, printable list of choices that replays one run. */
export interface Trace {
  readonly version: 1;
  readonly choices: readonly number[];
}

/** Prints a trace token: `v1:3.0.7.1` (`v1:` alone for the empty trace). */
export function traceToken(t: Trace): string {
  return `v${t.version}:${t.choices.join('.')}`;
}

/** Reads a trace token, or says why it is not one. */
export function parseTraceToken(token: string): { ok: true; trace: Trace } | { ok: false; message: string } {
  const m = /^v(\d+):((?:\d+(?:\.\d+)*)?)$/.exec(token.trim());
  if (m === null) return { ok: false, message: `'${token}' is not a trace token (expected v1:N.N.N...)` };
  if (m[1] !== '1') return { ok: false, message: `trace token version v${m[1]} is not supported by this shootdown (it reads v1)` };
  const body = m[2] ?? '';
  return { ok: true, trace: { version: 1, choices: body === '' ? [] : body.split('.').map(Number) } };
}

/** Structural equality of plain data (what transitions are). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // for...in rather than Object.keys: no arrays built (symmetry expansion compares transitions at every step)
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    n++;
    if (!(k in y) || !deepEqual(x[k], y[k])) return false;
  }
  for (const _ in y) n--;
  return n === 0;
}
