// Seeded random exploration: many complete runs, each driven by a scheduler over its own random
// stream derived from (seed, run index). A run is a pure function of (system, config, index), so
// any run replays alone and a range of runs can be split over workers: summaries of disjoint
// ranges merge into the same summary whatever the split.

import { pctScheduler } from './pct.js';
import { runStream, type Scheduler, type SchedulerConfig } from './scheduler.js';
import type { Trace, TransitionSystem } from './system.js';
import { uniformScheduler } from './uniform.js';

/** Fully defaulted options of a random exploration; plain data. */
export interface RandomConfig {
  readonly seed: number;
  readonly scheduler: SchedulerConfig;
  /** a run that has taken this many steps without ending is incomplete */
  readonly maxSteps: number;
}

/** A finding of one run: the step after which it first held (0: in the initial state). */
export interface RunFinding {
  readonly key: string;
  readonly detail: unknown;
  readonly step: number;
}

/** One complete (or cut-off) random run. */
export interface RunRecord {
  readonly run: number;
  readonly trace: Trace;
  /** `outcome`: reached a state with an outcome; `stuck`: nothing enabled and no outcome; `max-steps`: cut off */
  readonly end: 'outcome' | 'stuck' | 'max-steps';
  readonly outcome?: string;
  /** the goal predicate held in the final state (only when `end` is `outcome`) */
  readonly goal: boolean;
  /** distinct findings in order of first appearance */
  readonly findings: readonly RunFinding[];
}

/** The scheduler of one run. */
export function makeScheduler<S, T>(sys: TransitionSystem<S, T>, config: RandomConfig, run: number): Scheduler<T> {
  const rng = runStream(config.seed, run);
  const c = config.scheduler;
  return c.kind === 'pct' ? pctScheduler(sys, rng, c.depth, c.length) : uniformScheduler(rng);
}

/**
 * Run `run` of `config`: from the initial state until a state has an outcome, nothing is enabled,
 * or `maxSteps` steps. `goal` is evaluated on the state with an outcome.
 */
export function randomRun<S, T>(sys: TransitionSystem<S, T>, config: RandomConfig, run: number, goal?: (s: S) => boolean): RunRecord {
  const sched = makeScheduler(sys, config, run);
  const choices: number[] = [];
  const findings: RunFinding[] = [];
  const seen = new Set<string>();
  const note = (key: string, detail: unknown): void => {
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ key, detail, step: choices.length });
  };
  let s = sys.initial();
  for (const f of sys.stateFindings(s)) note(f.key, f.detail);
  for (;;) {
    const outcome = sys.outcome(s);
    const trace: Trace = { version: 1, choices };
    if (outcome !== undefined) return { run, trace, end: 'outcome', outcome, goal: goal?.(s) ?? false, findings };
    if (choices.length >= config.maxSteps) return { run, trace, end: 'max-steps', goal: false, findings };
    const ts = sys.enabled(s);
    if (ts.length === 0) return { run, trace, end: 'stuck', goal: false, findings };
    const c = sched.choose(ts, choices.length);
    const t = ts[c];
    if (t === undefined) throw new Error(`[internal] scheduler chose ${c} of ${ts.length} transitions`);
    const r = sys.step(s, t);
    choices.push(c);
    s = r.state;
    for (const f of r.findings) note(f.key, f.detail);
    for (const f of sys.stateFindings(s)) note(f.key, f.detail);
  }
}

/** How often something was seen over a range of runs, and the first run that showed it. */
export interface Seen {
  readonly key: string;
  readonly count: number;
  /** the lowest run index that showed it */
  readonly run: number;
  /** that run's trace; for a finding, cut at the step that showed it */
  readonly trace: Trace;
}

/** A finding seen over a range of runs, with its detail from the first run that showed it. */
export interface SeenFinding extends Seen {
  readonly detail: unknown;
  /** the step of the first run after which it held */
  readonly step: number;
}

