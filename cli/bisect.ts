// `shootdown bisect FILE --seed S`: finds the first random run of a seed (or of a range of seeds)
// that fails, and shrinks it to a minimal trace: fewest steps, then fewest context switches.
//
// A failure is a hazard (`--hazard KIND:Pn:VA`, or by default the first hazard any run shows) or
// the condition being observed (`--condition`, or by default when no run shows a hazard): for
// `exists` and `~exists` a final state satisfying the proposition, for `forall` one violating it.

import { readFile } from 'node:fs/promises';
import { emptySummary, mergeSummaries, randomRun, summariseRun, type RandomSummary, type RunRecord } from '../explorer/random.js';
import { shrink, type Failure } from '../explorer/shrink.js';
import { traceToken } from '../explorer/system.js';
import { ModelUnsupported } from '../model/machine.js';
import type { MachineState } from '../model/state.js';
import { loadSource } from './load-source.js';
import { randomRecord, randomResult, type RandomResult } from './random.js';
import { conditionProp, randomConfig, type SchedulerFlags } from './random-config.js';
import { explainTrace, renderSteps, type ExplainedStep } from './replay.js';
import { vmsaSystem } from './vmsa-system.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

/** What to look for. */
export type BisectTarget = { readonly kind: 'hazard'; readonly key: string } | { readonly kind: 'condition' };

/** Options of a bisection. */
export interface BisectOptions extends SchedulerFlags {
  /** first and last seed, inclusive */
  readonly seeds: readonly [number, number];
  /** runs per seed: 0 .. runs-1 */
  readonly runs: number;
  /** default: the first hazard, else the condition */
  readonly target?: BisectTarget;
  readonly variant?: string;
  /** herd's -unroll loop bound */
  readonly unroll?: number;
}

/** A trace with its length and context switches. */
export interface SizedTrace {
  readonly steps: number;
  readonly switches: number;
  readonly trace: string;
}

/** A failure found and shrunk. */
export interface BisectFound {
  readonly found: true;
  readonly test: string;
  readonly file: string;
  readonly seed: number;
  readonly run: number;
  readonly failure: BisectTarget;
  /** the runs of `seed` searched (0 .. the failing run, or all of them when falling back to the condition) */
  readonly searched: RandomResult;
  readonly original: SizedTrace;
  readonly minimal: SizedTrace;
  /** candidate replays the shrinker tried */
  readonly replays: number;
  readonly explanation: { readonly steps: readonly ExplainedStep[]; readonly final: string; readonly finished: boolean };
}

/** No run failed. */
export interface BisectNotFound {
  readonly found: false;
  readonly test: string;
  readonly file: string;
  readonly seeds: readonly [number, number];
  readonly runs: number;
  readonly target?: BisectTarget;
}

/** Bisects the test in `source`; a user-facing message if it cannot. */
export function bisectSource(source: string, file: string, opts: BisectOptions): { ok: true; result: BisectFound | BisectNotFound } | { ok: false; message: string } {
  const loaded = loadSource(source, file, opts.variant, opts.unroll);
  if (!loaded.ok) return loaded;
  const prog = loaded.program;
  const cond = prog.condition;
  if (opts.target?.kind === 'condition' && cond === undefined) return { ok: false, message: `${file}: --condition: the test has no final condition` };
  const model = opts.model ?? DEFAULT_MODEL;
  const sys = vmsaSystem(prog, { model });
  const prop = conditionProp(prog);
  const observed = (r: RunRecord): boolean => cond !== undefined && r.end === 'outcome' && r.goal !== (cond.quantifier === 'forall');
  const hazardOf = (r: RunRecord): string | undefined => {
    const t = opts.target;
    if (t?.kind === 'condition') return undefined;
    return r.findings.find((f) => !f.key.startsWith('flag:') && (t === undefined || f.key === t.key))?.key;
  };
  const base = randomConfig(prog, opts.seeds[0], opts);
  try {
    for (let seed = opts.seeds[0]; seed <= opts.seeds[1]; seed++) {
      const config = { ...base, seed };
      let summary: RandomSummary = emptySummary;
      let found: { rec: RunRecord; failure: BisectTarget } | undefined;
      let firstObserved: RunRecord | undefined;
      for (let run = 0; run < opts.runs && found === undefined; run++) {
        const rec = randomRun(sys, config, run, prop);
        summary = mergeSummaries(summary, summariseRun(rec));
        const key = hazardOf(rec);
        if (key !== undefined) found = { rec, failure: { kind: 'hazard', key } };
        else if (opts.target?.kind !== 'hazard' && firstObserved === undefined && observed(rec)) {
          firstObserved = rec;
          if (opts.target?.kind === 'condition') found = { rec, failure: { kind: 'condition' } };
        }
      }
      if (found === undefined && firstObserved !== undefined) found = { rec: firstObserved, failure: { kind: 'condition' } };
      if (found === undefined) continue;
      const failure: Failure<MachineState> =
        found.failure.kind === 'hazard' ? { kind: 'finding', key: found.failure.key } : { kind: 'goal', holds: cond?.quantifier === 'forall' ? (s) => !prop(s) : prop };
      const sh = shrink(sys, found.rec.trace, failure);
      const token = traceToken(sh.minimal.trace);
      const ex = explainTrace(prog, token, model);
      if (!ex.ok) throw new Error(`[internal] a shrunk trace does not replay: ${ex.message}`);
      return {
        ok: true,
        result: {
          found: true,
          test: loaded.test.name,
          file,
          seed,
          run: found.rec.run,
          failure: found.failure,
          searched: randomResult(loaded.test.name, file, prog, config, summary, model),
          original: { steps: sh.original.steps, switches: sh.original.switches, trace: traceToken(found.rec.trace) },
          minimal: { steps: sh.minimal.steps, switches: sh.minimal.switches, trace: token },
          replays: sh.checks,
          explanation: { steps: ex.steps, final: ex.final, finished: ex.finished },
        },
      };
    }
  } catch (e) {
    if (!(e instanceof ModelUnsupported)) throw e;
    const slot = prog.threads[e.proc]?.code[e.pc];
    const span = slot?.instr.span;
    return { ok: false, message: `${file}:${span?.line ?? 1}:${span?.col ?? 1}: unsupported: P${e.proc} '${slot?.instr.text ?? '?'}': ${e.message}` };
  }
  return { ok: true, result: { found: false, test: loaded.test.name, file, seeds: opts.seeds, runs: opts.runs, ...(opts.target === undefined ? {} : { target: opts.target }) } };
}

