// The parallel search's coordinator with partitions in this thread: same results as the
// sequential search for any number of partitions, and recovery from a partition that dies.
import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../../explorer/exhaustive.js';
import { FingerprintTable, edgeBase, edgeKey, keyLevel, withChoice } from '../../explorer/fingerprint-table.js';
import { LevelPartition } from '../../explorer/level-partition.js';
import { PartitionLost, exploreParallel, rankEdges, shareSpares, type PartitionHost, type RemotePartition } from '../../explorer/parallel.js';
import type { TransitionSystem } from '../../explorer/system.js';
import { lostUpdate } from './systems.js';

/** Thrown by a system to make its partition die in the middle of a call (localHost turns it into PartitionLost). */
class Death extends Error {}

/**
 * Partitions in this thread; `die(index, call, n)` true makes that call fail as a dead thread
 * would; `sysFor(index, start)` is the system of partition `index`'s `start`-th start.
 */
function localHost<S, T>(sys: TransitionSystem<S, T>, size: number, die: (index: number, call: string, n: number) => boolean = () => false, sysFor: (index: number, start: number) => TransitionSystem<S, T> = () => sys): PartitionHost & { starts: number } {
  const started = new Map<number, number>();
  let calls = 0;
  const host = {
    size,
    starts: 0,
    start: async (index: number, table: SharedArrayBuffer, control: SharedArrayBuffer): Promise<RemotePartition> => {
      host.starts++;
      const nth = started.get(index) ?? 0;
      started.set(index, nth + 1);
      const part = new LevelPartition(sysFor(index, nth), new FingerprintTable(table), new Int32Array(control));
      const wrap =
        <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
        async (...a: A): Promise<R> => {
          if (die(index, name, calls++)) throw new PartitionLost(`partition ${index} died in ${name}`);
          try {
            return f(...a);
          } catch (e) {
            if (e instanceof Death) throw new PartitionLost(`partition ${index} died in the middle of ${name}`);
            throw e;
          }
        };
      return {
        seed: wrap('seed', (l, items) => part.seed(l, items)),
        expand: wrap('expand', () => part.expand()),
        settle: wrap('settle', () => part.settle()),
        assign: wrap('assign', (r, e, s) => part.assign(r, e, s)),
        drop: wrap('drop', (r) => part.drop(r)),
        adopt: wrap('adopt', (l, items) => part.adopt(l, items)),
        take: wrap('take', (r) => part.take(r)),
        retable: wrap('retable', (b) => part.retable(b)),
        close: async () => undefined,
      };
    },
  };
  return host;
}

// A grid walk with findings on states and edges: k counters, each 0..n; a finding per counter
// reaching n (state) and per step that makes two counters equal (edge).
type G = readonly number[];
function grid(k: number, n: number): TransitionSystem<G, number> {
  return {
    initial: () => Array.from({ length: k }, () => 0),
    enabled: (s) => s.flatMap((x, i) => (x < n ? [i] : [])),
    step: (s, t) => {
      const next = s.map((x, i) => (i === t ? x + 1 : x));
      const findings = next.some((x, i) => i !== t && x === next[t]) ? [{ key: `eq${next[t]}`, detail: { at: next.join(',') } }] : [];
      return { state: next, findings };
    },
    key: (s) => s.join(','),
    stateFindings: (s) => s.flatMap((x, i) => (x === n ? [{ key: `full${i}`, detail: s.join(',') }] : [])),
    outcome: (s) => (s.every((x) => x === n) ? 'done' : s.filter((x) => x === n).length === k - 1 && s.includes(0) ? `one-left:${s.indexOf(0)}` : undefined),
  };
}

const strip = (r: { outcomes: unknown; findings: unknown; distinct: number; transitions: number; complete: boolean }): unknown => ({
  outcomes: r.outcomes,
  findings: r.findings,
  distinct: r.distinct,
  transitions: r.transitions,
  complete: r.complete,
});

// grid's states with sleep sets (each counter but the first a group: the first's steps are in
// none, so states are still reached twice and have spare copies, and a canonical edge is often
// grouped; without grid's edge findings, which look at the other counters) and packing, so
// rebalancing moves states, and masks, as data
function sleepyGrid(k: number, n: number, sleep = true): TransitionSystem<G, number> {
  const g = grid(k, n);
  return {
    ...g,
    step: (s, t) => ({ state: g.step(s, t).state, findings: [] }),
    pack: (ss) => JSON.stringify(ss),
    unpack: (b) => JSON.parse(b as string) as G[],
    ...(sleep ? { sleep: { group: (_s: G, t: number) => (t === 0 ? -1 : t), conflicts: (c: number) => 1 << c } } : {}),
  };
}

