// One worker's share of a level-synchronous parallel breadth-first search (explorer/parallel.ts
// coordinates). The frontier of level L is split over partitions; each expands its states, and
// every successor is claimed in the shared fingerprint table with its edge key (level L+1, rank of
// the parent, choice). After all partitions have expanded, the copy whose key is the table's
// minimum is kept (exactly one partition holds it) and the coordinator ranks the kept states of
// level L+1 by that key. Ranks in key order are the order the sequential search visits states in,
// so witnesses (shortest, then first in choice order) come out identical to exploreExhaustive's
// for any number of partitions and any timing.

import { replay } from './exhaustive.js';
import { Column } from './column.js';
import { KeyIndex } from './key-index.js';
import { SleepExpansion } from './sleep.js';
import { codecOf, StateArena } from './word-frontier.js';
import { edgeOfChoice, FingerprintTable } from './fingerprint-table.js';
import type { Finding, TransitionSystem, WordExpander } from './system.js';

/** Codes of the shared stop word (control[STOP]). */
export const STOP = { none: 0, cancelled: 1, timeout: 2, maxStates: 3, maxMemory: 4, tableFull: 5 } as const;

/** Word indices of the shared control buffer (an Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** why to stop (STOP), 0 to go on */
  stop: 0,
  /** fingerprints inserted in the table */
  distinct: 1,
  /** transitions taken (for progress; updated in batches) */
  transitions: 2,
  /** words in the buffer */
  size: 4,
} as const;

/**
 * Where a witness points: trace length, then the edge (parent rank * 65536 + choice; the initial
 * state has length 0), then edge findings before state findings, then order within the list.
 * Comparing positions lexicographically orders witnesses exactly as the sequential search notes
 * them.
 */
export interface Position {
  readonly len: number;
  readonly edge: number;
  readonly prio: 0 | 1;
  readonly idx: number;
}

/** A finding or outcome with its position; `detail` is structured-clone safe. */
export interface PlacedWitness extends Position {
  readonly key: string;
  readonly detail: unknown;
}

/** Whether position `a` comes before `b`. */
export function before(a: Position, b: Position): boolean {
  if (a.len !== b.len) return a.len < b.len;
  if (a.edge !== b.edge) return a.edge < b.edge;
  if (a.prio !== b.prio) return a.prio < b.prio;
  return a.idx < b.idx;
}

/** Keeps, per key, the earliest witness. */
export function noteWitness(into: Map<string, PlacedWitness>, w: PlacedWitness): void {
  const old = into.get(w.key);
  if (old === undefined || before(w, old)) into.set(w.key, w);
}

/** One state to rebuild by replaying its trace from the initial state. */
export interface SeedItem {
  readonly rank: number;
  readonly choices: readonly number[];
  /** its sleep mask (explorer/sleep.ts), 0 for none */
  readonly sleep: number;
}

/** Frontier states handed over as data (one TransitionSystem.pack batch), with their ranks in their level. */
export interface StateBatch {
  readonly ranks: readonly number[];
  readonly data: unknown;
  /** their sleep masks (explorer/sleep.ts), by position in `ranks` */
  readonly sleeps: readonly number[];
  /** `data` is a TransitionSystem.packEncoded batch, else a pack batch */
  readonly encoded?: boolean;
}

/** What expanding a level reported. */
export interface ExpandReport {
  /** false when the stop word was set before the level was done */
  readonly complete: boolean;
  readonly transitions: number;
  readonly findings: readonly PlacedWitness[];
  /**
   * fingerprints whose stored edge this partition's claims replaced (Claim.lowered): the only
   * states of which another partition's copy may have lost, for settle to look up
   */
  readonly lowered: Float64Array;
}

/** The states a partition keeps for the next level, and what they show. */
export interface SettleReport {
  /** edge (parent rank * 65536 + choice) of each kept state, ascending */
  readonly edges: Float64Array;
  /** the sleep mask each kept state gets over its canonical edge (explorer/sleep.ts), by position in `edges` */
  readonly sleeps: Int32Array;
  /**
   * canonical edges of the spare states, ascending: next-level states this partition also
   * reached but another kept; the coordinator may have this partition expand them instead
   */
  readonly spares: Float64Array;
  readonly findings: readonly PlacedWitness[];
  readonly outcomes: readonly PlacedWitness[];
}

