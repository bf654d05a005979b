// Shrinking a failing run: fewest steps first, then fewest context switches.
//
// A trace's choices are indices into `enabled(s)`, so dropping one step changes what every later
// index means. The shrinker therefore works on the transitions themselves: a candidate is a list
// of wanted transitions, replayed by taking each one that is enabled (found by deep equality) and
// skipping those that are not; the transitions actually taken become the new current list when
// the candidate still fails. Steps are removed by delta debugging (ddmin: Zeller and Hildebrandt,
// "Simplifying and Isolating Failure-Inducing Input", TSE 2002), then context switches (adjacent
// steps of different actors) are removed by greedily moving steps and blocks next to others of
// the same actor, then single steps are dropped while letting a later step of the same actor be
// replaced; the three passes repeat until none helps.

import { replay } from './exhaustive.js';
import { deepEqual, type Trace, type TransitionSystem } from './system.js';

/** What makes a run fail: a finding shows up, or the run ends in an outcome whose state satisfies `holds`. */
export type Failure<S> = { readonly kind: 'finding'; readonly key: string } | { readonly kind: 'goal'; readonly holds: (s: S) => boolean };

/** A failing run as a list of transitions and its trace. */
export interface Shrunk<T> {
  readonly trace: Trace;
  readonly transitions: readonly T[];
  readonly steps: number;
  readonly switches: number;
}

/** The result of shrinking. */
export interface ShrinkResult<T> {
  readonly original: Shrunk<T>;
  readonly minimal: Shrunk<T>;
  /** candidate replays tried */
  readonly checks: number;
}


/** Context switches of a list of transitions: adjacent transitions of different actors. */
export function contextSwitches<S, T>(sys: TransitionSystem<S, T>, ts: readonly T[]): number {
  let n = 0;
  for (let i = 1; i < ts.length; i++) if ((sys.actor?.(ts[i] as T) ?? 0) !== (sys.actor?.(ts[i - 1] as T) ?? 0)) n++;
  return n;
}

/**
 * Replays the wanted transitions, skipping those not enabled, and stops as soon as the failure
 * shows. With `substitutions` > 0, a wanted transition that is not enabled may instead be
 * replaced by an enabled transition of the same actor (after trying to skip it), that many times.
 * Returns the transitions taken and their choices if the failure showed, else undefined.
 */
export function attempt<S, T>(
  sys: TransitionSystem<S, T>,
  failure: Failure<S>,
  wanted: readonly T[],
  substitutions = 0,
): { transitions: T[]; choices: number[] } | undefined {
  const actorOf = (t: T): number => sys.actor?.(t) ?? 0;
  const shows = (found: readonly { key: string }[]): boolean => failure.kind === 'finding' && found.some((f) => f.key === failure.key);
  // This is depth-first: skipping comes before substituting, so shorter runs are found first.
  const go = (s0: S, from: number, transitions: T[], choices: number[], subs: number): { transitions: T[]; choices: number[] } | undefined => {
    let s = s0;
    const take = (t: T, c: number): boolean => {
      const r = sys.step(s, t);
      s = r.state;
      transitions.push(t);
      choices.push(c);
      return shows(r.findings) || shows(sys.stateFindings(s));
    };
    for (let i = from; i < wanted.length; i++) {
      if (failure.kind === 'goal' && sys.outcome(s) !== undefined) break;
      const w = wanted[i] as T;
      const ts = sys.enabled(s);
      const c = ts.findIndex((t) => deepEqual(t, w));
      if (c >= 0) {
        if (take(ts[c] as T, c)) return { transitions, choices };
        continue;
      }
      if (subs === 0) continue;
      const skipped = go(s, i + 1, [...transitions], [...choices], subs);
      if (skipped !== undefined) return skipped;
      for (let k = 0; k < ts.length; k++) {
        const t = ts[k] as T;
        if (actorOf(t) !== actorOf(w)) continue;
        const r = sys.step(s, t);
        const tr = [...transitions, t];
        const cs = [...choices, k];
        if (shows(r.findings) || shows(sys.stateFindings(r.state))) return { transitions: tr, choices: cs };
        const sub = go(r.state, i + 1, tr, cs, subs - 1);
        if (sub !== undefined) return sub;
      }
      return undefined;
    }
    if (failure.kind === 'goal' && sys.outcome(s) !== undefined && failure.holds(s)) return { transitions, choices };
    return undefined;
  };
  const s = sys.initial();
  if (shows(sys.stateFindings(s))) return { transitions: [], choices: [] };
  return go(s, 0, [], [], substitutions);
}

