// Schedulers for random runs: each picks which enabled transition a run takes next. One
// interface here, one file per scheduler (uniform.ts, pct.ts), as awslabs/shuttle does; random.ts
// drives runs with them.

import seedrandom from 'seedrandom';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Chooses the transitions of one run. A scheduler serves a single run, so it may keep state. */
export interface Scheduler<T> {
  /** the index in `enabled` (never empty) of the transition to take at step `step` (0-based) */
  choose(enabled: readonly T[], step: number): number;
}

/** Fully defaulted scheduler options; plain data, so they cross to workers and into reports. */
export type SchedulerConfig =
  | { readonly kind: 'uniform' }
  /** `depth` d: d-1 priority changes; `length` k: the estimated number of scheduling steps of a run */
  | { readonly kind: 'pct'; readonly depth: number; readonly length: number };

/**
 * The random stream of run `run` of seed `seed`. Each run has its own (xor128: cheap, and runs
 * need no cryptographic quality), so any run replays alone and runs split over any number of
 * workers draw exactly the same numbers.
 */
export function runStream(seed: number, run: number): Rng {
  return seedrandom.xor128(`${seed}:${run}`);
}

/** A uniform integer in [0, n). */
export function below(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