function targetText(t: BisectTarget | undefined): string {
  return t === undefined ? 'a hazard or the condition' : t.kind === 'hazard' ? `hazard ${t.key}` : 'the condition';
}

/** The text report of a bisection. */
export function bisectText(r: BisectFound | BisectNotFound, seeds: readonly [number, number]): string {
  const range = seeds[0] === seeds[1] ? `seed ${seeds[0]}` : `seeds ${seeds[0]}..${seeds[1]}`;
  if (!r.found) return `Bisect ${r.test}: ${range}, runs 0..${r.runs - 1}: no run shows ${targetText(r.target)}`;
  const s = r.searched;
  const out = [
    `Bisect ${r.test}: ${range}, scheduler ${s.schedulerText}`,
    `Failure: ${targetText(r.failure)}, first in run ${r.run} of seed ${r.seed} (${s.runs} run${s.runs === 1 ? '' : 's'} searched); shootdown replay ${r.file} --seed ${r.seed} --run ${r.run}${s.schedulerFlags}`,
    `Original ${r.original.steps} steps, ${r.original.switches} context switches [trace ${r.original.trace}]`,
    `Minimal ${r.minimal.steps} steps, ${r.minimal.switches} context switches [trace ${r.minimal.trace}] (test ${r.test}; ${r.replays} replays)`,
    ...renderSteps(r.explanation),
  ];
  return out.join('\n');
}

/** The JSON record of a bisection (one line): the searched runs as `random --json` reports them, and the shrunk trace. */
export function bisectJson(r: BisectFound | BisectNotFound): string {
  if (!r.found) return JSON.stringify({ test: r.test, file: r.file, found: false, seeds: r.seeds, runs: r.runs, target: r.target ?? null });
  return JSON.stringify({
    ...randomRecord(r.searched),
    found: true,
    run: r.run,
    failure: r.failure,
    original_steps: r.original.steps,
    original_switches: r.original.switches,
    original_trace: r.original.trace,
    minimal_steps: r.minimal.steps,
    minimal_switches: r.minimal.switches,
    trace: r.minimal.trace,
    replays: r.replays,
    steps: r.explanation.steps,
    final: r.explanation.final,
    finished: r.explanation.finished,
  });
}

/** Command-line flags of `bisect`. */
export interface BisectFlags extends SchedulerFlags {
  readonly seed?: number;
  readonly seeds?: readonly [number, number];
  readonly runs: number;
  readonly hazard?: string;
  readonly condition?: boolean;
  readonly json?: boolean;
  readonly variant?: string;
  /** herd's -unroll loop bound */
  readonly unroll?: number;
}

/** The bisect command; returns the exit status: 0 found and shrunk, 1 no run failed, 2 a user error. */
export async function bisectCommand(file: string, flags: BisectFlags): Promise<number> {
  const fail = (m: string): number => {
    process.stderr.write(`shootdown: ${m}\n`);
    return 2;
  };
  if ((flags.seed === undefined) === (flags.seeds === undefined)) return fail('bisect: give exactly one of --seed S and --seeds A..B');
  if (flags.hazard !== undefined && flags.condition === true) return fail('bisect: give at most one of --hazard and --condition');
  if (flags.hazard !== undefined && !/^[a-z-]+:P\d+:[^:\s]+$/.test(flags.hazard)) return fail(`bisect: --hazard '${flags.hazard}' is not KIND:Pn:VA (e.g. stale-tlb:P1:f)`);
  const seeds: [number, number] = flags.seeds === undefined ? [flags.seed as number, flags.seed as number] : [flags.seeds[0], flags.seeds[1]];
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (e) {
    return fail(`${file}: ${(e as Error).message}`);
  }
  const target: BisectTarget | undefined = flags.hazard !== undefined ? { kind: 'hazard', key: flags.hazard } : flags.condition === true ? { kind: 'condition' } : undefined;
  const r = bisectSource(source, file, {
    seeds,
    runs: flags.runs,
    ...(target === undefined ? {} : { target }),
    ...(flags.variant === undefined ? {} : { variant: flags.variant }),
    ...(flags.unroll === undefined ? {} : { unroll: flags.unroll }),
    ...(flags.scheduler === undefined ? {} : { scheduler: flags.scheduler }),
    ...(flags.depth === undefined ? {} : { depth: flags.depth }),
    ...(flags.maxSteps === undefined ? {} : { maxSteps: flags.maxSteps }),
    ...(flags.model === undefined ? {} : { model: flags.model }),
  });
  if (!r.ok) return fail(r.message);
  process.stdout.write(`${flags.json === true ? bisectJson(r.result) : bisectText(r.result, seeds)}\n`);
  return r.result.found ? 0 : 1;
}
