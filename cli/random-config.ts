// User options of the random commands (random, replay --seed, bisect) turned once into a fully
// defaulted RandomConfig, and the final condition as a goal on machine states.

import { estimateLength } from '../explorer/pct.js';
import type { RandomConfig } from '../explorer/random.js';
import { evalProp } from '../model/outcome.js';
import type { Program } from '../model/program.js';
import type { MachineState } from '../model/state.js';
import { vmsaSystem } from './vmsa-system.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

/** Scheduler options as given on the command line. */
export interface SchedulerFlags {
  readonly scheduler?: 'pct' | 'uniform';
  readonly depth?: number;
  readonly maxSteps?: number;
  /** the data memory model the runs use (default sc); a run's trace replays only on its model */
  readonly model?: 'sc' | 'arm';
}

/** Defaults of the scheduler options. */
export const schedulerDefaults = { scheduler: 'pct', depth: 3, maxSteps: 10_000 } as const;

/** The configuration of seed `seed` on `prog`; PCT's k is estimated from the test alone. */
export function randomConfig(prog: Program, seed: number, flags: SchedulerFlags): RandomConfig {
  const maxSteps = flags.maxSteps ?? schedulerDefaults.maxSteps;
  const kind = flags.scheduler ?? schedulerDefaults.scheduler;
  if (kind === 'uniform') return { seed, scheduler: { kind }, maxSteps };
  const depth = flags.depth ?? schedulerDefaults.depth;
  return { seed, scheduler: { kind, depth, length: estimateLength(vmsaSystem(prog, { model: flags.model ?? DEFAULT_MODEL }), maxSteps) }, maxSteps };
}

/** The condition's proposition on a final state (true for a test without a condition, as herd counts it). */
export function conditionProp(prog: Program): (s: MachineState) => boolean {
  const c = prog.condition;
  return c === undefined ? () => true : (s) => evalProp(prog, s, c.prop);
}

/** The scheduler in words: `pct (depth 3, k 14)` or `uniform`. */
export function schedulerText(c: RandomConfig): string {
  const s = c.scheduler;
  return s.kind === 'pct' ? `pct (depth ${s.depth}, k ${s.length})` : 'uniform';
}

/** The command-line options that select `config`'s scheduler when they differ from the defaults (for printed replay commands). */
export function schedulerFlagsText(c: RandomConfig, model: 'sc' | 'arm' = DEFAULT_MODEL): string {
  const s = c.scheduler;
  const parts: string[] = [];
  if (model !== DEFAULT_MODEL) parts.push(`--model ${model}`);
  if (s.kind !== schedulerDefaults.scheduler) parts.push(`--scheduler ${s.kind}`);
  if (s.kind === 'pct' && s.depth !== schedulerDefaults.depth) parts.push(`--depth ${s.depth}`);
  if (c.maxSteps !== schedulerDefaults.maxSteps) parts.push(`--max-steps ${c.maxSteps}`);
  return parts.map((p) => ` ${p}`).join('');
}
