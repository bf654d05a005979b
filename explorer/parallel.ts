// Parallel exhaustive exploration: a level-synchronous breadth-first search whose levels are split
// over partitions (worker threads, see workers/explore-host.ts) sharing one fingerprint table.
// This thread keeps only the search tree's shape: for every state, the rank of its parent and the
// choice that reached it, so any state's trace can be rebuilt, and witnesses and ranks come out
// the same as the sequential search's (explorer/exhaustive.ts) for any number of partitions.
//
// Per level: every partition expands its share of the frontier; then each keeps the successors
// whose canonical edge (the table's minimum) it generated; this thread merges their edges into
// ranks (edge order = the sequential visiting order) and, when the shares have drifted apart,
// moves states between partitions: as packed data when the system packs states (host.transfers),
// else the receiver rebuilds them by replaying their traces. A partition that dies is restarted
// and rebuilt by replay; claims in the table are idempotent and counts are taken from reports, so
// nothing is lost or counted twice. A search may also start where a sequential one handed off
// (ParallelStart): its levels and fingerprints fill the table, its frontier is adopted as data.

import type { Budget, ExplorationResult, Handoff, Witnessed } from './exhaustive.js';
import { FingerprintTable, edgeOfChoice } from './fingerprint-table.js';
import { CONTROL, STOP, keyFingerprint, noteWitness, type PartitionApi, type PlacedWitness, type SeedItem, type SettleReport, type StateBatch } from './level-partition.js';
import type { Trace, TransitionSystem } from './system.js';

/** A partition in another thread: the same calls, answered asynchronously. */
export type RemotePartition = { [K in keyof PartitionApi]: (...a: Parameters<PartitionApi[K]>) => Promise<ReturnType<PartitionApi[K]>> } & {
  /** ends the partition's thread task */
  close(): Promise<void>;
};

/** Thrown by a remote call whose partition's thread died. */
export class PartitionLost extends Error {}

/** Starts partitions (one per worker thread); the coordinator asks again for one that died. */
export interface PartitionHost {
  readonly size: number;
  /** the partitions' system packs and unpacks states: rebalancing moves states as data, not by replaying traces */
  readonly transfers?: boolean;
  start(index: number, table: SharedArrayBuffer, control: SharedArrayBuffer): Promise<RemotePartition>;
}

/** Statistics of a parallel search, beyond the result. */
export interface ParallelStats {
  readonly levels: number;
  readonly restarts: number;
  /** states moved between partitions to balance the load */
  readonly moved: number;
  /** states expanded by a partition that held a spare copy, to balance the load without moving them */
  readonly reassigned: number;
  /** largest share of a level's states held by one partition, over levels with at least 1000 states */
  readonly worstShare: number;
}

interface Level {
  readonly parent: Uint32Array;
  readonly choice: Uint16Array;
}

/**
 * Where a parallel search starts when a sequential one handed off (exploreExhaustive's
 * `handOffAfter`): its levels, the fingerprints it knows, its frontier as data, and what it found.
 */
export interface ParallelStart {
  readonly level: number;
  readonly levels: readonly Level[];
  /** (fingerprint, level, edge) of every state of levels 0..level */
  readonly known: readonly (readonly [number, number, number])[];
  /** the frontier, one packed batch of contiguous ranks per partition */
  readonly frontier: readonly StateBatch[];
  readonly outcomes: readonly Witnessed[];
  readonly findings: readonly Witnessed[];
  readonly transitions: number;
}

/**
 * The start of a parallel search over `partitions` partitions from a sequential one that handed
 * off (its system must pack states).
 */
export function parallelStart<S, T>(sys: TransitionSystem<S, T>, probe: ExplorationResult & { handoff?: Handoff<S> }, partitions: number): ParallelStart {
  const h = probe.handoff;
  const pack = sys.pack;
  if (h === undefined || pack === undefined) throw new Error('[internal] parallelStart needs a handoff from a system that packs states');
  const size = h.frontier.length;
  return {
    level: h.level,
    levels: h.levels,
    known: h.known.map((k) => [keyFingerprint(k.key), k.level, edgeOfChoice(k.parentRank, k.choice)] as const),
    frontier: Array.from({ length: partitions }, (_, w) => {
      const from = Math.floor((w * size) / partitions);
      const to = Math.floor(((w + 1) * size) / partitions);
      return { ranks: Array.from({ length: to - from }, (_, i) => from + i), data: pack.call(sys, h.frontier.slice(from, to)), sleeps: h.frontierSleep.slice(from, to) };
    }),
    outcomes: probe.outcomes,
    findings: probe.findings,
    transitions: probe.transitions,
  };
}

