// `shootdown random FILE --seed S --runs N`: N seeded random runs of one test, each replayable
// alone from (S, run index), optionally split over worker threads with identical results.

import { Piscina } from 'piscina';
import { emptySummary, mergeSummaries, type RandomConfig, type RandomSummary } from '../explorer/random.js';
import type { SchedulerConfig } from '../explorer/scheduler.js';
import { traceToken } from '../explorer/system.js';
import type { Hazard } from '../model/hazards.js';
import type { Program } from '../model/program.js';
import { runRandomTask } from '../workers/random-worker.js';
import type { SerializedRandomResult, SerializedRandomTask } from '../workers/contract.js';
import { loadSource, readSourceOrReport } from './load-source.js';
import { randomConfig, schedulerFlagsText, schedulerText, type SchedulerFlags } from './random-config.js';
import { conditionText } from './run-test.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

/** Options of a random exploration. */
export interface RandomOptions extends SchedulerFlags {
  readonly seed: number;
  readonly runs: number;
  /** worker threads; 1 (the default) runs in the main thread */
  readonly workers?: number;
  readonly variant?: string;
  /** herd's -unroll loop bound */
  readonly unroll?: number;
  /** the compiled worker entry point; default: workers/random-worker.js beside this module's directory */
  readonly workerFile?: string;
}

/** A hazard seen by random runs: how many runs showed it, and the first. */
export interface RandomHazard extends Hazard {
  readonly runs: number;
  readonly run: number;
  /** the step of that run after which it held; `trace` stops there */
  readonly step: number;
  readonly trace: string;
}

/** A final state reached by random runs. */
export interface RandomState {
  readonly line: string;
  readonly satisfies: boolean;
  readonly runs: number;
  readonly run: number;
  readonly trace: string;
}

/** The result of a random exploration of one test. */
export interface RandomResult {
  readonly test: string;
  readonly file: string;
  readonly seed: number;
  readonly runs: number;
  readonly scheduler: SchedulerConfig;
  readonly schedulerText: string;
  /** the options that select this scheduler on the command line (empty for the defaults) */
  readonly schedulerFlags: string;
  readonly maxSteps: number;
  readonly condition?: string;
  /** over the runs that reached a final state: how many satisfied the condition's proposition */
  readonly observation: 'Always' | 'Sometimes' | 'Never';
  readonly positive: number;
  readonly negative: number;
  /** sorted by line */
  readonly states: readonly RandomState[];
  /** the first run whose final state satisfied the proposition */
  readonly satisfied?: { readonly run: number; readonly trace: string };
  readonly hazards: readonly RandomHazard[];
  readonly flags: readonly string[];
  /** runs that ended with nothing enabled and no outcome (a discarded execution, or a final state the filter rejects) */
  readonly stuck: number;
  /** runs cut off at maxSteps */
  readonly incomplete: number;
}

/** Orders hazards as `run` does: kind, then CPU, then address. */
export function hazardOrder(a: Hazard, b: Hazard): number {
  return a.kind === b.kind ? a.cpu - b.cpu || (a.va < b.va ? -1 : a.va > b.va ? 1 : 0) : a.kind < b.kind ? -1 : 1;
}

