// The shrinker: minimal steps, then minimal context switches, on systems whose minimal failing
// schedules are known.
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, replay } from '../../explorer/exhaustive.js';
import { firstRun, type RandomConfig } from '../../explorer/random.js';
import { attempt, contextSwitches, shrink } from '../../explorer/shrink.js';
import { deepEqual } from '../../explorer/system.js';
import type { Trace } from '../../explorer/system.js';
import { lostUpdate, type Step } from './systems.js';

const sys = lostUpdate(6);
const A: Step = { thread: 0 };
const B: Step = { thread: 1 };
const C: Step = { thread: 2 };

// The choices of a schedule given as threads (every thread is enabled until done, in thread order).
function traceOf(threads: Step[]): Trace {
  let s = sys.initial();
  const choices: number[] = [];
  for (const w of threads) {
    const ts = sys.enabled(s);
    const c = ts.findIndex((t) => t.thread === w.thread);
    if (c < 0) throw new Error('not enabled');
    choices.push(c);
    s = sys.step(s, ts[c] as Step).state;
  }
  return { version: 1, choices };
}

describe('shrink', () => {
  it('removes the noise and the extra switch of a hand-made failing schedule', () => {
    // A.read C B.read C A.write B.write: ddmin alone leaves A B A B (3 switches); 2 is minimal.
    const original = traceOf([A, C, B, C, C, A, C, B, C, C]);
    const r = shrink(sys, original, { kind: 'finding', key: 'lost-update' });
    expect(r.original.steps).toBe(10);
    expect(r.minimal.steps).toBe(4);
    expect(r.minimal.switches).toBe(2);
    expect(r.minimal.transitions.filter((t) => t.thread === 2)).toEqual([]);
    const rp = replay(sys, r.minimal.trace);
    if (!rp.ok) throw new Error(rp.message);
    const last = rp.states[rp.states.length - 1];
    expect(last === undefined ? [] : sys.stateFindings(last).map((f) => f.key)).toEqual(['lost-update']);
  });
  it('shrinks random failing runs (seeds 1..30) to the exhaustive shortest length and 2 switches', () => {
    const shortest = exploreExhaustive(sys).findings.find((f) => f.key === 'lost-update')?.trace.choices.length;
    expect(shortest).toBe(4);
    for (let seed = 1; seed <= 30; seed++) {
      const cfg: RandomConfig = { seed, scheduler: { kind: 'uniform' }, maxSteps: 100 };
      const run = firstRun(sys, cfg, 0, 200, (x) => x.findings.some((f) => f.key === 'lost-update'));
      if (run === undefined) throw new Error(`seed ${seed}: no failing run`);
      const r = shrink(sys, run.trace, { kind: 'finding', key: 'lost-update' });
      expect([r.minimal.steps, r.minimal.switches]).toEqual([4, 2]);
    }
  });
  it('shrinks to a goal on the final state: every thread must finish, C included', () => {
    const original = traceOf([C, A, C, B, C, A, C, B, C, C]);
    const r = shrink(sys, original, { kind: 'goal', holds: (s) => s.x === 1 });
    expect(r.minimal.steps).toBe(10);
    // C's six steps in one block plus A B B A: C|A|B|A or A|B|B|A|C... at least 3 switches
    expect(r.minimal.switches).toBe(3);
  });
  it('rejects a trace that does not fail', () => {
    expect(() => shrink(sys, traceOf([A, A, B, B]), { kind: 'finding', key: 'lost-update' })).toThrow(/\[internal\]/);
  });
});

describe('attempt', () => {
  it('skips transitions that are no longer enabled, and stops at the failure', () => {
    const r = attempt(sys, { kind: 'finding', key: 'lost-update' }, [A, B, B, B, A, C, C]);
    expect(r?.transitions).toEqual([A, B, B, A]);
    expect(attempt(sys, { kind: 'finding', key: 'lost-update' }, [A, A, B, B])).toBeUndefined();
  });
});

describe('helpers', () => {
  it('deepEqual compares plain data structurally', () => {
    expect(deepEqual({ k: 'exec', cpu: 1, via: { kind: 'tlb', desc: 3 } }, { k: 'exec', cpu: 1, via: { kind: 'tlb', desc: 3 } })).toBe(true);
    expect(deepEqual({ k: 'exec', cpu: 1 }, { k: 'exec', cpu: 1, via: undefined })).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
  });
  it('counts context switches by actor', () => {
    expect(contextSwitches(sys, [A, A, B, C, C, A])).toBe(3);
    expect(contextSwitches(sys, [])).toBe(0);
  });
});