/** What a partition does; the coordinator calls these in order, level after level. */
export interface PartitionApi {
  /** Rebuilds the frontier states `items` of `level` (replaying traces); at level 0 also reports the initial state's findings. */
  seed(level: number, items: readonly SeedItem[]): SettleReport | undefined;
  /** Expands the frontier, claiming every successor in the table. */
  expand(): ExpandReport;
  /**
   * Keeps the successors this partition reached first, in edge order; `contested` holds every
   * partition's `lowered` fingerprints of this expansion (a successor not among them is kept
   * without a look at the table).
   */
  settle(contested: Float64Array): SettleReport;
  /**
   * Makes the next level's frontier: the kept or spare states with canonical edges `edges`, whose
   * ranks are `ranks` (ascending) and sleep masks `sleeps` (a spare copy's own mask came over
   * another edge). Returns the ranks it holds no state for (after a restart, a spare may not have
   * been reached again), for the coordinator to seed.
   */
  assign(ranks: Uint32Array, edges: Float64Array, sleeps: Int32Array): number[];
  /** Removes frontier states (given to another partition). */
  drop(ranks: readonly number[]): void;
  /** Adds frontier states of `level` handed over as data (from `take`, or from a search that handed off). */
  adopt(level: number, batch: StateBatch): void;
  /** Removes frontier states and returns them as data, a batch per group (for a partition to adopt); ranks it does not hold are left out. */
  take(groups: readonly (readonly number[])[]): StateBatch[];
  /**
   * Copies slots from..to-1 of the table `src` (entries of levels below `level`) into the larger
   * table `dst`, as the other partitions copy theirs at the same time, and returns how many
   * entries it copied; then forgets this level's successors and uses `dst`.
   */
  retable(src: SharedArrayBuffer, dst: SharedArrayBuffer, from: number, to: number, level: number): number;
}

/** Options of a partition. */
export interface PartitionOptions {
  /** Date.now() milliseconds after which the search stops */
  readonly deadline?: number;
  /** stop once the table holds this many states */
  readonly maxStates?: number;
}

interface Candidate {
  /** the state's handle in the partition's `next` arena */
  readonly at: number;
  readonly fp: number;
  /** parent rank * 65536 + choice; the level is the partition's next */
  readonly edge: number;
  /** the sleep mask the state gets if `edge` is its canonical edge */
  readonly sleep: number;
}

/**
 * The candidates of one expansion, by column (a Candidate object each lived the whole level, so
 * the scavenger copied every one of them, and their numbers, twice).
 */
class Candidates {
  readonly at = new Column('int32', 1024);
  readonly fp = new Column('float64', 1024);
  readonly edge = new Column('float64', 1024);
  readonly sleep = new Column('int32', 1024);
  /** index in `marks` of what the state itself reports (findings, outcome), -1 for nothing */
  readonly mark = new Column('int32', 1024);
  /** the findings and outcome of the candidates that have any (few: most states have neither) */
  marks: StateMarks[] = [];

  get length(): number {
    return this.at.length;
  }

  push(at: number, fp: number, edge: number, sleep: number, marks: StateMarks | undefined): void {
    this.at.push(at);
    this.fp.push(fp);
    this.edge.push(edge);
    this.sleep.push(sleep);
    this.mark.push(marks === undefined ? -1 : this.marks.push(marks) - 1);
  }

  clear(): void {
    this.at.clear();
    this.fp.clear();
    this.edge.clear();
    this.sleep.clear();
    this.mark.clear();
    this.marks = [];
  }
}

/**
 * What a successor reports of itself, worked out in `expand` while it is a live object (settle
 * would have to rebuild it from its words).
 */
interface StateMarks {
  readonly findings: readonly Finding[];
  readonly outcome: string | undefined;
  readonly detail: unknown;
}

/** A frontier state: its handle in the partition's `cur` arena, its rank in its level and its sleep mask. */
interface Held {
  readonly at: number;
  readonly rank: number;
  readonly sleep: number;
}

