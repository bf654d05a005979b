// Exhaustive exploration: breadth-first over distinct states, so the first trace found to any
// state, outcome or finding is a shortest one, and among those the first in choice order. That
// makes witnesses canonical: the same for any run and, later, for any split of the work.

import { Column } from './column.js';
import { KeyIndex } from './key-index.js';
import { SleepExpansion } from './sleep.js';
import { codecOf, WordFrontier } from './word-frontier.js';
import type { Finding, Trace, TransitionSystem, WordExpander } from './system.js';

/** Limits of one exploration. */
export interface Budget {
  /** stop after this many distinct states */
  readonly maxStates?: number;
  /** stop at this time (Date.now() milliseconds) */
  readonly deadline?: number;
  /** stop when this returns true (checked every few thousand states) */
  readonly cancelled?: () => boolean;
  /** stop when this returns true: the caller's memory limit is reached (checked likewise) */
  readonly overMemory?: () => boolean;
  /** called every few thousand states */
  readonly progress?: (p: Progress) => void;
}

/** Counters reported while exploring. */
export interface Progress {
  readonly distinct: number;
  readonly transitions: number;
  readonly frontier: number;
  /** after a search of a quotient (explorer/symmetry.ts): witnesses of orbits expanded so far, of `of` */
  readonly expanding?: {
    readonly done: number;
    readonly of: number;
    /** once every orbit's outcomes are picked: the permuted witnesses of outcomes built so far, of `of` */
    readonly permuted?: { readonly done: number; readonly of: number };
  };
}

/** A finding with the shortest trace that shows it. */
export interface Witnessed {
  readonly key: string;
  readonly detail: unknown;
  readonly trace: Trace;
}

/**
 * A search stopped at a level boundary so that another search (explorer/parallel.ts) can go on
 * from there: every state of levels 0..level is known, the states of `level` are not expanded.
 */
export interface Handoff<S> {
  /** the frontier's level (its states' trace length) */
  readonly level: number;
  /** per level 1..level, each state's parent rank in the previous level and the choice that reached it (levels[0] is the initial state's) */
  readonly levels: readonly { readonly parent: Uint32Array; readonly choice: Uint16Array }[];
  /** the frontier: level `level`'s states in rank order */
  readonly frontier: readonly S[];
  /** their sleep masks (explorer/sleep.ts), in the same order */
  readonly frontierSleep: readonly number[];
  /** every known state: its key and (level, parent rank, choice) */
  readonly known: readonly { readonly key: string | number; readonly level: number; readonly parentRank: number; readonly choice: number }[];
}

/** What an exploration found. */
export interface ExplorationResult {
  /** final outcomes, each with its witness, sorted by key */
  readonly outcomes: readonly Witnessed[];
  /** findings, each with its first (shortest) witness, sorted by key */
  readonly findings: readonly Witnessed[];
  readonly distinct: number;
  readonly transitions: number;
  readonly complete: boolean;
  /** why it stopped early */
  readonly stopped?: 'max-states' | 'max-memory' | 'timeout' | 'cancelled';
}

/** Options of exploreExhaustive beyond the budget. */
export interface ExhaustiveOptions {
  /**
   * stop at the first level boundary with at least this many states and return the search so
   * far (incomplete, with `handoff`) for a parallel search to go on with
   */
  readonly handOffAfter?: number;
}