async function summarise(task: Omit<SerializedRandomTask, 'from' | 'to'>, runs: number, workers: number, workerFile: string | undefined): Promise<SerializedRandomResult> {
  if (workers <= 1) return runRandomTask({ ...task, from: 0, to: runs });
  // A few tasks per worker balance the load; the merge below is by run index, so the split never shows.
  const size = Math.max(1, Math.ceil(runs / (workers * 4)));
  const ranges: [number, number][] = [];
  for (let from = 0; from < runs; from += size) ranges.push([from, Math.min(runs, from + size)]);
  const pool = new Piscina<SerializedRandomTask, SerializedRandomResult>({
    filename: workerFile ?? new URL('../workers/random-worker.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
  });
  try {
    const results = await Promise.all(ranges.map(([from, to]) => pool.run({ ...task, from, to })));
    let summary: RandomSummary = emptySummary;
    let failed: SerializedRandomResult | undefined;
    for (const r of results) {
      if (r.ok) summary = mergeSummaries(summary, r.summary);
      else if (failed === undefined || (!failed.ok && r.run < failed.run)) failed = r;
    }
    return failed ?? { ok: true, summary };
  } finally {
    await pool.destroy();
  }
}

/** Runs `opts.runs` random runs of the test in `source`; a user-facing message if it cannot. */
export async function randomSource(source: string, file: string, opts: RandomOptions): Promise<{ ok: true; result: RandomResult } | { ok: false; message: string }> {
  const loaded = loadSource(source, file, opts.variant, opts.unroll);
  if (!loaded.ok) return loaded;
  const prog = loaded.program;
  const config = randomConfig(prog, opts.seed, opts);
  const task = { source, file, ...(opts.variant === undefined ? {} : { variant: opts.variant }), ...(opts.unroll === undefined ? {} : { unroll: opts.unroll }), ...(opts.model === undefined ? {} : { model: opts.model }), config };
  const r = await summarise(task, opts.runs, opts.workers ?? 1, opts.workerFile);
  if (!r.ok) return { ok: false, message: r.message };
  return { ok: true, result: randomResult(loaded.test.name, file, prog, config, r.summary, opts.model) };
}

/** The report of summary `s` of runs of `config` on `prog`. */
export function randomResult(test: string, file: string, prog: Program, config: RandomConfig, s: RandomSummary, model: 'sc' | 'arm' = DEFAULT_MODEL): RandomResult {
  const states: RandomState[] = s.outcomes.map((o) => ({ line: o.key, satisfies: o.goal > 0, runs: o.count, run: o.run, trace: traceToken(o.trace) }));
  const positive = s.goal.count;
  const negative = s.outcomes.reduce((n, o) => n + o.count, 0) - positive;
  const hazards: RandomHazard[] = s.findings
    .filter((f) => !f.key.startsWith('flag:'))
    .map((f) => ({ ...(f.detail as Hazard), runs: f.count, run: f.run, step: f.step, trace: traceToken(f.trace) }))
    .sort(hazardOrder);
  const flags = s.findings.filter((f) => f.key.startsWith('flag:')).map((f) => f.detail as string);
  if (hazards.some((h) => h.kind === 'amalgamation')) flags.unshift('Warning-BBM-expected');
  const first = s.goal.first;
  return {
    test,
    file,
    seed: config.seed,
    runs: s.runs,
    scheduler: config.scheduler,
    schedulerText: schedulerText(config),
    schedulerFlags: schedulerFlagsText(config, model),
    maxSteps: config.maxSteps,
    ...(prog.condition === undefined ? {} : { condition: conditionText(prog) }),
    observation: positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes',
    positive,
    negative,
    states,
    ...(first === undefined ? {} : { satisfied: { run: first.run, trace: traceToken(first.trace) } }),
    hazards,
    flags,
    stuck: s.stuck,
    incomplete: s.incomplete,
  };
}

/** The text report of a random exploration. */
export function randomText(r: RandomResult): string {
  const rerun = (run: number): string => `shootdown replay ${r.file} --seed ${r.seed} --run ${run}${r.schedulerFlags}`;
  const out: string[] = [];
  out.push(`Random ${r.test}: seed ${r.seed}, ${r.runs} runs, scheduler ${r.schedulerText}`);
  out.push(`States ${r.states.length}`);
  for (const s of r.states) out.push(`${s.line} [${s.runs} run${s.runs === 1 ? '' : 's'}]`);
  for (const f of r.flags) out.push(`Flag ${f}`);
  if (r.condition !== undefined) {
    out.push(`Condition ${r.condition}`);
    out.push(`Observation ${r.test} ${r.observation} ${r.positive} ${r.negative} (runs)`);
    if (r.satisfied !== undefined) out.push(`Satisfied first by run ${r.satisfied.run} [trace ${r.satisfied.trace}]: ${rerun(r.satisfied.run)}`);
  }
  for (const h of r.hazards) {
    out.push(`Hazard ${h.kind} P${h.cpu} ${h.va}: ${h.message} [${h.runs} run${h.runs === 1 ? '' : 's'}; first run ${h.run}, step ${h.step}] [trace ${h.trace}]`);
    out.push(`  ${rerun(h.run)}`);
  }
  if (r.hazards.length === 0) out.push('Hazards none');
  const ended = r.runs - r.stuck - r.incomplete;
  out.push(`Runs ${r.runs}: ${ended} final, ${r.stuck} stopped without an outcome, ${r.incomplete} incomplete (over ${r.maxSteps} steps)`);
  return out.join('\n');
}

/** The JSON record of a random exploration (one line). */
export function randomJson(r: RandomResult): string {
  return JSON.stringify(randomRecord(r));
}

/** The fields of the JSON record of a random exploration. */
export function randomRecord(r: RandomResult): Record<string, unknown> {
  return {
    test: r.test,
    file: r.file,
    seed: r.seed,
    runs: r.runs,
    scheduler: r.scheduler,
    max_steps: r.maxSteps,
    condition: r.condition ?? null,
    observation: r.observation,
    positive: r.positive,
    negative: r.negative,
    states: r.states.map((s) => s.line),
    witnesses: r.states.map((s) => ({ state: s.line, satisfies: s.satisfies, runs: s.runs, run: s.run, trace: s.trace })),
    satisfied: r.satisfied ?? null,
    flags: r.flags,
    hazards: r.hazards.map((h) => ({ kind: h.kind, cpu: h.cpu, va: h.va, message: h.message, runs: h.runs, run: h.run, step: h.step, trace: h.trace })),
    stuck: r.stuck,
    incomplete: r.incomplete,
  };
}

/** Command-line flags of `random`. */
export interface RandomFlags extends SchedulerFlags {
  readonly seed: number;
  readonly runs: number;
  readonly workers?: number;
  readonly json?: boolean;
  readonly variant?: string;
  /** herd's -unroll loop bound */
  readonly unroll?: number;
}

/** The random command; returns the exit status (0 done, 2 the test cannot be read, parsed or run). */
export async function randomCommand(file: string, flags: RandomFlags): Promise<number> {
  const source = await readSourceOrReport(file);
  if (source === undefined) return 2;
  const r = await randomSource(source, file, flags);
  if (!r.ok) {
    process.stderr.write(`shootdown: ${r.message}\n`);
    return 2;
  }
  process.stdout.write(`${flags.json === true ? randomJson(r.result) : randomText(r.result)}\n`);
  return 0;
}
