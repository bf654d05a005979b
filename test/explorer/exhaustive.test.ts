import { describe, expect, it } from 'vitest';
import { exploreExhaustive, replay } from '../../explorer/exhaustive.js';
import { parseTraceToken, traceToken, type TransitionSystem } from '../../explorer/system.js';
import { lostUpdate, type LuState } from './systems.js';

// Two counters that each go 0..2; the finding fires when both are 1.
type S = readonly [number, number];
const counters: TransitionSystem<S, 0 | 1> = {
  initial: () => [0, 0],
  enabled: (s) => ([0, 1] as const).filter((i) => s[i] < 2),
  step: (s, t) => ({ state: t === 0 ? [s[0] + 1, s[1]] : [s[0], s[1] + 1], findings: [] }),
  key: (s) => s.join(','),
  stateFindings: (s) => (s[0] === 1 && s[1] === 1 ? [{ key: 'both-one', detail: null }] : []),
  outcome: (s) => (s[0] === 2 && s[1] === 2 ? 'done' : undefined),
};

describe('exploreExhaustive', () => {
  it('visits each distinct state once and finds the outcome', () => {
    const r = exploreExhaustive(counters);
    expect(r.distinct).toBe(9);
    expect(r.complete).toBe(true);
    expect(r.outcomes.map((o) => o.key)).toEqual(['done']);
    expect(r.outcomes[0]?.trace.choices.length).toBe(4);
  });
  it('gives the shortest, then first-in-order, witness', () => {
    const r = exploreExhaustive(counters);
    // (1,1) is two steps away; [0,1] (P0 first) precedes [1,0] in choice order.
    expect(r.findings[0]?.trace.choices).toEqual([0, 1]);
  });
  it('stops at max-states and says so', () => {
    const r = exploreExhaustive(counters, { maxStates: 4 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('max-states');
    expect(r.outcomes).toEqual([]);
  });
  it('replays a witness to its state and rejects a bad choice', () => {
    const r = exploreExhaustive(counters);
    const w = r.findings[0];
    if (w === undefined) throw new Error('no finding');
    const rp = replay(counters, w.trace);
    expect(rp.ok && rp.states[rp.states.length - 1]).toEqual([1, 1]);
    const bad = replay(counters, { version: 1, choices: [0, 0, 0, 0, 5] });
    expect(bad.ok).toBe(false);
  });
});

describe('a frontier kept as words', () => {
  it('gives the same states, outcomes, findings and witnesses as one kept as objects, and hands off the same frontier', () => {
    const sys = lostUpdate(3);
    const coded = { ...sys, encode: (s: LuState) => [s.x, ...s.pc, ...s.r], decode: (w: Int32Array, at: number): LuState => ({ x: w[at] as number, pc: [w[at + 1] as number, w[at + 2] as number, w[at + 3] as number], r: [w[at + 4] as number, w[at + 5] as number] }) };
    const a = exploreExhaustive(sys);
    const b = exploreExhaustive(coded);
    expect(b).toEqual(a);
    expect(a.distinct).toBeGreaterThan(30);
    const ha = exploreExhaustive(sys, {}, { handOffAfter: 20 }).handoff;
    const hb = exploreExhaustive(coded, {}, { handOffAfter: 20 }).handoff;
    expect(hb).toEqual(ha);
    expect(ha?.frontier.length).toBeGreaterThan(0);
  });
});

describe('trace tokens', () => {
  it('round-trips', () => {
    const t = { version: 1 as const, choices: [3, 0, 7, 1] };
    expect(traceToken(t)).toBe('v1:3.0.7.1');
    const p = parseTraceToken('v1:3.0.7.1');
    expect(p.ok && p.trace.choices).toEqual([3, 0, 7, 1]);
    const e = parseTraceToken('v1:');
    expect(e.ok && e.trace.choices).toEqual([]);
  });
  it('rejects other versions and garbage clearly', () => {
    const v = parseTraceToken('v2:1.2');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toMatch(/version v2/);
    expect(parseTraceToken('1.2.3').ok).toBe(false);
  });
});
