// The messages between the main thread and the random-run workers. Workers get recipes, not
// objects: the litmus source and the range of runs; they re-parse and re-load. Everything here is
// plain data (structured-clone safe).

import type { MessagePort } from 'node:worker_threads';
import type { RandomConfig, RandomSummary } from '../explorer/random.js';
import type { FaultMode } from '../model/program.js';

/** A range of random runs to do: runs `from` .. `to - 1` of `config` on the test in `source`. */
export interface SerializedRandomTask {
  readonly source: string;
  readonly file: string;
  /** herd's -variant list, as given to the command */
  readonly variant?: string;
  /** herd's -unroll loop bound, as given to the command */
  readonly unroll?: number;
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

/** How to build one test's transition system in a worker: everything `run` decided for it. */
export interface SerializedExploreRecipe {
  readonly source: string;
  readonly file: string;
  /** fault mode for tests whose header names none (herd's -variant) */
  readonly defaultFaultMode?: FaultMode;
  /** loop bound (herd's -unroll) */
  readonly unroll?: number;
  readonly model: 'sc' | 'arm';
  readonly evictions: boolean;
  /** partial-order reduction on */
  readonly por: boolean;
  /** sleep sets on (with por) */
  readonly sleep: boolean;
  /** symmetry reduction on (the worker explores the same quotient as the main thread) */
  readonly symmetry: boolean;
  /** Date.now() milliseconds after which the search stops */
  readonly deadline?: number;
  readonly maxStates?: number;
  /** tests only: the first thread of partition `partition` exits when asked to expand level `level` */
  readonly crash?: { readonly partition: number; readonly level: number };
}

/**
 * One partition of a parallel exhaustive search (explorer/parallel.ts), as a piscina task that
 * lasts the whole search: the coordinator drives it over `port` with comlink; states stay in the
 * worker, and the only shared memory is the fingerprint table and the control words.
 */
export interface SerializedExploreTask {
  readonly recipe: SerializedExploreRecipe;
  readonly partition: number;
  /** 0 for the first thread of this partition, then 1, 2... after a thread died */
  readonly attempt: number;
  readonly port: MessagePort;
  readonly table: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/** What a worker throws for a construct the model does not support (ModelUnsupported as data). */
export interface SerializedUnsupported {
  readonly unsupported: { readonly proc: number; readonly pc: number; readonly message: string };
}
