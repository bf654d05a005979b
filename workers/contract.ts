// The messages between the main thread and the random-run workers. Workers get recipes, not
// objects: the litmus source and the range of runs; they re-parse and re-load. Everything here is
// plain data (structured-clone safe).

import type { RandomConfig, RandomSummary } from '../explorer/random.js';

/** A range of random runs to do: runs `from` .. `to - 1` of `config` on the test in `source`. */
export interface SerializedRandomTask {
  readonly source: string;
  readonly file: string;
  /** herd's -variant list, as given to the command */
  readonly variant?: string;
  /** the data memory model (default sc) */
  readonly model?: 'sc' | 'arm';
  readonly config: RandomConfig;
  readonly from: number;
  readonly to: number;
}

/** A summary of runs; hazard details are model/hazards.ts `Hazard` records. */
export type SerializedRandomSummary = RandomSummary;

/**
 * What a task found, or why it stopped: the test does not load (`run` -1), or run `run` met a
 * construct the model does not support (the first such run of the range).
 */
export type SerializedRandomResult =
  | { readonly ok: true; readonly summary: SerializedRandomSummary }
  | { readonly ok: false; readonly run: number; readonly message: string };
