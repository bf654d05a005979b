// Random exploration: determinism, independence of runs, merge by run index, PCT vs uniform, and
// the trace-token round trip.
import { describe, expect, it } from 'vitest';
import { replay } from '../../explorer/exhaustive.js';
import { estimateLength, pctScheduler } from '../../explorer/pct.js';
import { exploreRandom, firstRun, mergeSummaries, randomRun, type RandomConfig } from '../../explorer/random.js';
import { runStream } from '../../explorer/scheduler.js';
import { parseTraceToken, traceToken } from '../../explorer/system.js';
import { lostUpdate, starvation } from './systems.js';

const sys = lostUpdate(6);
const pct = (seed: number, depth = 3): RandomConfig => ({ seed, scheduler: { kind: 'pct', depth, length: estimateLength(sys, 100) }, maxSteps: 100 });
const uniform = (seed: number): RandomConfig => ({ seed, scheduler: { kind: 'uniform' }, maxSteps: 100 });

describe('random runs (seed 7)', () => {
  it('are a function of (seed, run index): the same twice, and run i alone equals run i in a range', () => {
    for (const cfg of [pct(7), uniform(7)]) {
      const a = [0, 1, 2, 3, 4, 5].map((i) => randomRun(sys, cfg, i));
      const b = [5, 4, 3, 2, 1, 0].map((i) => randomRun(sys, cfg, i)).reverse();
      expect(b).toEqual(a);
      // different runs draw different streams
      expect(new Set(a.map((r) => traceToken(r.trace))).size).toBeGreaterThan(1);
    }
  });
  it('summaries of any split of the runs merge into the summary of all of them', () => {
    const cfg = pct(7);
    const whole = exploreRandom(sys, cfg, 0, 60);
    const parts = [
      [0, 13],
      [13, 14],
      [14, 40],
      [40, 60],
    ].map(([a, b]) => exploreRandom(sys, cfg, a as number, b as number));
    const forward = parts.reduce(mergeSummaries);
    const backward = [...parts].reverse().reduce(mergeSummaries);
    expect(forward).toEqual(whole);
    expect(backward).toEqual(whole);
    expect(whole.runs).toBe(60);
    expect(whole.outcomes.map((o) => o.key)).toEqual(['x=1', 'x=2']);
    expect(whole.outcomes.reduce((n, o) => n + o.count, 0)).toBe(60);
  });
  it('end at an outcome, or when cut off at maxSteps', () => {
    const r = randomRun(sys, pct(7), 0);
    expect(r.end).toBe('outcome');
    expect(r.trace.choices.length).toBe(10);
    const cut = randomRun(sys, { ...pct(7), maxSteps: 3 }, 0);
    expect(cut.end).toBe('max-steps');
    expect(cut.trace.choices.length).toBe(3);
  });
  it('a found trace round-trips through its token and replays to the same finding and outcome', () => {
    const r = firstRun(sys, pct(7), 0, 1000, (x) => x.findings.some((f) => f.key === 'lost-update'));
    expect(r).toBeDefined();
    if (r === undefined) return;
    const token = traceToken(r.trace);
    expect(token).toMatch(/^v1:\d+(\.\d+)*$/);
    const parsed = parseTraceToken(token);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.trace).toEqual(r.trace);
    const rp = replay(sys, parsed.trace);
    if (!rp.ok) throw new Error(rp.message);
    const last = rp.states[rp.states.length - 1];
    expect(last === undefined ? undefined : sys.stateFindings(last).map((f) => f.key)).toEqual(['lost-update']);
    expect(last === undefined ? undefined : sys.outcome(last)).toBe(r.outcome);
  });
});

describe('PCT (seeds 1..200)', () => {
  const st = starvation(10);
  const k = estimateLength(st, 100);
  const hits = (cfg: (seed: number) => RandomConfig): number => {
    let n = 0;
    for (let seed = 1; seed <= 200; seed++) if (randomRun(st, cfg(seed), 0).findings.length > 0) n++;
    return n;
  };
  it('starves a thread for 10 steps far more often than uniform choice', () => {
    const p = hits((seed) => ({ seed, scheduler: { kind: 'pct', depth: 3, length: k }, maxSteps: 100 }));
    const u = hits((seed) => ({ seed, scheduler: { kind: 'uniform' }, maxSteps: 100 }));
    // uniform: 2^-10 per run, so about 0.2 in 200 runs; PCT: A must outrank B (1/2) and no
    // change point may fall in A's first 10 steps
    expect(p).toBeGreaterThanOrEqual(20);
    expect(u).toBeLessThanOrEqual(1);
  });
  it('with depth 1 runs one thread to completion, then the other', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sched = pctScheduler(st, runStream(seed, 0), 1, k);
      let s = st.initial();
      const order: number[] = [];
      for (let i = 0; st.outcome(s) === undefined; i++) {
        const ts = st.enabled(s);
        const t = ts[sched.choose(ts, i)];
        if (t === undefined) throw new Error('bad choice');
        order.push(t.thread);
        s = st.step(s, t).state;
      }
      const switches = order.filter((t, i) => i > 0 && t !== order[i - 1]).length;
      expect(switches).toBe(1);
    }
  });
  it("estimates k from the system alone: here both threads' 20 steps but the last 10 (one thread left)", () => {
    expect(k).toBeGreaterThanOrEqual(10);
    expect(k).toBeLessThan(20);
    expect(estimateLength(st, 100)).toBe(k);
  });
});
