// Sleep sets (explorer/sleep.ts): fewer transitions, the same states, outcomes, findings and
// witnesses; and a system that lies about what commutes loses states, so the checks can fail.
import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../../explorer/exhaustive.js';
import type { SleepSets, TransitionSystem } from '../../explorer/system.js';
import { lostUpdate, type LuState, type Step } from './systems.js';

// k counters, each counting 0..m on its own; a finding when all are 1.
function counters(k: number, m: number, sleep: boolean): TransitionSystem<readonly number[], number> {
  return {
    initial: () => new Array<number>(k).fill(0),
    enabled: (s) => s.flatMap((x, i) => (x < m ? [i] : [])),
    step: (s, t) => ({ state: s.map((x, i) => (i === t ? x + 1 : x)), findings: s[t] === 0 ? [{ key: `first-${t}`, detail: null }] : [] }),
    key: (s) => s.join(','),
    stateFindings: (s) => (s.every((x) => x === 1) ? [{ key: 'all-one', detail: null }] : []),
    outcome: (s) => (s.every((x) => x === m) ? 'done' : undefined),
    ...(sleep ? { reduce: () => undefined, sleep: { group: (_s, t) => t, conflicts: (g) => 1 << g } } : {}),
  };
}

const summary = (r: ReturnType<typeof exploreExhaustive>): unknown => ({ distinct: r.distinct, outcomes: r.outcomes, findings: r.findings });

describe('sleep sets', () => {
  it('enter each state of independent counters once, with the same states and witnesses', () => {
    const off = exploreExhaustive(counters(3, 2, false));
    const on = exploreExhaustive(counters(3, 2, true));
    expect(off.distinct).toBe(27);
    expect(off.transitions).toBe(3 * 2 * 9);
    expect(on.transitions).toBe(26);
    expect(summary(on)).toEqual(summary(off));
    expect(on.findings.map((f) => f.key)).toEqual(['all-one', 'first-0', 'first-1', 'first-2']);
  });

  // Lost update: A and B share x (they conflict), C touches nothing.
  const lu = (sets?: SleepSets<LuState, Step>): TransitionSystem<LuState, Step> => ({ ...lostUpdate(2), ...(sets === undefined ? {} : { sleep: sets }) });
  const right: SleepSets<LuState, Step> = { group: (_s, t) => t.thread, conflicts: (g) => (g === 2 ? 4 : 3) };
  it('keep every state where some steps conflict', () => {
    const off = exploreExhaustive(lu());
    const on = exploreExhaustive(lu(right));
    expect(summary(on)).toEqual(summary(off));
    expect(on.outcomes.map((o) => o.key)).toEqual(['x=1', 'x=2']);
    expect(on.transitions).toBeLessThan(off.transitions);
  });
  it('lose states when a system says conflicting steps commute (what the contract rules out)', () => {
    const off = exploreExhaustive(lu());
    const wrong = exploreExhaustive(lu({ group: (_s, t) => t.thread, conflicts: (g) => 1 << g }));
    expect(wrong.distinct).toBeLessThan(off.distinct);
  });
});