describe('exploreParallel', () => {
  it("gives the sequential search's results and transition count with sleep sets, masks moved with states and restarts", async () => {
    const sys = sleepyGrid(4, 5);
    const seq = exploreExhaustive(sys);
    const plain = exploreExhaustive(sleepyGrid(4, 5, false));
    expect(seq.transitions).toBeLessThan(plain.transitions);
    expect({ ...(strip(seq) as object), transitions: 0 }).toEqual({ ...(strip(plain) as object), transitions: 0 });
    for (const size of [2, 3]) {
      const host = { ...localHost(sys, size), transfers: true };
      const par = await exploreParallel(host);
      expect(par.stats.moved, `${size}`).toBeGreaterThan(0);
      expect(par.stats.reassigned, `${size}`).toBeGreaterThan(0);
      expect(strip(par), `${size}`).toEqual(strip(seq));
    }
    for (const phase of ['expand', 'assign', 'seed']) {
      let died = 0;
      const host = localHost(sys, 2, (index, call, n) => index === 1 && call === phase && (phase === 'seed' || n > 12) && died++ < 2);
      const par = await exploreParallel(host);
      expect(died, phase).toBeGreaterThan(0);
      expect(strip(par), phase).toEqual(strip(seq));
    }
  });
  for (const size of [1, 2, 3, 5]) {
    it(`gives the sequential search's outcomes, findings, witnesses and counts with ${size} partition(s)`, async () => {
      for (const sys of [grid(3, 4), grid(4, 3), lostUpdate(3)] as TransitionSystem<unknown, unknown>[]) {
        const seq = exploreExhaustive(sys);
        const par = await exploreParallel(localHost(sys, size));
        expect(strip(par)).toEqual(strip(seq));
      }
    });
  }
  it('balances the frontier over the partitions', async () => {
    const par = await exploreParallel(localHost(grid(4, 6), 3));
    expect(par.stats.moved + par.stats.reassigned).toBeGreaterThan(0);
    expect(par.stats.worstShare).toBeLessThan(0.6);
  });
  it('evens shares out with spare copies, spread over the donor ranks, and only where one is held', () => {
    const owned = [[0, 1, 2, 3, 4, 5], [6]];
    // partition 1 holds spares of ranks 1, 3 and 5 (and of 6, its own)
    expect(shareSpares(owned, [[], [1, 3, 5, 6]])).toBe(2);
    expect(owned).toEqual([[0, 2, 4, 5], [1, 3, 6]]);
    const none = [[0, 1, 2, 3], [4]];
    expect(shareSpares(none, [[4], [7]])).toBe(0);
    expect(none).toEqual([[0, 1, 2, 3], [4]]);
  });
  it('restarts a partition that dies in any phase, losing and double-counting nothing', async () => {
    const sys = grid(4, 5);
    const seq = exploreExhaustive(sys);
    for (const phase of ['expand', 'settle', 'assign', 'seed']) {
      let died = 0;
      const host = localHost(sys, 2, (index, call, n) => index === 1 && call === phase && (phase === 'seed' || n > 12) && died++ < 2);
      const par = await exploreParallel(host);
      expect(died, phase).toBeGreaterThan(0);
      expect(par.stats.restarts, phase).toBe(Math.min(died, 2));
      expect(strip(par), phase).toEqual(strip(seq));
    }
  });
  it('restarts a partition that dies in the middle of an expansion, after some of its claims', async () => {
    const sys = grid(4, 5);
    const seq = exploreExhaustive(sys);
    let steps = 0;
    // partition 1's first thread dies at its 300th step (in its level-4 or level-5 expansion):
    // the claims it made stay in the table, and its successor claims the same edges again
    const dying: TransitionSystem<G, number> = {
      ...sys,
      step: (s, t) => {
        if (++steps === 300) throw new Death();
        return sys.step(s, t);
      },
    };
    const host = localHost(sys, 2, () => false, (index, start) => (index === 1 && start === 0 ? dying : sys));
    const par = await exploreParallel(host);
    expect(steps).toBeGreaterThanOrEqual(300);
    expect(par.stats.restarts).toBe(1);
    expect(strip(par)).toEqual(strip(seq));
  });
  it('grows the table when a level would overflow it, with the same result', async () => {
    const sys = grid(5, 4); // 3125 states: past the first table's comfortable load in one level
    const seq = exploreExhaustive(sys);
    const par = await exploreParallel(localHost(sys, 2));
    expect(strip(par)).toEqual(strip(seq));
  });
  it('stops at max-states with an incomplete result', async () => {
    const par = await exploreParallel(localHost(grid(4, 5), 2), { maxStates: 100 });
    expect(par.complete).toBe(false);
    expect(par.stopped).toBe('max-states');
  });
  it('stops when cancelled', async () => {
    const par = await exploreParallel(localHost(grid(5, 5), 2), { cancelled: () => true });
    expect(par.complete).toBe(false);
    expect(par.stopped).toBe('cancelled');
  });
});