/**
 * A partition's frontier, in rank order, as three columns: a Held object per state lived the
 * whole level, so the scavenger copied every one of them twice and promoted it (most of what
 * a worker promoted: 12 of 19 MB over the 6-CPU search). The rare edits (seed, adopt, drop,
 * take) go through a list of Held objects.
 */
class Holding {
  constructor(
    readonly at: Int32Array,
    readonly rank: Int32Array,
    readonly sleep: Int32Array,
    readonly length: number,
  ) {}

  static empty(): Holding {
    return new Holding(new Int32Array(0), new Int32Array(0), new Int32Array(0), 0);
  }

  /** These states without those whose rank `gone` has. */
  without(gone: { has(rank: number): boolean }): Holding {
    const at = new Int32Array(this.length);
    const rank = new Int32Array(this.length);
    const sleep = new Int32Array(this.length);
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      if (gone.has(this.rank[i] as number)) continue;
      at[n] = this.at[i] as number;
      rank[n] = this.rank[i] as number;
      sleep[n] = this.sleep[i] as number;
      n++;
    }
    return new Holding(at, rank, sleep, n);
  }

  /**
   * These states and those of `added` whose ranks are not held yet, sorted by rank (a merge: the
   * frontier is large, the states a partition is given at a time are few).
   */
  with(added: readonly Held[]): Holding {
    if (added.length === 0) return this;
    const more = [...added].sort((a, b) => a.rank - b.rank);
    const size = this.length + more.length;
    const at = new Int32Array(size);
    const rank = new Int32Array(size);
    const sleep = new Int32Array(size);
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < this.length || j < more.length) {
      const x = more[j];
      if (i < this.length && (x === undefined || (this.rank[i] as number) <= x.rank)) {
        // (an added state already held is left out)
        if (x !== undefined && this.rank[i] === x.rank) j++;
        at[n] = this.at[i] as number;
        rank[n] = this.rank[i] as number;
        sleep[n] = this.sleep[i] as number;
        i++;
      } else if (x !== undefined) {
        j++;
        if (n > 0 && rank[n - 1] === x.rank) continue;
        at[n] = x.at;
        rank[n] = x.rank;
        sleep[n] = x.sleep;
      }
      n++;
    }
    return new Holding(at, rank, sleep, n);
  }

  /** Whether a state of rank `r` is held (by binary search: ranks ascend). */
  has(r: number): boolean {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.rank[mid] as number;
      if (x === r) return true;
      if (x < r) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }
}

const MAX_LOAD = 0.75;
/** states a partition counts before adding them to the shared count */
const INSERT_BATCH = 256;

/** A partition working in this thread over a shared table and control buffer. */
export class LevelPartition<S, T> implements PartitionApi {
  private frontier = Holding.empty();
  // The states of the frontier (cur) and of the successors kept for the next level (next), as
  // words when the system encodes states (explorer/word-frontier.ts); assign swaps them.
  private cur: StateArena<S>;
  private next: StateArena<S>;
  private level = 0;
  // invariant: every successor this partition's claim made the table's lowest at the time; the
  // one whose key is still the table's after the level is the state's canonical copy.
  private readonly candidates = new Candidates();
  // what settle kept: indices in `candidates`, in edge order (valid until the next expansion)
  private kept: number[] = [];
  private spares: Candidate[] = [];
  // Keys of findings and outcomes this partition reported at an earlier level: any later witness
  // of them has a longer trace, so it is never the earliest and need not cross the thread.
  private readonly reported = new Set<string>();
  private readonly reportedOutcomes = new Set<string>();
  // this level's edge findings (from expand), added to `reported` when the level settles
  private levelFindings = new Map<string, PlacedWitness>();
  // fingerprints whose stored edge this partition's claims replaced during the expansion under way
  private readonly lowered = new Column('float64');
  private readonly sleeper: SleepExpansion<S, T> | undefined;
  // the system's WordExpander, where it has one and states are kept as words; a successor's words
  private readonly wx: WordExpander | undefined;
  private scratch = new Int32Array(64);

  constructor(
    private readonly sys: TransitionSystem<S, T>,
    private table: FingerprintTable,
    private readonly control: Int32Array,
    private readonly options: PartitionOptions = {},
  ) {
    this.sleeper = sys.sleep === undefined ? undefined : new SleepExpansion(sys.sleep);
    const codec = codecOf(sys);
    this.cur = new StateArena(codec);
    this.next = new StateArena(codec);
    this.wx = codec === undefined ? undefined : sys.expander;
  }

