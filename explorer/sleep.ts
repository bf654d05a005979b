// Sleep sets (Godefroid 1996, "Partial-order methods for the verification of concurrent systems",
// ch. 5) in a breadth-first search with state caching. A state's sleep mask names groups of
// steps the search does not take from it: each such step leads to a state the search reaches
// by another path it does explore.
//
// The rule. A state's mask is set once, when it is first reached, from its canonical edge (the
// first in breadth-first order: parent rank, then choice): over step u (group h) from parent q,
//   mask = (mask(q) | groups all of whose steps q explored before u) & ~conflicts(h),
// and 0 if u has no group; later edges into the state do not change it. With `reduce` forcing a
// single step at q, no group counts as explored before it.
//
// Why nothing is lost (for a system keeping the SleepSets contract; it is what the tests check
// over the conformance corpora). Let (p, t) be a step not taken because t's group is asleep at p,
// and (q, u) p's canonical edge. Either q explored t before u, or t was asleep at q already. In
// the first case q·t is reached over an edge below (q, u), so it ranks below p, and q·t·u =
// q·u·t: the target of (p, t) has an edge from a state ranking below p. In the second case the
// same holds of q·t by induction on the level, and again q·t ranks below p. So a pruned edge is
// never the canonical edge of its target: every state is reached at the same level over the same
// canonical edge as without sleep sets, and witnesses of states and outcomes do not change. An
// edge's findings are those of t at q (t commutes with u and shows the same findings), over a
// shorter trace, so the first edge showing a finding is never pruned either. Only the count of
// transitions taken goes down.

import type { SleepSets } from './system.js';

/** The sleep-set bookkeeping of one state's expansion, reused from state to state. */
export class SleepExpansion<S, T> {
  // group of each enabled transition of the state being expanded (-1: none): `own`, or a
  // WordExpander's (beginGroups)
  private groups: Int8Array = new Int8Array(64);
  private own = this.groups;
  // index of each group's last transition in the enabled list
  private readonly last = new Int32Array(31);
  private mask = 0;
  // groups all of whose transitions are explored (or asleep) so far; stays 0 under a forced step
  private done = 0;
  private forced = false;

  constructor(private readonly sets: SleepSets<S, T>) {}

  /** Starts the expansion of `s` (asleep mask `mask`) whose enabled list is `ts`, `only` as `reduce` gave it. */
  begin(s: S, ts: readonly T[], only: readonly number[] | undefined, mask: number): void {
    if (this.own.length < ts.length) this.own = new Int8Array(2 * ts.length);
    const groups = (this.groups = this.own);
    for (let i = 0; i < ts.length; i++) groups[i] = this.sets.group(s, ts[i] as T);
    this.start(groups, ts.length, only !== undefined, mask);
  }

  /** As `begin`, for a state whose `n` transitions' groups are groups[0..n) (a WordExpander's), `forced` when `reduce` gave one alone. */
  beginGroups(groups: Int8Array, n: number, forced: boolean, mask: number): void {
    // (read where they are: the caller keeps them as they are until the next begin)
    this.groups = groups;
    this.start(groups, n, forced, mask);
  }

  private start(groups: Int8Array, n: number, forced: boolean, mask: number): void {
    for (let i = 0; i < n; i++) {
      const g = groups[i] as number;
      if (g >= 0) this.last[g] = i;
    }
    this.mask = mask;
    this.done = 0;
    this.forced = forced;
  }

  /** Whether transition `i` is asleep; if so it counts as explored. */
  asleep(i: number): boolean {
    const g = this.groups[i] as number;
    if (g < 0 || ((this.mask >>> g) & 1) === 0) return false;
    this.passed(i, g);
    return true;
  }

  /** Transition `i` is taken (call for each, in ascending order of `i`): the mask its successor gets if this edge is its first. */
  took(i: number): number {
    const g = this.groups[i] as number;
    if (g < 0) return 0;
    const m = (this.mask | this.done) & ~this.sets.conflicts(g);
    this.passed(i, g);
    return m;
  }

  /** The mask `took` gave, for the successor as the step left it (its threads permuted by `perm`, if given). */
  carried(mask: number, perm: readonly number[] | undefined): number {
    if (perm === undefined || mask === 0) return mask;
    return this.sets.permute === undefined ? 0 : this.sets.permute(mask, perm);
  }

  private passed(i: number, g: number): void {
    if (!this.forced && this.last[g] === i) this.done |= 1 << g;
  }
}