/** Shrinks failing `trace` of `sys`; throws (an internal error) if the trace does not replay to the failure. */
export function shrink<S, T>(sys: TransitionSystem<S, T>, trace: Trace, failure: Failure<S>, maxChecks = 20_000): ShrinkResult<T> {
  const rp = replay(sys, trace);
  if (!rp.ok) throw new Error(`[internal] the trace to shrink does not replay: ${rp.message}`);
  const shrunk = (transitions: readonly T[], choices: readonly number[]): Shrunk<T> => ({
    trace: { version: 1, choices },
    transitions,
    steps: transitions.length,
    switches: contextSwitches(sys, transitions),
  });
  const original = shrunk(rp.transitions, trace.choices);
  let checks = 0;
  const test = (wanted: readonly T[], substitutions = 0): { transitions: T[]; choices: number[] } | undefined => {
    checks++;
    return attempt(sys, failure, wanted, substitutions);
  };
  const start = test(rp.transitions);
  if (start === undefined) throw new Error('[internal] the trace to shrink does not show its failure');
  let cur = start;
  // (steps, switches) decreases lexicographically at every accepted change, so this terminates.
  const better = (x: { transitions: T[] }): boolean => {
    if (x.transitions.length !== cur.transitions.length) return x.transitions.length < cur.transitions.length;
    return contextSwitches(sys, x.transitions) < contextSwitches(sys, cur.transitions);
  };

  const ddmin = (): boolean => {
    let changed = false;
    let n = 2;
    while (cur.transitions.length >= 2 && checks < maxChecks) {
      const c = cur.transitions;
      const size = Math.ceil(c.length / n);
      const chunks: [number, number][] = [];
      for (let i = 0; i < c.length; i += size) chunks.push([i, Math.min(c.length, i + size)]);
      let reduced = false;
      for (const [a, b] of chunks) {
        const r = test(c.slice(a, b));
        if (r !== undefined && better(r)) {
          cur = r;
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced && chunks.length > 2) {
        for (const [a, b] of chunks) {
          const r = test([...c.slice(0, a), ...c.slice(b)]);
          if (r !== undefined && better(r)) {
            cur = r;
            n = Math.max(n - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      // (with two chunks the complements are the chunks themselves, already tried)
      if (reduced) {
        changed = true;
        continue;
      }
      if (n >= c.length) break;
      n = Math.min(2 * n, c.length);
    }
    return changed;
  };

  // Moves single steps and blocks of one actor next to another step of the same actor.
  const actorOf = (t: T): number => sys.actor?.(t) ?? 0;
  const regroup = (): boolean => {
    let changed = false;
    for (let again = true; again && checks < maxChecks; ) {
      again = false;
      const c = cur.transitions;
      const switches = contextSwitches(sys, c);
      if (switches === 0) break;
      const blocks: [number, number][] = [];
      for (let i = 0; i < c.length; ) {
        let j = i + 1;
        while (j < c.length && actorOf(c[j] as T) === actorOf(c[i] as T)) j++;
        blocks.push([i, j]);
        i = j;
      }
      const moves: [number, number][] = [...blocks];
      for (let i = 0; i < c.length; i++) moves.push([i, i + 1]);
      search: for (const [a, b] of moves) {
        const actor = actorOf(c[a] as T);
        const rest = [...c.slice(0, a), ...c.slice(b)];
        const piece = c.slice(a, b);
        for (let p = 0; p <= rest.length; p++) {
          // only next to a step of the same actor
          const before = rest[p - 1];
          const after = rest[p];
          if (!((before !== undefined && actorOf(before) === actor) || (after !== undefined && actorOf(after) === actor))) continue;
          const cand = [...rest.slice(0, p), ...piece, ...rest.slice(p)];
          if (contextSwitches(sys, cand) >= switches) continue;
          const r = test(cand);
          if (r !== undefined && better(r)) {
            cur = r;
            again = true;
            changed = true;
            break search;
          }
        }
      }
    }
    return changed;
  };

  // Drops one step and lets a later step of the same actor change (e.g. an access that used the
  // entry a dropped walk cached may walk itself instead): what ddmin, which only drops, misses.
  const substitute = (): boolean => {
    let changed = false;
    for (let again = true; again && checks < maxChecks; ) {
      again = false;
      const c = cur.transitions;
      for (let i = 0; i < c.length; i++) {
        const r = test([...c.slice(0, i), ...c.slice(i + 1)], 1);
        if (r !== undefined && better(r)) {
          cur = r;
          again = true;
          changed = true;
          break;
        }
      }
    }
    return changed;
  };

  for (;;) {
    const dropped = ddmin();
    const regrouped = regroup();
    if (!substitute() && !dropped && !regrouped) break;
  }
  return { original, minimal: shrunk(cur.transitions, cur.choices), checks };
}