  // What `s` reports of itself, if anything.
  private marksOf(s: S): StateMarks | undefined {
    const findings = this.sys.stateFindings(s);
    const outcome = this.sys.outcome(s);
    if (findings.length === 0 && outcome === undefined) return undefined;
    return { findings, outcome, detail: outcome === undefined || this.reportedOutcomes.has(outcome) ? undefined : this.sys.outcomeDetail?.(s) };
  }

  // What the state whose words are words[0..) reports of itself (as marksOf).
  private marksOfWords(wx: WordExpander, words: Int32Array): StateMarks | undefined {
    const findings = wx.stateFindings(words, 0);
    const outcome = wx.outcome(words, 0);
    if (findings.length === 0 && outcome === undefined) return undefined;
    return { findings, outcome, detail: outcome === undefined || this.reportedOutcomes.has(outcome) ? undefined : wx.outcomeDetail(words, 0) };
  }

  // Stores a state of the current level (seeded, adopted) in `cur`.
  private hold(s: S, rank: number, sleep: number): Held {
    this.sys.keep?.(s);
    return { at: this.cur.put(s), rank, sleep };
  }

  seed(level: number, items: readonly SeedItem[]): SettleReport | undefined {
    this.level = level;
    // Idempotent: a partition restarted mid-rebalance may be given a state it already rebuilt.
    const added: Held[] = [];
    for (const it of items) if (!this.frontier.has(it.rank)) added.push(this.hold(this.rebuild(it.choices), it.rank, it.sleep));
    this.frontier = this.frontier.with(added);
    if (level !== 0 || this.frontier.length === 0) return undefined;
    const s = this.cur.get(this.frontier.at[0] as number);
    const fp = fingerprintOf(this.sys, s);
    if (this.table.claim(fp, 0, 0).inserted) Atomics.add(this.control, CONTROL.distinct, 1);
    const findings = this.sys.stateFindings(s).map((f, idx) => placed(f, { len: 0, edge: 0, prio: 1, idx }));
    const o = this.sys.outcome(s);
    return { edges: new Float64Array(0), sleeps: new Int32Array(0), spares: new Float64Array(0), findings, outcomes: o === undefined ? [] : [{ key: o, detail: this.sys.outcomeDetail?.(s), len: 0, edge: 0, prio: 1, idx: 0 }] };
  }