/**
 * New states a level may add per frontier state, for sizing the table ahead of it: a level that
 * adds more fills it past MAX_LOAD only when it also started half full, and is then redone in a
 * larger one. (At 8, and grown to a quarter full, the 6-CPU SC fixmap search ended in a table of
 * 4M slots, 9% full: 64 MB of shared memory whose first touches alone, at about 14 us a page on
 * this machine, cost a quarter of a second; its levels add 0.2-4.3 states per frontier state.)
 */
const GROWTH = 4;

const STOP_NAMES: Record<number, ExplorationResult['stopped']> = {
  [STOP.cancelled]: 'cancelled',
  [STOP.timeout]: 'timeout',
  [STOP.maxStates]: 'max-states',
  [STOP.maxMemory]: 'max-memory',
};

/** Explores every reachable state with the partitions of `host`; see the file comment. */
export async function exploreParallel(
  host: PartitionHost,
  budget: Budget = {},
  start?: ParallelStart,
  /** the fingerprint table's first capacity (a power of two), for tests that make it grow */
  tableCapacity = 1 << 16,
): Promise<ExplorationResult & { stats: ParallelStats }> {
  const n = host.size;
  if (start !== undefined && start.frontier.length !== n) throw new Error(`[internal] a start for ${start.frontier.length} partitions on ${n}`);
  const startSize = start === undefined ? 0 : start.frontier.reduce((a, b) => a + b.ranks.length, 0);
  let cap = tableCapacity;
  while (start !== undefined && cap / 2 < start.known.length + startSize * GROWTH) cap *= 2;
  let table = FingerprintTable.create(cap);
  for (const [fp, lvl, edge] of start?.known ?? []) table.claim(fp, lvl, edge);
  const controlBuffer = new SharedArrayBuffer(CONTROL.size * 4);
  const control = new Int32Array(controlBuffer);
  if (start !== undefined) Atomics.store(control, CONTROL.distinct, start.known.length);
  const parts: RemotePartition[] = [];
  for (let w = 0; w < n; w++) parts.push(await host.start(w, table.buffer, controlBuffer));
  const levels: Level[] = start === undefined ? [{ parent: new Uint32Array(1), choice: new Uint16Array(1) }] : [...start.levels];
  // each partition's frontier states, by rank (ascending)
  let owned: Uint32Array[] = parts.map((_, w) => Uint32Array.from(start === undefined ? (w === 0 ? [0] : []) : (start.frontier[w] as StateBatch).ranks));
  const findings = new Map<string, PlacedWitness>();
  const outcomes = new Map<string, PlacedWitness>();
  let transitions = start?.transitions ?? 0;
  let restarts = 0;
  let moved = 0;
  let reassigned = 0;
  let worstShare = 0;
  let level = start?.level ?? 0;
  let stopped: ExplorationResult['stopped'];
  // the current frontier's sleep masks by rank (explorer/sleep.ts), for seeds and assignments
  let sleepOf = new Int32Array(start === undefined ? 1 : startSize);
  for (const b of start?.frontier ?? []) b.ranks.forEach((rank, i) => (sleepOf[rank] = b.sleeps[i] ?? 0));

  const traceOf = (lvl: number, rank: number): number[] => {
    const cs: number[] = [];
    for (let l = lvl; l > 0; l--) {
      const at = levels[l] as Level;
      cs.push(at.choice[rank] as number);
      rank = at.parent[rank] as number;
    }
    return cs.reverse();
  };
  const seedItems = (lvl: number, ranks: ArrayLike<number>, sleeps: Int32Array): SeedItem[] => Array.from(ranks, (rank) => ({ rank, choices: traceOf(lvl, rank), sleep: sleeps[rank] ?? 0 }));
  const merge = (r: Pick<SettleReport, 'findings' | 'outcomes'>): void => {
    for (const f of r.findings) noteWitness(findings, f);
    for (const o of r.outcomes) noteWitness(outcomes, o);
  };
  // Restarts partition w (its thread died) with its share of the current frontier.
  const restart = async (w: number): Promise<void> => {
    restarts++;
    const p = await host.start(w, table.buffer, controlBuffer);
    parts[w] = p;
    await p.seed(level, seedItems(level, owned[w] as Uint32Array, sleepOf));
  };
  // Calls `f` on partition w, restarting it (and redoing `redo` first) as often as it dies.
  const call = async <R>(w: number, f: (p: RemotePartition) => Promise<R>, redo?: (p: RemotePartition) => Promise<unknown>): Promise<R> => {
    for (let deaths = 0; ; ) {
      try {
        if (deaths > 0) {
          await restart(w);
          if (redo !== undefined) await redo(parts[w] as RemotePartition);
        }
        return await f(parts[w] as RemotePartition);
      } catch (e) {
        if (!(e instanceof PartitionLost)) throw e;
        if (++deaths > 5) throw new Error(`[internal] partition ${w} died ${deaths} times in a row: ${e.message}`);
      }
    }
  };
  // The limits partitions cannot see (cancellation, memory) are polled here, on a timer while
  // partitions work and between levels; partitions check the stop word as they go.
  const checkBudget = (): void => {
    const stop = (why: number): void => void Atomics.compareExchange(control, CONTROL.stop, STOP.none, why);
    if (budget.cancelled?.() === true) stop(STOP.cancelled);
    if (budget.overMemory?.() === true) stop(STOP.maxMemory);
    if (budget.deadline !== undefined && Date.now() > budget.deadline) stop(STOP.timeout);
    if (budget.maxStates !== undefined && Atomics.load(control, CONTROL.distinct) >= budget.maxStates) stop(STOP.maxStates);
  };
  const timer = setInterval(() => {
    checkBudget();
    budget.progress?.({ distinct: Atomics.load(control, CONTROL.distinct), transitions: Atomics.load(control, CONTROL.transitions), frontier: owned.reduce((a, o) => a + o.length, 0) });
  }, 200);

  try {
    let frontier = 1;
    if (start === undefined) {
      const init = await call(0, (p) => p.seed(0, [{ rank: 0, choices: [], sleep: 0 }]));
      if (init !== undefined) merge(init);
    } else {
      // The sequential search's witnesses all come before the ones found from here (shorter traces).
      const batches = start.frontier;
      await Promise.all(parts.map((_, w) => call(w, (p) => p.adopt(level, batches[w] as StateBatch))));
      frontier = startSize;
    }
    while (frontier > 0) {
      checkBudget();
      const why = Atomics.load(control, CONTROL.stop);
      if (why !== STOP.none) {
        stopped = STOP_NAMES[why] ?? 'cancelled';
        break;
      }
      // Grow the table between levels so a level rarely overflows it (a level that does is redone).
      const distinct = Atomics.load(control, CONTROL.distinct);
      if (distinct + frontier * GROWTH > table.capacity / 2) table = await regrow(distinct + frontier * GROWTH, level + 1);
      const expanded = await Promise.all(parts.map((_, w) => call(w, (p) => p.expand())));
      const after = Atomics.load(control, CONTROL.stop);
      if (after === STOP.tableFull) {
        table = await regrow(table.capacity, level + 1);
        continue;
      }
      if (after !== STOP.none || expanded.some((r) => !r.complete)) {
        stopped = STOP_NAMES[after] ?? 'cancelled';
        break;
      }
      const contested = concatenated(expanded.map((r) => r.lowered));
      const settled = await Promise.all(parts.map((_, w) => call(w, (p) => p.settle(contested), (p) => p.expand())));
      for (const r of expanded) {
        transitions += r.transitions;
        for (const f of r.findings) noteWitness(findings, f);
      }
      for (const r of settled) merge(r);
      const ranks = rankEdges(settled.map((r) => r.edges));
      const total = ranks.size;
      const next = ranks.level;
      levels.push(next);
      const nextSleep = new Int32Array(total);
      settled.forEach((r, w) => {
        const own = ranks.perPartition[w] as Uint32Array;
        for (let i = 0; i < own.length; i++) nextSleep[own[i] as number] = r.sleeps[i] as number;
      });
      // Each state goes to the partition that holds its canonical copy, or, where that evens out
      // the shares, to one that holds a spare copy (no state moves between threads for that).
      const share = ranks.perPartition;
      reassigned += shareSpares(share, settled.map((r) => ranksOfEdges(next, r.spares)));
      await Promise.all(
        parts.map((_, w) =>
          call(
            w,
            async (p) => {
              const own = share[w] as Uint32Array;
              const edges = new Float64Array(own.length);
              const sleeps = new Int32Array(own.length);
              for (let i = 0; i < own.length; i++) {
                const rank = own[i] as number;
                edges[i] = edgeAt(next, rank);
                sleeps[i] = nextSleep[rank] as number;
              }
              const missing = await p.assign(own, edges, sleeps);
              if (missing.length > 0) await p.seed(level + 1, seedItems(level + 1, missing, nextSleep));
            },
            async (p) => {
              await p.expand();
              await p.settle(contested);
            },
          ),
        ),
      );
      level++;
      owned = share;
      sleepOf = nextSleep;
      if (total >= 1000) worstShare = Math.max(worstShare, Math.max(...owned.map((o) => o.length)) / total);
      moved += await rebalance(owned, async (moves) => {
        const donors = [...new Set(moves.map((m) => m.from))];
        const receivers = [...new Set(moves.map((m) => m.to))];
        if (host.transfers === true) {
          // States travel as data: taken from the donors, a batch per receiver, and adopted.
          const got = new Map<Move, StateBatch>();
          await Promise.all(
            donors.map(async (w) => {
              const mine = moves.filter((m) => m.from === w);
              const batches = await call(w, (p) => p.take(mine.map((m) => m.ranks)));
              mine.forEach((m, i) => {
                const b = batches[i];
                if (b !== undefined) got.set(m, b);
              });
            }),
          );
          // (a donor that died and was rebuilt no longer holds what it gave: those are replayed)
          await Promise.all(
            receivers.map((w) =>
              call(w, async (p) => {
                for (const m of moves) {
                  if (m.to !== w) continue;
                  const b = got.get(m);
                  if (b !== undefined) await p.adopt(level, b);
                  const have = new Set(b?.ranks ?? []);
                  const missing = m.ranks.filter((rank) => !have.has(rank));
                  if (missing.length > 0) await p.seed(level, seedItems(level, missing, sleepOf));
                }
              }),
            ),
          );
          return;
        }
        await Promise.all(donors.map((w) => call(w, (p) => p.drop(moves.flatMap((m) => (m.from === w ? m.ranks : []))))));
        await Promise.all(receivers.map((w) => call(w, (p) => p.seed(level, seedItems(level, moves.flatMap((m) => (m.to === w ? m.ranks : [])), sleepOf)))));
      });
      frontier = total;
    }
  } finally {
    clearInterval(timer);
    await Promise.all(parts.map((p) => p.close().catch(() => undefined)));
  }

  const trace = (w: PlacedWitness): Trace => {
    if (w.len === 0) return { version: 1, choices: [] };
    const parentRank = Math.floor(w.edge / 65536);
    return { version: 1, choices: [...traceOf(w.len - 1, parentRank), w.edge % 65536] };
  };
  const done = (m: Map<string, PlacedWitness>, first: readonly Witnessed[] = []): Witnessed[] => {
    const out = new Map<string, Witnessed>(first.map((w) => [w.key, w]));
    for (const w of m.values()) if (!out.has(w.key)) out.set(w.key, { key: w.key, detail: w.detail, trace: trace(w) });
    return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };
  const distinct = levels.reduce((a, l) => a + l.parent.length, 0);
  return {
    outcomes: done(outcomes, start?.outcomes),
    findings: done(findings, start?.findings),
    distinct,
    transitions,
    complete: stopped === undefined,
    ...(stopped === undefined ? {} : { stopped }),
    stats: { levels: levels.length, restarts, moved, reassigned, worstShare },
  };

  // A larger table holding the states of the levels before `level` (a partial level is redone).
  // The partitions copy a stripe of the old table each, at once. If one dies, its replacement is
  // given the old table and the copy starts over in a fresh one: a copy cut short may have taken
  // a slot it never filled.
  async function regrow(want: number, lvl: number): Promise<FingerprintTable> {
    // to half full at most, however many doublings that takes
    let cap = table.capacity;
    while (cap / 2 < want) cap *= 2;
    if (cap > 2 ** 30) throw new Error(`[internal] fingerprint table would need ${cap} slots`);
    const old = table;
    const stripe = (w: number): number => Math.floor((w * old.capacity) / n);
    for (let deaths = 0; ; ) {
      const bigger = FingerprintTable.create(cap);
      const copied = await Promise.allSettled(parts.map((p, w) => p.retable(old.buffer, bigger.buffer, stripe(w), stripe(w + 1), lvl)));
      const lost: number[] = [];
      let count = 0;
      copied.forEach((r, w) => {
        if (r.status === 'fulfilled') count += r.value;
        else if (r.reason instanceof PartitionLost) lost.push(w);
        else throw r.reason;
      });
      if (lost.length === 0) {
        Atomics.store(control, CONTROL.distinct, count);
        Atomics.store(control, CONTROL.stop, STOP.none);
        return bigger;
      }
      for (const w of lost) {
        for (;;) {
          if (++deaths > 5) throw new Error(`[internal] partitions died ${deaths} times while the fingerprint table grew`);
          try {
            // (`table` is still the old one, which the new partition is given)
            await restart(w);
            break;
          } catch (e) {
            if (!(e instanceof PartitionLost)) throw e;
          }
        }
      }
    }
  }
}

