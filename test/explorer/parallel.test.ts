// The parallel search's coordinator with partitions in this thread: same results as the
// sequential search for any number of partitions, and recovery from a partition that dies.
import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../../explorer/exhaustive.js';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FingerprintTable } from '../../explorer/fingerprint-table.js';
import { distFile } from '../dist.js';
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
        settle: wrap('settle', (c) => part.settle(c)),
        assign: wrap('assign', (r, e, s) => part.assign(r, e, s)),
        drop: wrap('drop', (r) => part.drop(r)),
        adopt: wrap('adopt', (l, items) => part.adopt(l, items)),
        take: wrap('take', (r) => part.take(r)),
        retable: wrap('retable', (src, dst, from, to, level) => part.retable(src, dst, from, to, level)),
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

// Counters mod m, each stepped by 1 or 2: states are reached again at later levels (a grid's are
// not), so a search must remember every earlier level, also across a growth of its table.
type R = readonly number[];
function ring(k: number, m: number): TransitionSystem<R, number> {
  return {
    initial: () => Array.from({ length: k }, () => 0),
    enabled: (s) => s.flatMap((_, i) => [2 * i, 2 * i + 1]),
    step: (s, t) => ({ state: s.map((x, i) => (i === t >> 1 ? (x + 1 + (t & 1)) % m : x)), findings: [] }),
    key: (s) => s.join(','),
    stateFindings: (s) => (s.every((x) => x === m - 1) ? [{ key: 'top', detail: null }] : []),
    outcome: (s) => (s[0] === s[1] ? `same:${s[0]}` : undefined),
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

// sleepyGrid's states kept as words (a state is its counters) and moved as words: `pack` fails,
// so every move must go as packEncoded data
function wordyGrid(k: number, n: number): TransitionSystem<G, number> {
  const g = sleepyGrid(k, n);
  return {
    ...g,
    encode: (s) => s,
    decode: (w, at) => Array.from(w.subarray(at, at + k)),
    pack: () => {
      throw new Error('moved as states, not words');
    },
    packEncoded: (w, at) => JSON.stringify(at.map((a) => Array.from(w.subarray(a, a + k)))),
    unpackEncoded: (b) => {
      const ss = JSON.parse(b as string) as number[][];
      return { words: Int32Array.from(ss.flat()), at: Array.from({ length: ss.length + 1 }, (_, i) => i * k) };
    },
  };
}

describe('exploreParallel', () => {
  it("gives the sequential search's results with states moved as words", async () => {
    const sys = wordyGrid(4, 5);
    const seq = exploreExhaustive(sys);
    expect(strip(seq)).toEqual(strip(exploreExhaustive(sleepyGrid(4, 5))));
    for (const size of [2, 3]) {
      const par = await exploreParallel({ ...localHost(sys, size), transfers: true });
      expect(par.stats.moved, `${size}`).toBeGreaterThan(0);
      expect(strip(par), `${size}`).toEqual(strip(seq));
    }
    let died = 0;
    const par = await exploreParallel({ ...localHost(sys, 2, (index, call) => index === 1 && call === 'adopt' && died++ < 2), transfers: true });
    expect(died).toBeGreaterThan(0);
    expect(strip(par)).toEqual(strip(seq));
  });
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
    const u = (xs: number[][]): Uint32Array[] => xs.map((x) => Uint32Array.from(x));
    const owned = u([[0, 1, 2, 3, 4, 5], [6]]);
    // partition 1 holds spares of ranks 1, 3 and 5 (and of 6, its own)
    expect(shareSpares(owned, [[], [1, 3, 5, 6]])).toBe(2);
    expect(owned).toEqual(u([[0, 2, 4, 5], [1, 3, 6]]));
    const none = u([[0, 1, 2, 3], [4]]);
    expect(shareSpares(none, [[4], [7]])).toBe(0);
    expect(none).toEqual(u([[0, 1, 2, 3], [4]]));
  });
  it('restarts a partition that dies in any phase, losing and double-counting nothing', async () => {
    const sys = ring(4, 6);
    const seq = exploreExhaustive(sys);
    for (const phase of ['expand', 'settle', 'assign', 'seed', 'retable']) {
      let died = 0;
      const host = localHost(sys, 2, (index, call, n) => index === 1 && call === phase && (phase === 'seed' || n > 12) && died++ < 2);
      // (a small first table, so that it grows: partitions copy it over in `retable`)
      const par = await exploreParallel(host, {}, undefined, 64);
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
    const sys = grid(5, 4); // 3125 states, from a table of 64 slots: it grows several times
    const seq = exploreExhaustive(sys);
    const again = ring(4, 7); // 2401 states, each reached again over longer traces
    const seqAgain = exploreExhaustive(again);
    for (const partitions of [1, 2, 3]) {
      const par = await exploreParallel(localHost(sys, partitions), {}, undefined, 64);
      expect(strip(par), `${partitions} partitions`).toEqual(strip(seq));
      const parAgain = await exploreParallel(localHost(again, partitions), {}, undefined, 64);
      expect(strip(parAgain), `ring, ${partitions} partitions`).toEqual(strip(seqAgain));
    }
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
  const e = (rank: number, choice: number): number => rank * 65536 + choice;
  it('keeps the least edge of a level and reports states of earlier levels as old', () => {
    const t = FingerprintTable.create(16);
    expect(t.claim(7, 2, e(5, 1))).toEqual({ old: false, inserted: true, lowest: true, lowered: false });
    // a lower edge replaces the stored one: the first copy may have lost, so settle must look
    expect(t.claim(7, 2, e(3, 9))).toEqual({ old: false, inserted: false, lowest: true, lowered: true });
    expect(t.claim(7, 2, e(4, 0))).toEqual({ old: false, inserted: false, lowest: false, lowered: false });
    expect(t.key(7)).toEqual({ level: 2, edge: e(3, 9) });
    // the same edge again (a partition redoing a level after a restart): its copy is still the one
    // to keep, and counts as lowered (its first claim may have replaced another copy's edge)
    expect(t.claim(7, 2, e(3, 9))).toEqual({ old: false, inserted: false, lowest: true, lowered: true });
    expect(t.claim(7, 3, e(0, 0))).toEqual({ old: true, inserted: false, lowest: false, lowered: false });
    expect(t.key(7)).toEqual({ level: 2, edge: e(3, 9) });
    // colliding home slots probe on
    expect(t.claim(7 + 16, 3, 0).inserted).toBe(true);
    expect(t.key(7 + 16)).toEqual({ level: 3, edge: 0 });
    expect(t.key(8)).toBeUndefined();
    expect(t.edgeOf(7)).toBe(e(3, 9));
    expect(t.edgeOf(7 + 16)).toBe(0);
    expect(t.edgeOf(8)).toBe(-1);
    // 53-bit fingerprints, fingerprint 0 and edges past 32 bits
    t.claim(2 ** 53 - 2, 1, e(70000, 3));
    expect(t.edgeOf(2 ** 53 - 2)).toBe(e(70000, 3));
    expect(t.claim(0, 0, 0).inserted).toBe(true);
    expect(t.key(0)).toEqual({ level: 0, edge: 0 });
    expect(() => t.claim(9, 0x7fff, 0)).toThrow(/out of range/);
    expect(() => t.claim(9, 1, 2 ** 48)).toThrow(/out of range/);
  });
  it('rebuilds into a larger table with the same entries below a level as re-claiming them gives', () => {
    const t = FingerprintTable.create(64);
    const fps: number[] = [];
    let x = 7;
    for (let i = 0; i < 30; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      fps.push(i % 3 === 0 ? i : x * 0x200000 + i); // small and 53-bit fingerprints
    }
    fps.forEach((fp, i) => t.claim(fp, i % 5, e(1000 + i, i % 7)));
    const { table: r, count } = t.rebuilt(256, 3);
    const expected = FingerprintTable.create(256);
    for (const [fp, level, edge] of t.entriesBelow(3)) expected.claim(fp, level, edge);
    expect(count).toBe([...t.entriesBelow(3)].length);
    expect(count).toBe(fps.filter((_, i) => i % 5 < 3).length);
    for (const fp of [...fps, 12345]) expect(r.key(fp)).toEqual(expected.key(fp));
    expect(r.capacity).toBe(256);
  });
  it('keeps only the levels below a given one when rebuilt', () => {
    const t = FingerprintTable.create(8);
    t.claim(1, 0, 0);
    t.claim(2, 1, 0);
    t.claim(3, 2, 1);
    expect([...t.entriesBelow(2)].map(([fp]) => fp).sort()).toEqual([1, 2]);
  });
  it('keeps each fingerprint once, with its least edge, when threads claim the same ones at once', async () => {
    // Four threads claim 200 fingerprints in turn, each 50 times over with edges of their own that
    // fall as they go, at about the same time (they start together and go at about the same
    // pace): most claims lower a key that other threads are lowering too. Then the table must hold each fingerprint once, with the least edge
    // claimed for it, and each must have been inserted by exactly one claim and answered "lowest"
    // to the claim that stored its final edge. (Two claims' read and write of one key overlap for
    // a few instructions at most: this checks the table's invariants on real threads; it cannot
    // show that the slot lock is needed.)
    const threads = 4;
    const pool = 200;
    const perThread = pool * 50;
    const t = FingerprintTable.create(1 << 10);
    const gate = new SharedArrayBuffer(4);
    const url = pathToFileURL(distFile('explorer/fingerprint-table.js')).href;
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(${JSON.stringify(url)}).then(({ FingerprintTable }) => {
        const t = new FingerprintTable(workerData.buffer);
        // start together: every thread waits at the gate until all have arrived
        const gate = new Int32Array(workerData.gate);
        Atomics.add(gate, 0, 1);
        while (Atomics.load(gate, 0) < workerData.threads);
        const out = [];
        for (let k = 0; k < workerData.n; k++) {
          const fp = Math.floor(k / 50) * 7919 + 3;
          const edge = (workerData.n - k) * 4 + workerData.id; // falling, and distinct across threads
          const c = t.claim(fp, 1, edge);
          out.push(fp, edge, c.inserted ? 1 : 0, c.lowest ? 1 : 0);
        }
        parentPort.postMessage(out);
      });`;
    const results = await Promise.all(
      Array.from(
        { length: threads },
        (_, id) =>
          new Promise<number[]>((ok, fail) => {
            const w = new Worker(code, { eval: true, workerData: { buffer: t.buffer, gate, threads, n: perThread, pool, id } });
            w.once('message', (m: number[]) => void w.terminate().then(() => ok(m)));
            w.once('error', fail);
          }),
      ),
    );
    const least = new Map<number, number>();
    const inserts = new Map<number, number>();
    const lowestAtFinal = new Set<number>();
    for (const r of results) {
      for (let k = 0; k < r.length; k += 4) {
        const [fp, edge, ins] = [r[k] as number, r[k + 1] as number, r[k + 2] as number];
        least.set(fp, Math.min(least.get(fp) ?? Infinity, edge));
        inserts.set(fp, (inserts.get(fp) ?? 0) + ins);
      }
    }
    for (const r of results) for (let k = 0; k < r.length; k += 4) if (r[k + 3] === 1 && r[k + 1] === least.get(r[k] as number)) lowestAtFinal.add(r[k] as number);
    expect(least.size).toBe(pool);
    expect([...t.entriesBelow(2)].length).toBe(least.size);
    for (const [fp, edge] of least) {
      expect(t.key(fp)).toEqual({ level: 1, edge });
      expect(inserts.get(fp)).toBe(1);
    }
    expect(lowestAtFinal.size).toBe(least.size);
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