  expand(): ExpandReport {
    const sys = this.sys;
    const control = this.control;
    const next = this.level + 1;
    const findings = new Map<string, PlacedWitness>();
    const limit = this.table.capacity * MAX_LOAD;
    let transitions = 0;
    let batch = 0;
    this.candidates.clear();
    this.next.clear();
    this.lowered.clear();
    const sleeper = this.sleeper;
    const maxStates = this.options.maxStates;
    const exact = maxStates !== undefined;
    let inserted = 0;
    const held = this.frontier;
    // a system that expands states from their words (WordExpander) does so here
    const wx = this.wx;
    const words = this.cur.encoded();
    let scratch = this.scratch;
    for (let h = 0; h < held.length; h++) {
      const rank = held.rank[h] as number;
      const sleep = held.sleep[h] as number;
      let state: S | undefined;
      let ts: readonly T[] = NO_STEPS;
      let only: readonly number[] | undefined;
      let count: number;
      // (reduce's one step, from a WordExpander)
      let forced = -1;
      if (wx !== undefined) {
        count = wx.begin(words as Int32Array, held.at[h] as number);
        if (scratch.length < wx.width) scratch = this.scratch = new Int32Array(2 * wx.width);
        forced = wx.forced;
        if (sleeper !== undefined) sleeper.beginGroups(wx.groups, count, forced >= 0, sleep);
      } else {
        state = this.cur.get(held.at[h] as number);
        ts = sys.enabled(state);
        count = ts.length;
        only = sys.reduce?.(state, ts);
        if (sleeper !== undefined) sleeper.begin(state, ts, only, sleep);
      }
      // (each choice fits the edge's 16 bits)
      const base = edgeOfChoice(rank, count - 1) - (count - 1);
      const n = forced >= 0 ? 1 : only === undefined ? count : only.length;
      for (let j = 0; j < n; j++) {
        const i = forced >= 0 ? forced : only === undefined ? j : (only[j] as number);
        if (sleeper !== undefined && sleeper.asleep(i)) continue;
        let r: ReturnType<TransitionSystem<S, T>['step']> | undefined;
        let fp: number;
        let fs: readonly Finding[];
        if (wx !== undefined) {
          wx.step(i, scratch);
          fp = wx.key;
          fs = wx.findings;
        } else {
          r = sys.step(state as S, ts[i] as T);
          fp = fingerprintOf(sys, r.state);
          fs = r.findings;
        }
        const mask = sleeper === undefined ? 0 : sleeper.took(i);
        transitions++;
        for (let idx = 0; idx < fs.length; idx++) {
          const f = fs[idx] as Finding;
          if (!this.reported.has(f.key)) noteWitness(findings, placed(f, { len: next, edge: base + i, prio: 0, idx }));
        }
        // (a successor this partition claimed before in this expansion came over a lower edge, as
        // the frontier goes in rank order and each state's choices in order: the table answers
        // old or higher, so a partition holds one copy of a state at most)
        const c = this.table.claim(fp, next, base + i);
        // The shared count of states is added to in batches (every partition adding to one word
        // for each state kept the cores passing its cache line back and forth), except under
        // --max-states, which stops at an exact count; the table-full check has room for a batch
        // per partition (a table is never fuller than MAX_LOAD by a level's start).
        if (c.inserted && (++inserted === INSERT_BATCH || exact)) {
          const n = Atomics.add(control, CONTROL.distinct, inserted) + inserted;
          inserted = 0;
          if (maxStates !== undefined && n >= maxStates) Atomics.compareExchange(control, CONTROL.stop, STOP.none, STOP.maxStates);
          if (n > limit) Atomics.compareExchange(control, CONTROL.stop, STOP.none, STOP.tableFull);
        }
        if (c.lowered) this.lowered.push(fp);
        if (c.lowest) {
          if (r === undefined) {
            const x = wx as WordExpander;
            this.candidates.push(this.next.putWords(scratch, 0, x.width), fp, base + i, mask, x.plain ? undefined : this.marksOfWords(x, scratch));
          } else {
            sys.keep?.(r.state);
            this.candidates.push(this.next.put(r.state), fp, base + i, sleeper === undefined ? 0 : sleeper.carried(mask, r.perm), this.marksOf(r.state));
          }
        }
        if (++batch === 256) {
          batch = 0;
          Atomics.add(control, CONTROL.transitions, 256);
          if (this.options.deadline !== undefined && Date.now() > this.options.deadline) Atomics.compareExchange(control, CONTROL.stop, STOP.none, STOP.timeout);
          if (Atomics.load(control, CONTROL.stop) !== STOP.none) {
            Atomics.add(control, CONTROL.distinct, inserted);
            return { complete: false, transitions, findings: [...findings.values()], lowered: new Float64Array(0) };
          }
        }
      }
    }
    Atomics.add(control, CONTROL.transitions, batch);
    if (Atomics.add(control, CONTROL.distinct, inserted) + inserted > limit) Atomics.compareExchange(control, CONTROL.stop, STOP.none, STOP.tableFull);
    this.levelFindings = findings;
    return { complete: Atomics.load(control, CONTROL.stop) === STOP.none, transitions, findings: [...findings.values()], lowered: this.lowered.toFloat64Array() };
  }