/** Ranks of a level from each partition's ascending edges: the merged order. */
export function rankEdges(edges: readonly Float64Array[]): { size: number; level: Level; perPartition: Uint32Array[] } {
  const size = edges.reduce((a, e) => a + e.length, 0);
  const parent = new Uint32Array(size);
  const choice = new Uint16Array(size);
  const perPartition = edges.map((e) => new Uint32Array(e.length));
  const at = edges.map(() => 0);
  for (let rank = 0; rank < size; rank++) {
    let best = -1;
    let bestEdge = Infinity;
    for (let w = 0; w < edges.length; w++) {
      const i = at[w] as number;
      const e = edges[w] as Float64Array;
      if (i < e.length && (e[i] as number) < bestEdge) {
        bestEdge = e[i] as number;
        best = w;
      }
    }
    const i = at[best] as number;
    (perPartition[best] as Uint32Array)[i] = rank;
    at[best] = i + 1;
    parent[rank] = Math.floor(bestEdge / 65536);
    choice[rank] = (bestEdge | 0) & 0xffff; // bestEdge % 65536 without fmod
  }
  return { size, level: { parent, choice }, perPartition };
}

/** The arrays one after another. */
function concatenated(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The canonical edge (parent rank * 65536 + choice) of the state of rank `rank` in `level`. */
function edgeAt(level: Level, rank: number): number {
  return (level.parent[rank] as number) * 65536 + (level.choice[rank] as number);
}

/** The ranks of a level's states with canonical edges `edges` (ascending; each must be in the level). */
function ranksOfEdges(level: Level, edges: Float64Array): number[] {
  const out: number[] = [];
  const size = level.parent.length;
  let rank = 0;
  for (const e of edges) {
    // ranks are in edge order
    while (rank < size && edgeAt(level, rank) < e) rank++;
    if (rank >= size || edgeAt(level, rank) !== e) throw new Error(`[internal] spare edge ${e} is no state of the level`);
    out.push(rank);
  }
  return out;
}

/**
 * Evens out the shares `owned` (ranks per partition, ascending) by giving states of partitions
 * above their share to partitions below it that hold a spare copy (`spares`, ranks per
 * partition). Given states are spread over the donor's ranks, as in rebalance. Returns how many.
 */
export function shareSpares(owned: Uint32Array[], spares: readonly ArrayLike<number>[]): number {
  const parts = owned.length;
  const total = owned.reduce((a, o) => a + o.length, 0);
  const target = (w: number): number => Math.floor(total / parts) + (w < total % parts ? 1 : 0);
  if (spares.every((sp) => sp.length === 0)) return 0;
  // the partition owning each rank, kept up to date as states are given
  let top = 0;
  for (const o of owned) if (o.length > 0) top = Math.max(top, (o[o.length - 1] as number) + 1);
  const ownerOf = new Int32Array(top).fill(-1);
  owned.forEach((o, w) => {
    for (let i = 0; i < o.length; i++) ownerOf[o[i] as number] = w;
  });
  let given = 0;
  for (let to = 0; to < parts; to++) {
    for (let from = 0; from < parts; from++) {
      const deficit = target(to) - (owned[to] as Uint32Array).length;
      const surplus = (owned[from] as Uint32Array).length - target(from);
      if (deficit <= 0) break;
      if (surplus <= 0 || from === to) continue;
      const can: number[] = [];
      const mine = spares[to] ?? [];
      for (let i = 0; i < mine.length; i++) {
        const r = mine[i] as number;
        if (r < top && ownerOf[r] === from) can.push(r);
      }
      const k = Math.min(deficit, surplus, can.length);
      if (k === 0) continue;
      // (ascending: `can` is, and its sampled indices are)
      const give: number[] = [];
      for (let i = 0; i < k; i++) {
        const r = can[Math.floor((i * can.length) / k)] as number;
        if (give[give.length - 1] !== r) give.push(r);
      }
      for (const r of give) ownerOf[r] = to;
      owned[from] = keptBy(owned[from] as Uint32Array, ownerOf, from);
      owned[to] = mergeAscending(owned[to] as Uint32Array, give);
      given += give.length;
    }
  }
  return given;
}

// The ranks of `o` that `ownerOf` gives to partition w.
function keptBy(o: Uint32Array, ownerOf: Int32Array, w: number): Uint32Array {
  const out = new Uint32Array(o.length);
  let n = 0;
  for (let i = 0; i < o.length; i++) {
    const r = o[i] as number;
    if (ownerOf[r] === w) out[n++] = r;
  }
  return out.slice(0, n);
}

// Two ascending lists of distinct ranks merged into one.
function mergeAscending(a: Uint32Array, b: readonly number[]): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as number) < (b[j] as number))) out[n++] = a[i++] as number;
    else out[n++] = b[j++] as number;
  }
  return out;
}

