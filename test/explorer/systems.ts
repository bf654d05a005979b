// Small generic transition systems whose failing schedules are known, for the random explorer
// and the shrinker.
import type { TransitionSystem } from '../../explorer/system.js';

/** A step of thread `thread` (0: A, 1: B, 2: the noise thread C). */
export interface Step {
  readonly thread: number;
}

/** Lost update: x, A's and B's pc and register, C's pc. */
export interface LuState {
  readonly x: number;
  readonly pc: readonly [number, number, number];
  readonly r: readonly [number, number];
}

/**
 * A and B each do `r = x; x = r + 1`; C does `noise` steps that touch nothing. The finding
 * `lost-update` holds when A and B are done and x is 1. Its shortest schedules take 4 steps; the
 * ones with fewest context switches have 2 (A reads, B reads and writes, A writes; or mirrored).
 */
export function lostUpdate(noise: number): TransitionSystem<LuState, Step> {
  const len = [2, 2, noise];
  return {
    initial: () => ({ x: 0, pc: [0, 0, 0], r: [0, 0] }),
    enabled: (s) => [0, 1, 2].filter((t) => (s.pc[t] as number) < (len[t] as number)).map((thread) => ({ thread })),
    step: (s, t) => {
      const pc = [...s.pc] as [number, number, number];
      const r = [...s.r] as [number, number];
      let x = s.x;
      if (t.thread < 2) {
        if (pc[t.thread] === 0) r[t.thread] = x;
        else x = (r[t.thread] as number) + 1;
      }
      pc[t.thread] = (pc[t.thread] as number) + 1;
      return { state: { x, pc, r }, findings: [] };
    },
    key: (s) => JSON.stringify(s),
    stateFindings: (s) => (s.pc[0] === 2 && s.pc[1] === 2 && s.x === 1 ? [{ key: 'lost-update', detail: null }] : []),
    outcome: (s) => (s.pc[0] === 2 && s.pc[1] === 2 && s.pc[2] === noise ? `x=${s.x}` : undefined),
    actor: (t) => t.thread,
  };
}

/**
 * Starvation: A and B each take `n` steps; the finding `starved` holds when A has finished
 * before B started. A uniform choice per step finds it with probability 2^-n; PCT whenever A
 * has the higher priority and no change point falls in A's run.
 */
export function starvation(n: number): TransitionSystem<readonly [number, number], Step> {
  return {
    initial: () => [0, 0],
    enabled: (s) => [0, 1].filter((t) => (s[t] as number) < n).map((thread) => ({ thread })),
    step: (s, t) => ({ state: t.thread === 0 ? [s[0] + 1, s[1]] : [s[0], s[1] + 1], findings: [] }),
    key: (s) => s.join(','),
    stateFindings: (s) => (s[0] === n && s[1] === 0 ? [{ key: 'starved', detail: null }] : []),
    outcome: (s) => (s[0] === n && s[1] === n ? 'done' : undefined),
    actor: (t) => t.thread,
  };
}