describe('FingerprintTable', () => {
  it('keeps the least edge key of a level and reports states of earlier levels as old', () => {
    const t = FingerprintTable.create(16);
    expect(t.claim(7, edgeKey(2, 5, 1))).toEqual({ old: false, inserted: true, lowest: true });
    expect(t.claim(7, edgeKey(2, 3, 9))).toEqual({ old: false, inserted: false, lowest: true });
    expect(t.claim(7, edgeKey(2, 4, 0))).toEqual({ old: false, inserted: false, lowest: false });
    expect(t.key(7)).toBe(edgeKey(2, 3, 9));
    // the same edge again (a partition redoing a level after a restart): its copy is still the one to keep
    expect(t.claim(7, edgeKey(2, 3, 9))).toEqual({ old: false, inserted: false, lowest: true });
    expect(t.claim(7, edgeKey(3, 0, 0))).toEqual({ old: true, inserted: false, lowest: false });
    expect(keyLevel(t.key(7) as bigint)).toBe(2);
    // colliding home slots probe on
    expect(t.claim(7 + 16, edgeKey(3, 0, 0)).inserted).toBe(true);
    expect(t.key(7 + 16)).toBe(edgeKey(3, 0, 0));
    expect(t.key(8)).toBeUndefined();
    // edgeOf reads the key's edge part without BigInts
    expect(t.edgeOf(7)).toBe(3 * 65536 + 9);
    expect(t.edgeOf(7 + 16)).toBe(0);
    expect(t.edgeOf(8)).toBe(-1);
    t.claim(2 ** 40 + 5, edgeKey(1, 70000, 3));
    expect(t.edgeOf(2 ** 40 + 5)).toBe(70000 * 65536 + 3);
    expect(withChoice(edgeBase(4, 9), 300)).toBe(edgeKey(4, 9, 300));
  });
  it('rebuilds into a larger table with the same entries below a level as re-claiming them gives', () => {
    const t = FingerprintTable.create(64);
    const fps: number[] = [];
    let x = 7;
    for (let i = 0; i < 30; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      fps.push(i % 3 === 0 ? i : x * 0x200000 + i); // small and 53-bit fingerprints
    }
    fps.forEach((fp, i) => t.claim(fp, edgeKey(i % 5, 1000 + i, i % 7)));
    const { table: r, count } = t.rebuilt(256, 3);
    const expected = FingerprintTable.create(256);
    for (const [fp, key] of t.entriesBelow(3)) expected.claim(fp, key);
    expect(count).toBe([...t.entriesBelow(3)].length);
    expect(count).toBe(fps.filter((_, i) => i % 5 < 3).length);
    for (const fp of [...fps, 12345]) expect(r.key(fp)).toBe(expected.key(fp));
    expect(r.capacity).toBe(256);
  });
  it('keeps only the levels below a given one when rebuilt', () => {
    const t = FingerprintTable.create(8);
    t.claim(1, edgeKey(0, 0, 0));
    t.claim(2, edgeKey(1, 0, 0));
    t.claim(3, edgeKey(2, 0, 1));
    expect([...t.entriesBelow(2)].map(([fp]) => fp).sort()).toEqual([1, 2]);
  });
});

describe('rankEdges', () => {
  it('merges sorted edges of partitions into ranks, parents and choices', () => {
    const r = rankEdges([new Float64Array([0 * 65536 + 1, 2 * 65536]), new Float64Array([0 * 65536 + 3, 1 * 65536 + 2])]);
    expect(r.size).toBe(4);
    expect([...r.level.parent]).toEqual([0, 0, 1, 2]);
    expect([...r.level.choice]).toEqual([1, 3, 2, 0]);
    expect(r.perPartition.map((p) => [...p])).toEqual([
      [0, 3],
      [1, 2],
    ]);
  });
});