// invariant: parent[i] < i for i > 0 and choice[i] is the index in enabled(state of parent[i])
// of the transition that first reached state i; BFS order makes that path a shortest one.
/** Explores every reachable state of `sys` breadth-first. */
export function exploreExhaustive<S, T>(sys: TransitionSystem<S, T>, budget: Budget = {}, options: ExhaustiveOptions = {}): ExplorationResult & { handoff?: Handoff<S> } {
  // (state ids are only read back to hand the search off)
  const seen = new KeyIndex(options.handOffAfter !== undefined);
  // States not yet expanded, by level: as words when the system encodes them
  // (explorer/word-frontier.ts). `count` states are known.
  const frontier = new WordFrontier<S>(codecOf(sys));
  let count = 0;
  const store = (s: S): void => {
    frontier.push(s);
    count++;
  };
  const parent = new Column();
  const choice = new Column();
  const outcomes = new Map<string, Witnessed>();
  const findings = new Map<string, Witnessed>();
  const traceTo = (id: number, extra?: number): Trace => {
    const cs: number[] = [];
    if (extra !== undefined) cs.push(extra);
    for (let i = id; i > 0; i = parent.at(i)) cs.push(choice.at(i));
    cs.reverse();
    return { version: 1, choices: cs };
  };
  const note = (f: Finding, trace: () => Trace): void => {
    if (!findings.has(f.key)) findings.set(f.key, { key: f.key, detail: f.detail, trace: trace() });
  };
  const visit = (s: S, id: number): void => {
    // (indexed loops: for-of here allocated an iterator per state and per step, 4% of the bytes
    // a search allocates, as the loop sits in a function too large for escape analysis)
    const fs = sys.stateFindings(s);
    for (let k = 0; k < fs.length; k++) note(fs[k] as Finding, () => traceTo(id));
    const o = sys.outcome(s);
    if (o !== undefined && !outcomes.has(o)) outcomes.set(o, { key: o, detail: sys.outcomeDetail?.(s), trace: traceTo(id) });
  };
  // a system that expands states from their words (WordExpander) does so here
  const wx = frontier.encoded ? sys.expander : undefined;
  let scratch = new Int32Array(64);
  const visitWords = (w: Int32Array, id: number): void => {
    const x = wx as WordExpander;
    const fs = x.stateFindings(w, 0);
    for (let k = 0; k < fs.length; k++) note(fs[k] as Finding, () => traceTo(id));
    const o = x.outcome(w, 0);
    if (o !== undefined && !outcomes.has(o)) outcomes.set(o, { key: o, detail: x.outcomeDetail(w, 0), trace: traceTo(id) });
  };
  // sleep sets: asleep[id] is state id's mask (explorer/sleep.ts), set over its canonical edge
  const sleeper = sys.sleep === undefined ? undefined : new SleepExpansion(sys.sleep);
  const asleep = new Column();
  asleep.push(0);
  const init = sys.initial();
  seen.add(sys.key(init), 0);
  sys.keep?.(init);
  store(init);
  frontier.advance();
  parent.push(-1);
  choice.push(-1);
  visit(init, 0);
  let transitions = 0;
  let stopped: ExplorationResult['stopped'];
  let head = 0;
  // levelStart[l]: id of level l's first state; the level being expanded is levelStart.length - 2
  const levelStart = [0, 1];
  let handoff: Handoff<S> | undefined;
  outer: while (head < count) {
    if (head === levelStart[levelStart.length - 1]) {
      // All of the previous level is expanded: states head.. are exactly the next level.
      if (options.handOffAfter !== undefined && count >= options.handOffAfter) {
        handoff = handOff(seen, count, parent, choice, levelStart, head, asleep, frontier.nextStates());
        break;
      }
      levelStart.push(count);
      frontier.advance();
    }
    const id = head++;
    const rank = id - (levelStart[levelStart.length - 2] as number);
    let s: S | undefined;
    let ts: readonly T[] = NO_STEPS;
    let only: readonly number[] | undefined;
    let enabledCount: number;
    // (reduce's one step, from a WordExpander)
    let forced = -1;
    if (wx !== undefined) {
      enabledCount = wx.begin(frontier.words(), frontier.handle(rank));
      if (scratch.length < wx.width) scratch = new Int32Array(2 * wx.width);
      forced = wx.forced;
      if (sleeper !== undefined) sleeper.beginGroups(wx.groups, enabledCount, forced >= 0, asleep.at(id));
    } else {
      s = frontier.get(rank);
      ts = sys.enabled(s);
      enabledCount = ts.length;
      only = sys.reduce?.(s, ts);
      if (sleeper !== undefined) sleeper.begin(s, ts, only, asleep.at(id));
    }
    const n = forced >= 0 ? 1 : only === undefined ? enabledCount : only.length;
    for (let j = 0; j < n; j++) {
      const i = forced >= 0 ? forced : only === undefined ? j : (only[j] as number);
      if (sleeper !== undefined && sleeper.asleep(i)) continue;
      let r: ReturnType<TransitionSystem<S, T>['step']> | undefined;
      let k: string | number;
      let fs: readonly Finding[];
      if (wx !== undefined) {
        wx.step(i, scratch);
        k = wx.key;
        fs = wx.findings;
      } else {
        r = sys.step(s as S, ts[i] as T);
        k = sys.key(r.state);
        fs = r.findings;
      }
      const mask = sleeper === undefined ? 0 : sleeper.took(i);
      transitions++;
      for (let f = 0; f < fs.length; f++) note(fs[f] as Finding, () => traceTo(id, i));
      const nid = count;
      if (!seen.insert(k, nid)) continue;
      if (r === undefined) {
        const x = wx as WordExpander;
        frontier.pushWords(scratch, 0, x.width);
        count++;
      } else {
        sys.keep?.(r.state);
        store(r.state);
      }
      parent.push(id);
      choice.push(i);
      if (sleeper !== undefined) asleep.push(r === undefined ? mask : sleeper.carried(mask, r.perm));
      if (r !== undefined) visit(r.state, nid);
      else if (!(wx as WordExpander).plain) visitWords(scratch, nid);
      if (budget.maxStates !== undefined && count >= budget.maxStates) {
        stopped = 'max-states';
        break outer;
      }
    }
    if ((id & 1023) === 0) {
      if (budget.deadline !== undefined && Date.now() > budget.deadline) {
        stopped = 'timeout';
        break;
      }
      if (budget.cancelled?.() === true) {
        stopped = 'cancelled';
        break;
      }
      if (budget.overMemory?.() === true) {
        stopped = 'max-memory';
        break;
      }
      budget.progress?.({ distinct: count, transitions, frontier: count - head });
    }
  }
  const byKey = (a: Witnessed, b: Witnessed): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    outcomes: [...outcomes.values()].sort(byKey),
    findings: [...findings.values()].sort(byKey),
    distinct: count,
    transitions,
    complete: stopped === undefined && handoff === undefined,
    ...(stopped === undefined ? {} : { stopped }),
    ...(handoff === undefined ? {} : { handoff }),
  };
}

