// The generic symmetry reduction on a toy system of k identical threads, each doing
// `r = x; x = r + 1`: searching the quotient and expanding its results gives exactly the
// outcomes and findings of the full search, with witnesses of the same (shortest) length that
// replay to their keys, with or without the model's transition map.
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, replay, type ExplorationResult } from '../../explorer/exhaustive.js';
import { expandQuotient, quotientSystem, type Perm, type Symmetry } from '../../explorer/symmetry.js';
import type { TransitionSystem } from '../../explorer/system.js';

interface St {
  readonly x: number;
  readonly pc: readonly number[];
  readonly r: readonly number[];
}
interface Tr {
  readonly thread: number;
}

// `shown`: the threads whose register the outcome shows (all of them, or only some: then
// outcomes do not follow permutations).
function increments(k: number, shown: readonly number[]): TransitionSystem<St, Tr> {
  return {
    initial: () => ({ x: 0, pc: new Array<number>(k).fill(0), r: new Array<number>(k).fill(0) }),
    enabled: (s) => s.pc.flatMap((p, thread) => (p < 2 ? [{ thread }] : [])),
    step: (s, t) => {
      const pc = [...s.pc];
      const r = [...s.r];
      let x = s.x;
      const findings = [];
      if (pc[t.thread] === 0) r[t.thread] = x;
      else {
        // an increment that overwrites another thread's: the finding names the thread
        if (x !== r[t.thread]) findings.push({ key: `lost:T${t.thread}`, detail: t.thread });
        x = (r[t.thread] as number) + 1;
      }
      pc[t.thread] = (pc[t.thread] as number) + 1;
      return { state: { x, pc, r }, findings };
    },
    key: (s) => JSON.stringify(s),
    stateFindings: (s) => (s.pc.every((p) => p === 2) && s.x === 1 ? [{ key: 'only-one', detail: null }] : []),
    outcome: (s) => (s.pc.every((p) => p === 2) ? `x=${s.x};${shown.map((i) => `r${i}=${s.r[i] as number}`).join(';')}` : undefined),
    outcomeDetail: (s) => s.x,
  };
}

// `descending`: representatives sort threads by decreasing pc, so the thread that just stepped
// moves to the front and the last step of a witness usually permutes (its edge finding is then in
// the frame of the state before that permutation).
function symmetry(k: number, shown: readonly number[], map: boolean | 'wrong', descending = false): Symmetry<St, Tr> {
  const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
  const apply = (s: St, g: Perm): St => {
    const pc = new Array<number>(k);
    const r = new Array<number>(k);
    g.forEach((to, i) => {
      pc[to] = s.pc[i] as number;
      r[to] = s.r[i] as number;
    });
    return { x: s.x, pc, r };
  };
  return {
    classes: [Array.from({ length: k }, (_, i) => i)],
    group: perms(Array.from({ length: k }, (_, i) => i)),
    canon: (s) => {
      const sign = descending ? -1 : 1;
      const order = s.pc.map((_, i) => i).sort((a, b) => sign * ((s.pc[a] as number) - (s.pc[b] as number) || (s.r[a] as number) - (s.r[b] as number)) || a - b);
      const g: number[] = new Array<number>(k);
      order.forEach((i, slot) => {
        g[i] = slot;
      });
      return { state: apply(s, g), perm: g };
    },
    apply,
    findingKey: (key, g) => key.replace(/T(\d+)/, (_, i: string) => `T${g[Number(i)] as number}`),
    final: (s) => s.pc.every((p) => p === 2),
    outcomesFollow: shown.length === k,
    ...(map === true ? { mapTransition: (_s: St, t: Tr, g: Perm) => ({ thread: g[t.thread] as number }) } : {}),
    // a wrong map: another thread of apply(s, g) that can step, where there is one
    ...(map === 'wrong'
      ? {
          mapTransition: (s: St, t: Tr, g: Perm) => {
            const right = g[t.thread] as number;
            const other = apply(s, g).pc.findIndex((p, i) => p < 2 && i !== right);
            return { thread: other < 0 ? right : other };
          },
        }
      : {}),
  };
}

const keys = (r: ExplorationResult): unknown => ({ outcomes: r.outcomes.map((w) => [w.key, w.detail, w.trace.choices.length]), findings: r.findings.map((w) => [w.key, w.trace.choices.length]) });

describe('symmetry reduction (generic)', () => {
  for (const [shown, map, descending] of [
    [[0, 1, 2], true, false],
    [[0, 1, 2], false, false],
    [[0], true, false],
    [[0, 1, 2], true, true],
    [[0], false, true],
    [[0, 1, 2], 'wrong', false],
  ] as const) {
    it(`k=3, outcomes showing r${shown.join(',r')}, ${map === 'wrong' ? 'with a wrong' : map ? 'with' : 'without'} the transition map${descending ? ', representatives by decreasing pc' : ''}`, () => {
      const sys = increments(3, shown);
      const sym = symmetry(3, shown, map, descending);
      const full = exploreExhaustive(sys);
      const q = exploreExhaustive(quotientSystem(sys, sym));
      const r = expandQuotient(sys, sym, q);
      expect(q.distinct).toBeLessThan(full.distinct);
      expect(keys(r)).toEqual(keys(full));
      expect(r.findings.map((f) => f.key)).toEqual(['lost:T0', 'lost:T1', 'lost:T2', 'only-one']);
      for (const w of r.outcomes) {
        const rp = replay(sys, w.trace);
        if (!rp.ok) throw new Error(rp.message);
        expect(sys.outcome(rp.states[rp.states.length - 1] as St)).toBe(w.key);
      }
      for (const w of r.findings) {
        const rp = replay(sys, w.trace);
        if (!rp.ok) throw new Error(rp.message);
        const shownKeys = [...(rp.findings[rp.findings.length - 1] ?? []), ...sys.stateFindings(rp.states[rp.states.length - 1] as St)].map((f) => f.key);
        expect(shownKeys).toContain(w.key);
      }
      // deterministic: the same result again
      expect(expandQuotient(sys, sym, exploreExhaustive(quotientSystem(sys, sym)))).toEqual(r);
      // and the search with its last steps handed to another search comes out the same
      const handed = exploreExhaustive(quotientSystem(sys, sym), {}, { handOffAfter: 3 });
      expect(handed.handoff?.frontier.length).toBeGreaterThan(0);
    });
  }
  it('says so when a permutation moves the initial state', () => {
    const sys = increments(2, [0, 1]);
    const bad: TransitionSystem<St, Tr> = { ...sys, initial: () => ({ x: 0, pc: [0, 1], r: [0, 0] }) };
    const sym = symmetry(2, [0, 1], true);
    expect(() => expandQuotient(bad, sym, exploreExhaustive(quotientSystem(bad, sym)))).toThrow(/moves the initial state/);
  });
});