/** What a range of runs found; merging summaries of disjoint ranges is associative and commutative. */
export interface RandomSummary {
  readonly runs: number;
  /** outcomes reached, sorted by key; `goal` counts runs whose final state satisfied the goal */
  readonly outcomes: readonly (Seen & { readonly goal: number })[];
  readonly findings: readonly SeenFinding[];
  /** runs whose final state satisfied the goal: how many, and the first */
  readonly goal: { readonly count: number; readonly first?: { readonly run: number; readonly trace: Trace } };
  readonly stuck: number;
  readonly incomplete: number;
}

/** The summary of no runs. */
export const emptySummary: RandomSummary = { runs: 0, outcomes: [], findings: [], goal: { count: 0 }, stuck: 0, incomplete: 0 };

/** The summary of one run. */
export function summariseRun(r: RunRecord): RandomSummary {
  return {
    runs: 1,
    outcomes: r.outcome === undefined ? [] : [{ key: r.outcome, count: 1, run: r.run, trace: r.trace, goal: r.goal ? 1 : 0 }],
    findings: [...r.findings]
      .sort((a, b) => cmp(a.key, b.key))
      .map((f) => ({ key: f.key, count: 1, run: r.run, trace: { version: 1, choices: r.trace.choices.slice(0, f.step) }, detail: f.detail, step: f.step })),
    goal: r.goal ? { count: 1, first: { run: r.run, trace: r.trace } } : { count: 0 },
    stuck: r.end === 'stuck' ? 1 : 0,
    incomplete: r.end === 'max-steps' ? 1 : 0,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Merges two key-sorted lists, summing counts and keeping the entry of the lower run.
function mergeSeen<X extends Seen>(a: readonly X[], b: readonly X[], sum: (x: X, y: X) => X): X[] {
  const out: X[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.key < y.key)) {
      out.push(x as X);
      i++;
    } else if (x === undefined || y.key < x.key) {
      out.push(y);
      j++;
    } else {
      out.push(x.run <= y.run ? sum(x, y) : sum(y, x));
      i++;
      j++;
    }
  }
  return out;
}

/** The summary of the union of two disjoint ranges of runs. */
export function mergeSummaries(a: RandomSummary, b: RandomSummary): RandomSummary {
  const af = a.goal.first;
  const bf = b.goal.first;
  const first = af === undefined ? bf : bf === undefined || af.run <= bf.run ? af : bf;
  return {
    runs: a.runs + b.runs,
    outcomes: mergeSeen(a.outcomes, b.outcomes, (x, y) => ({ ...x, count: x.count + y.count, goal: x.goal + y.goal })),
    findings: mergeSeen(a.findings, b.findings, (x, y) => ({ ...x, count: x.count + y.count })),
    goal: first === undefined ? { count: a.goal.count + b.goal.count } : { count: a.goal.count + b.goal.count, first },
    stuck: a.stuck + b.stuck,
    incomplete: a.incomplete + b.incomplete,
  };
}

/** Runs `from` .. `to - 1` of `config` and summarises them. */
export function exploreRandom<S, T>(sys: TransitionSystem<S, T>, config: RandomConfig, from: number, to: number, goal?: (s: S) => boolean): RandomSummary {
  let acc = emptySummary;
  for (let run = from; run < to; run++) acc = mergeSummaries(acc, summariseRun(randomRun(sys, config, run, goal)));
  return acc;
}

/** The first run in `from` .. `to - 1` for which `fails` holds, if any. */
export function firstRun<S, T>(
  sys: TransitionSystem<S, T>,
  config: RandomConfig,
  from: number,
  to: number,
  fails: (r: RunRecord) => boolean,
  goal?: (s: S) => boolean,
): RunRecord | undefined {
  for (let run = from; run < to; run++) {
    const r = randomRun(sys, config, run, goal);
    if (fails(r)) return r;
  }
  return undefined;
}