  settle(contested: Float64Array): SettleReport {
    const cs = this.candidates;
    const kept: number[] = [];
    const lost: Candidate[] = [];
    let ascending = true;
    // A candidate's claim was once the lowest, so it lost only if a later claim replaced its edge,
    // and that claim's partition reported the fingerprint as lowered.
    const disputed = new KeyIndex(false);
    for (let i = 0; i < contested.length; i++) disputed.insert(contested[i] as number, 0);
    const some = disputed.size > 0;
    for (let n = 0; n < cs.length; n++) {
      const fp = cs.fp.at(n);
      // (the winner of a disputed state is of the same level)
      const edge = some && disputed.get(fp) >= 0 ? this.table.edgeOf(fp) : cs.edge.at(n);
      if (edge === cs.edge.at(n)) {
        if (kept.length > 0 && edge < cs.edge.at(kept[kept.length - 1] as number)) ascending = false;
        kept.push(n);
      } else if (edge >= 0) lost.push({ at: cs.at.at(n), fp, edge, sleep: 0 }); // (its mask comes with assign)
    }
    // (candidates come in edge order: the frontier goes in rank order, each state's choices in order)
    if (!ascending) kept.sort((a, b) => cs.edge.at(a) - cs.edge.at(b));
    // The lost copies are the spares: a partition keeps one copy of a state at most an expansion
    // (see expand), so it holds no other copy of their states, kept or lost.
    const spares = lost;
    if (spares.length > 1) spares.sort((a, b) => a.edge - b.edge);
    this.kept = kept;
    this.spares = spares;
    const next = this.level + 1;
    const findings = new Map<string, PlacedWitness>();
    const outcomes = new Map<string, PlacedWitness>();
    const edges = new Float64Array(kept.length);
    const sleeps = new Int32Array(kept.length);
    // kept is in edge order, so the first witness of a key here is this partition's earliest
    kept.forEach((c, n) => {
      const edge = cs.edge.at(c);
      edges[n] = edge;
      sleeps[n] = cs.sleep.at(c);
      const m = cs.mark.at(c);
      if (m < 0) return;
      const marks = cs.marks[m] as StateMarks;
      marks.findings.forEach((f, idx) => {
        if (!this.reported.has(f.key)) noteWitness(findings, placed(f, { len: next, edge, prio: 1, idx }));
      });
      const o = marks.outcome;
      if (o !== undefined && !this.reportedOutcomes.has(o) && !outcomes.has(o)) outcomes.set(o, { key: o, detail: marks.detail, len: next, edge, prio: 1, idx: 0 });
    });
    for (const k of findings.keys()) this.reported.add(k);
    for (const k of this.levelFindings.keys()) this.reported.add(k);
    for (const k of outcomes.keys()) this.reportedOutcomes.add(k);
    this.levelFindings = new Map();
    return { edges, sleeps, spares: Float64Array.from(spares, (c) => c.edge), findings: [...findings.values()], outcomes: [...outcomes.values()] };
  }

  assign(ranks: Uint32Array, edges: Float64Array, sleeps: Int32Array): number[] {
    if (ranks.length !== edges.length || ranks.length !== sleeps.length) throw new Error(`[internal] ${ranks.length} ranks for ${edges.length} edges and ${sleeps.length} masks`);
    // kept, spares and `edges` are all in edge order: one merge
    const kept = this.kept;
    const spares = this.spares;
    const cs = this.candidates;
    let k = 0;
    let p = 0;
    const missing: number[] = [];
    const at = new Int32Array(ranks.length);
    const rank = new Int32Array(ranks.length);
    const sleep = new Int32Array(ranks.length);
    let held = 0;
    for (let n = 0; n < ranks.length; n++) {
      const e = edges[n] as number;
      if (n > 0 && e <= (edges[n - 1] as number)) throw new Error('[internal] assign: edges not ascending');
      while (k < kept.length && cs.edge.at(kept[k] as number) < e) k++;
      while (p < spares.length && (spares[p] as Candidate).edge < e) p++;
      const handle = k < kept.length && cs.edge.at(kept[k] as number) === e ? cs.at.at(kept[k] as number) : p < spares.length && (spares[p] as Candidate).edge === e ? (spares[p] as Candidate).at : -1;
      if (handle < 0) missing.push(ranks[n] as number);
      else {
        at[held] = handle;
        rank[held] = ranks[n] as number;
        sleep[held] = sleeps[n] as number;
        held++;
      }
    }
    // the kept and spare states are the new frontier: their arena becomes the current one
    const old = this.cur;
    this.cur = this.next;
    this.next = old;
    old.clear();
    this.frontier = new Holding(at, rank, sleep, held);
    this.kept = [];
    this.spares = [];
    this.level++;
    return missing;
  }

  drop(ranks: readonly number[]): void {
    const gone = new Set(ranks);
    this.frontier = this.frontier.without(gone);
  }

