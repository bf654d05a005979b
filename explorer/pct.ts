// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A
// Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
//
// Every thread gets a random priority; at each step the highest-priority thread that has an
// enabled transition runs. At d-1 steps drawn uniformly from the first k, the thread that just
// ran drops below every other thread. For n threads and runs of at most k steps, one run finds a
// bug of depth d (d ordering constraints between threads must hold) with probability at least
// 1/(n k^(d-1)), whatever the program. Uniform choice has no such bound: keeping one thread
// waiting while another makes many steps is exponentially unlikely.
//
// Adaptation to a transition system:
// - a thread is `sys.actor(t)` (all transitions are one thread without it). The VMSA system
//   (cli/vmsa-system.ts) gives each CPU two: its instruction stream and its hardware walker and
//   invalidation unit, so "P1's walker caches an entry early, P1 uses it much later" needs no
//   priority change at all, and the walker can be starved or favoured independently of the CPU;
// - when the chosen thread has several enabled transitions (an access may translate by a TLB
//   entry or a walk; walks of different addresses), one is picked uniformly: those are data
//   choices, not scheduling;
// - as in awslabs/shuttle, only steps where two or more threads are enabled count towards k and
//   the change points, and priorities are drawn when a thread first has an enabled transition,
//   so the number of threads need not be known in advance.

import seedrandom from 'seedrandom';
import { below, type Rng, type Scheduler } from './scheduler.js';
import { uniformScheduler } from './uniform.js';
import type { TransitionSystem } from './system.js';

/** A PCT scheduler for one run with `depth` d and estimated length `length` k. */
export function pctScheduler<S, T>(sys: TransitionSystem<S, T>, rng: Rng, depth: number, length: number): Scheduler<T> {
  const actorOf = (t: T): number => sys.actor?.(t) ?? 0;
  // invariant: priorities are distinct; initial ones lie in [0, 1), lowered ones below all others.
  const priority = new Map<number, number>();
  const changes = new Set<number>();
  for (let i = 1; i < depth; i++) changes.add(below(rng, Math.max(1, length)));
  let lowest = 0;
  let current: number | undefined;
  let steps = 0;
  return {
    choose: (enabled) => {
      const actors = enabled.map(actorOf);
      for (const a of actors) if (!priority.has(a)) priority.set(a, rng());
      const distinct = new Set(actors);
      if (distinct.size > 1) {
        if (changes.has(steps) && current !== undefined) {
          lowest -= 1;
          priority.set(current, lowest);
        }
        steps++;
      }
      let best = actors[0] as number;
      for (const a of distinct) if ((priority.get(a) as number) > (priority.get(best) as number)) best = a;
      current = best;
      const mine: number[] = [];
      actors.forEach((a, i) => {
        if (a === best) mine.push(i);
      });
      return mine[below(rng, mine.length)] as number;
    },
  };
}

/**
 * PCT's k for `sys`: the most scheduling steps (steps with two or more threads enabled) in a few
 * uniform runs from a fixed stream. It depends on the system only, never on the seed, so a run
 * replays from (seed, index) alone.
 */
export function estimateLength<S, T>(sys: TransitionSystem<S, T>, maxSteps: number, samples = 16): number {
  let k = 1;
  for (let j = 0; j < samples; j++) {
    const rng: Rng = seedrandom.xor128(`pct-length:${j}`);
    const sched = uniformScheduler<T>(rng);
    let s = sys.initial();
    let counted = 0;
    for (let step = 0; step < maxSteps && sys.outcome(s) === undefined; step++) {
      const ts = sys.enabled(s);
      if (ts.length === 0) break;
      if (new Set(ts.map((t) => sys.actor?.(t) ?? 0)).size > 1) counted++;
      s = sys.step(s, ts[sched.choose(ts, step)] as T).state;
    }
    k = Math.max(k, counted);
  }
  return k;
}