/** Frontier states (by rank) to move from one partition to another. */
interface Move {
  readonly from: number;
  readonly to: number;
  readonly ranks: readonly number[];
}

/**
 * Moves frontier states from partitions holding more than their share to those holding less,
 * when the largest share exceeds the mean by a twentieth (and by 16 states). Given states are spread
 * over the donor's ranks, so no partition ends up with all the low ranks (which win ties of
 * later levels and would make the drift come back). Returns how many moved.
 */
async function rebalance(owned: Uint32Array[], move: (moves: readonly Move[]) => Promise<unknown>): Promise<number> {
  const parts = owned.length;
  const total = owned.reduce((a, o) => a + o.length, 0);
  const mean = total / parts;
  const sizes = owned.map((o) => o.length);
  if (Math.max(...sizes) <= Math.max(mean * 1.05, mean + 16)) return 0;
  const target = owned.map((_, w) => Math.floor(total / parts) + (w < total % parts ? 1 : 0));
  // the ranks given up, with their donors, in donor order
  const pool: { rank: number; from: number }[] = [];
  owned.forEach((o, w) => {
    const surplus = o.length - (target[w] as number);
    if (surplus <= 0) return;
    const stride = o.length / surplus;
    const stay = new Uint8Array(o.length).fill(1);
    for (let k = 0; k < surplus; k++) stay[Math.floor(k * stride)] = 0;
    const kept = new Uint32Array(o.length - surplus);
    let n = 0;
    for (let i = 0; i < o.length; i++) {
      if (stay[i] === 1) kept[n++] = o[i] as number;
      else pool.push({ rank: o[i] as number, from: w });
    }
    owned[w] = kept;
  });
  const moves: Move[] = [];
  let next = 0;
  owned.forEach((o, w) => {
    const deficit = (target[w] as number) - o.length;
    if (deficit <= 0) return;
    const take = pool.slice(next, next + deficit);
    next += deficit;
    for (const from of new Set(take.map((t) => t.from))) moves.push({ from, to: w, ranks: take.filter((t) => t.from === from).map((t) => t.rank) });
    owned[w] = mergeAscending(o, take.map((t) => t.rank).sort((x, y) => x - y));
  });
  await move(moves);
  return pool.length;
}