const NO_STEPS: readonly never[] = [];

// The search so far as a Handoff: `frontierStart` is the id of the frontier level's first state.
function handOff<S>(seen: KeyIndex, count: number, parent: Column, choice: Column, levelStart: number[], frontierStart: number, asleep: Column, frontier: S[]): Handoff<S> {
  const level = levelStart.length - 1;
  const bounds = [...levelStart, count];
  const levelOf = new Uint16Array(count);
  const levels = [];
  for (let l = 0; l <= level; l++) {
    const from = bounds[l] as number;
    const to = bounds[l + 1] as number;
    const p = new Uint32Array(to - from);
    const c = new Uint16Array(to - from);
    for (let id = from; id < to; id++) {
      levelOf[id] = l;
      if (l > 0) {
        p[id - from] = parent.at(id) - (bounds[l - 1] as number);
        c[id - from] = choice.at(id);
      }
    }
    levels.push({ parent: p, choice: c });
  }
  const known = [...seen.entries()].map(([key, id]) => {
    const l = levelOf[id] as number;
    return { key, level: l, parentRank: l === 0 ? 0 : parent.at(id) - (bounds[l - 1] as number), choice: l === 0 ? 0 : choice.at(id) };
  });
  return { level, levels, frontier, frontierSleep: frontier.map((_, i) => (frontierStart + i < asleep.length ? asleep.at(frontierStart + i) : 0)), known };
}

/** Replays a trace from the initial state; returns every state along it, or where it went wrong. */
export function replay<S, T>(
  sys: TransitionSystem<S, T>,
  trace: Trace,
): { ok: true; states: S[]; transitions: T[]; findings: Finding[][] } | { ok: false; step: number; message: string } {
  let s = sys.initial();
  const states = [s];
  const transitions: T[] = [];
  const findings: Finding[][] = [];
  for (let n = 0; n < trace.choices.length; n++) {
    const c = trace.choices[n] as number;
    const ts = sys.enabled(s);
    const t = ts[c];
    if (t === undefined) return { ok: false, step: n, message: `step ${n + 1}: choice ${c} but only ${ts.length} transitions are enabled (the trace is from another test or version)` };
    const r = sys.step(s, t);
    s = r.state;
    states.push(s);
    transitions.push(t);
    findings.push([...r.findings]);
  }
  return { ok: true, states, transitions, findings };
}