  adopt(level: number, batch: StateBatch): void {
    this.level = level;
    // Idempotent: a partition restarted mid-rebalance may be given a state it already holds.
    const have = this.frontier;
    const added: Held[] = [];
    if (batch.encoded === true) {
      // (as words: stored without being rebuilt)
      const unpackEncoded = this.sys.unpackEncoded;
      if (unpackEncoded === undefined) throw new Error('[internal] adopt of encoded states on a system that cannot unpack them');
      const { words, at } = unpackEncoded.call(this.sys, batch.data);
      if (at.length !== batch.ranks.length + 1) throw new Error(`[internal] a batch of ${at.length - 1} encoded states for ${batch.ranks.length} ranks`);
      batch.ranks.forEach((rank, n) => {
        if (!have.has(rank)) added.push({ at: this.cur.putWords(words, at[n] as number, at[n + 1] as number), rank, sleep: batch.sleeps[n] ?? 0 });
      });
    } else {
      const unpack = this.sys.unpack;
      if (unpack === undefined) throw new Error('[internal] adopt on a system that cannot unpack states');
      const states = unpack.call(this.sys, batch.data);
      if (states.length !== batch.ranks.length) throw new Error(`[internal] a batch of ${states.length} states for ${batch.ranks.length} ranks`);
      batch.ranks.forEach((rank, n) => {
        if (!have.has(rank)) added.push(this.hold(states[n] as S, rank, batch.sleeps[n] ?? 0));
      });
    }
    this.frontier = have.with(added);
  }

  take(groups: readonly (readonly number[])[]): StateBatch[] {
    const sys = this.sys;
    const group = new Map<number, number>();
    groups.forEach((g, i) => g.forEach((rank) => group.set(rank, i)));
    const out: { ranks: number[]; at: number[]; sleeps: number[] }[] = groups.map(() => ({ ranks: [], at: [], sleeps: [] }));
    const held = this.frontier;
    for (let i = 0; i < held.length; i++) {
      const rank = held.rank[i] as number;
      const o = out[group.get(rank) ?? -1];
      if (o === undefined) continue;
      o.ranks.push(rank);
      o.at.push(held.at[i] as number);
      o.sleeps.push(held.sleep[i] as number);
    }
    this.frontier = held.without(group);
    // (the states' words, when the system can move them as they are)
    const words = this.cur.encoded();
    const packEncoded = sys.packEncoded;
    if (words !== undefined && packEncoded !== undefined && sys.unpackEncoded !== undefined) {
      return out.map((o) => ({ ranks: o.ranks, data: packEncoded.call(sys, words, o.at), sleeps: o.sleeps, encoded: true }));
    }
    const pack = sys.pack;
    if (pack === undefined) throw new Error('[internal] take on a system that cannot pack states');
    return out.map((o) => ({ ranks: o.ranks, data: pack.call(sys, o.at.map((at) => this.cur.get(at))), sleeps: o.sleeps }));
  }

  retable(src: SharedArrayBuffer, dst: SharedArrayBuffer, from: number, to: number, level: number): number {
    const bigger = new FingerprintTable(dst);
    const count = new FingerprintTable(src).copyInto(bigger, from, to, level);
    this.table = bigger;
    this.candidates.clear();
    this.next.clear();
    return count;
  }

  private rebuild(choices: readonly number[]): S {
    const r = replay(this.sys, { version: 1, choices });
    if (!r.ok) throw new Error(`[internal] seed trace does not replay: ${r.message}`);
    return r.states[r.states.length - 1] as S;
  }
}

const NO_STEPS: readonly never[] = [];

function placed(f: Finding, p: Position): PlacedWitness {
  return { key: f.key, detail: f.detail, ...p };
}

/** The state's fingerprint as a non-negative safe integer (string keys are hashed to 53 bits). */
export function fingerprintOf<S, T>(sys: TransitionSystem<S, T>, s: S): number {
  return keyFingerprint(sys.key(s));
}

/** A state key (TransitionSystem.key) as a fingerprint. */
export function keyFingerprint(k: string | number): number {
  if (typeof k === 'number') return k;
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x2545f491 | 0;
  for (let i = 0; i < k.length; i++) {
    const x = k.charCodeAt(i);
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 11) & 0x1fffff);
}
