// The uniform scheduler: every enabled transition is equally likely at every step. Simple and
// unbiased per step, but a schedule that keeps one thread waiting for many steps (most
// concurrency bugs) is exponentially unlikely; pct.ts is the default for that reason.

import { below, type Rng, type Scheduler } from './scheduler.js';

/** A scheduler that picks uniformly among the enabled transitions. */
export function uniformScheduler<T>(rng: Rng): Scheduler<T> {
  return { choose: (enabled) => below(rng, enabled.length) };
}
