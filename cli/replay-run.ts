// `shootdown replay FILE --seed S --run I`: regenerates run I of seed S (same scheduler options as
// the random command that printed it) and explains it step by step, as `replay --trace` does.

import { randomRun, type RandomConfig, type RunRecord } from '../explorer/random.js';
import { traceToken } from '../explorer/system.js';
import type { Program } from '../model/program.js';
import { loadFileOrReport } from './load-source.js';
import { conditionProp, randomConfig, schedulerText, type SchedulerFlags } from './random-config.js';
import { explainTrace, renderSteps } from './replay.js';
import { vmsaSystem } from './vmsa-system.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

/** Run `run` of `config` on `prog`, regenerated from its seed. */
export function regenerateRun(prog: Program, config: RandomConfig, run: number, model: 'sc' | 'arm' = DEFAULT_MODEL): RunRecord {
  return randomRun(vmsaSystem(prog, { model }), config, run, conditionProp(prog));
}

const endText: Record<RunRecord['end'], string> = {
  outcome: 'reached a final state',
  stuck: 'stopped without an outcome (nothing enabled)',
  'max-steps': 'incomplete (cut off at --max-steps)',
};

/** Flags of `replay --seed`. */
export interface ReplayRunFlags extends SchedulerFlags {
  readonly seed: number;
  readonly run: number;
  readonly json?: boolean;
  readonly variant?: string;
  readonly unroll?: number;
}

/** The replay-by-seed command; returns the exit status. */
export async function replayRunCommand(file: string, flags: ReplayRunFlags): Promise<number> {
  const loaded = await loadFileOrReport(file, flags.variant, flags.unroll);
  if (loaded === undefined) return 2;
  const config = randomConfig(loaded.program, flags.seed, flags);
  const rec = regenerateRun(loaded.program, config, flags.run, flags.model ?? DEFAULT_MODEL);
  const token = traceToken(rec.trace);
  const r = explainTrace(loaded.program, token, flags.model ?? DEFAULT_MODEL);
  if (!r.ok) throw new Error(`[internal] a regenerated run does not replay: ${r.message}`);
  if (flags.json === true) {
    const record = { test: loaded.test.name, file, seed: flags.seed, run: flags.run, scheduler: config.scheduler, max_steps: config.maxSteps, end: rec.end, trace: token, steps: r.steps, final: r.final, finished: r.finished };
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return 0;
  }
  const head = `Replay ${loaded.test.name} run ${flags.run} of seed ${flags.seed}, scheduler ${schedulerText(config)}: ${rec.trace.choices.length} steps, ${endText[rec.end]} [trace ${token}]`;
  process.stdout.write(`${[head, ...renderSteps(r)].join('\n')}\n`);
  return 0;
}
