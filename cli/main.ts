#!/usr/bin/env node
// The shootdown command line: `run`, `replay`, `random`, `bisect`. Options are turned once into a
// fully defaulted configuration; results are data printed by report/.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { expandInputs } from '../litmus/files.js';
import { herdBlock } from '../report/herd-text.js';
import { jsonRecord } from '../report/json.js';
import { readKinds, kindOf } from './kinds.js';
import { terminalProgress } from './progress.js';
import { bisectCommand, type BisectFlags } from './bisect.js';
import { randomCommand, type RandomFlags } from './random.js';
import { schedulerDefaults } from './random-config.js';
import { replayCommand } from './replay.js';
import { replayRunCommand } from './replay-run.js';
import { runSourceAsync, type ParallelOptions, type RunOptions, type TestResult } from './run-test.js';
import { ExplorePool } from '../workers/explore-host.js';
import { autoWorkers } from './auto-workers.js';
import { variantFaultMode } from '../model/variant.js';
import { DEFAULT_UNROLL } from '../model/load.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function index(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/** herd's -unroll: how many times a thread may branch back to one label. */
function unrollOption(): Option {
  return new Option('--unroll <n>', "loop bound, as herd's -unroll: a run that branches back to a label more than N times is not explored (0: no bound)")
    .argParser(index)
    .default(DEFAULT_UNROLL);
}

function seedRange(v: string): [number, number] {
  const m = /^(\d+)\.\.(\d+)$/.exec(v.trim());
  const a = Number(m?.[1]);
  const b = Number(m?.[2]);
  if (m === null || !Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a > b) throw new InvalidArgumentError('expected A..B with A <= B (e.g. 1..100)');
  return [a, b];
}

// The scheduler options shared by random, replay --seed and bisect.
function schedulerOptions(): Option[] {
  return [
    new Option('--scheduler <name>', 'how a run picks the next transition: pct (priorities per thread, good at rare interleavings) or uniform').choices(['pct', 'uniform']),
    new Option('--depth <d>', `PCT bug depth: d-1 priority change points per run (default ${schedulerDefaults.depth})`).argParser(count),
    new Option('--max-steps <n>', `a run longer than this stops, reported incomplete (default ${schedulerDefaults.maxSteps})`).argParser(count),
    new Option('--model <model>', 'data memory model (a trace replays only on the model it came from)').choices(['sc', 'arm']),
  ];
}

interface RunFlags {
  json?: boolean;
  timeout?: number;
  kinds?: string;
  model: 'sc' | 'arm';
  maxStates?: number;
  maxMemory?: number;
  variant?: string;
  unroll: number;
  evictions?: boolean;
  explain?: boolean;
  quiet?: boolean;
  workers: number | 'auto';
  por: boolean;
  symmetry: boolean;
  parallelAfter: number;
}

async function runCommand(paths: string[], flags: RunFlags): Promise<number> {
  const { files, errors } = await expandInputs(paths);
  let exit = 0;
  for (const e of errors) {
    process.stderr.write(`shootdown: ${e.path}: ${e.message}\n`);
    exit = 2;
  }
  const kinds = flags.kinds === undefined ? undefined : await readKinds(flags.kinds);
  const fm = flags.variant === undefined ? undefined : variantFaultMode(flags.variant);
  if (fm !== undefined && !fm.ok) {
    process.stderr.write(`shootdown: --variant: ${fm.message}\n`);
    return 2;
  }
  const opts: RunOptions = {
    model: flags.model,
    ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
    ...(flags.maxStates === undefined ? {} : { maxStates: flags.maxStates }),
    ...(flags.maxMemory === undefined ? {} : { maxMemoryMb: flags.maxMemory }),
    ...(fm?.ok === true && fm.mode !== undefined ? { defaultFaultMode: fm.mode } : {}),
    unroll: flags.unroll,
    evictions: flags.evictions === true,
    explain: flags.explain === true,
    por: flags.por,
    symmetry: flags.symmetry,
  };
  let mismatches = 0;
  let checked = 0;
  const progress = terminalProgress(flags.quiet !== true);
  // Ctrl-C stops the search under way; its partial result is printed and the run exits 130.
  // A second Ctrl-C exits at once.
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const workers = flags.workers === 'auto' ? autoWorkers(availableParallelism()) : flags.workers;
  let pool: ExplorePool | undefined;
  const parallel: ParallelOptions = {
    get pool() {
      pool ??= new ExplorePool(workers);
      return pool;
    },
    // (no workers: the search never hands off, and the pool is never made)
    after: workers === 0 ? Number.POSITIVE_INFINITY : flags.parallelAfter,
  };
  try {
    for (const file of files) {
      // let a pending Ctrl-C be seen between tests
      await new Promise((r) => setImmediate(r));
      if (interrupted) break;
      let result: TestResult;
      try {
        progress.start(file);
        result = await runSourceAsync(await readFile(file, 'utf8'), file, { ...opts, progress: (p) => progress.update(p), cancelled: () => interrupted }, parallel);
        progress.stop();
      } catch (e) {
        progress.stop();
        process.stderr.write(`shootdown: ${file}: ${(e as Error).message}\n`);
        exit = Math.max(exit, 3);
        continue;
      }
      const line = report(result);
      if (line !== undefined) exit = Math.max(exit, line);
      if (interrupted) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await pool?.destroy();
  }
  if (kinds !== undefined) {
    process.stderr.write(`kinds: ${checked} checked, ${mismatches} mismatch${mismatches === 1 ? '' : 'es'}\n`);
    if (mismatches > 0) exit = Math.max(exit, 1);
  }
  if (interrupted) {
    process.stderr.write('shootdown: interrupted\n');
    return 130;
  }
  return exit;

  // Prints one result; the exit status it calls for, if any.
  function report(result: TestResult): number | undefined {
    let status: number | undefined;
    if (result.status === 'error' || result.status === 'unsupported') status = 2;
    if (result.hazardCheck?.ok === false) status = Math.max(status ?? 0, 1);
    let kindLine: string | undefined;
    if (kinds !== undefined && (result.status === 'ok' || result.status === 'timeout')) {
      const expected = kinds.get(result.test);
      if (expected !== undefined) {
        checked++;
        const got = kindOf(result);
        if (got !== expected) {
          mismatches++;
          kindLine = `Kind mismatch ${result.test}: expected ${expected}, got ${got}`;
        }
      }
    }
    if (flags.json === true) process.stdout.write(`${jsonRecord(result)}\n`);
    else process.stdout.write(`${herdBlock(result)}\n${kindLine === undefined ? '' : `${kindLine}\n`}\n`);
    return status;
  }
}

function workerCount(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0 || n > 64) throw new InvalidArgumentError("expected 'auto' or a number of threads from 1 to 64");
  return n;
}

const program = new Command();
program
  .name('shootdown')
  .description('Model checker for page tables, TLBs and TLB maintenance: herd7-format AArch64 VMSA litmus tests, every interleaving explored')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('run')
  .description('explore every interleaving of each test and print herd7-style verdicts, final states and hazards')
  .argument('<paths...>', 'litmus files, directories (searched for *.litmus) or @list files')
  .option('--json', 'one JSON object per test per line')
  .addOption(new Option('--timeout <seconds>', 'stop each test after this long and report what was found, marked incomplete').argParser(positiveNumber))
  .option('--kinds <file>', 'check verdicts against a herd kinds file (NAME Allowed|Forbidden|Required); exit 1 on a mismatch')
  .addOption(new Option('--model <model>', 'data memory model: arm (Armv8, as herd7 aarch64.cat) or sc (sequentially consistent: faster, fewer behaviours)').choices(['sc', 'arm']).default(DEFAULT_MODEL))
  .addOption(new Option('--max-states <n>', 'stop each test after this many distinct states').argParser(positiveNumber))
  .addOption(new Option('--max-memory <MiB>', "stop a test once the process's resident memory (worker threads included) exceeds this many MiB").argParser(positiveNumber))
  .option('--variant <list>', "herd's -variant: fault mode for tests whose header names none (e.g. vmsa,fatal)")
  .addOption(unrollOption())
  .option('--evictions', 'also explore TLB evictions (never changes outcomes or hazards; more states)')
  .option('--explain', 'print the step-by-step replay of each hazard trace under it')
  .option('--quiet', 'no live progress line (it is only ever shown on a terminal, after a second)')
  .addOption(new Option('--workers <n>', "worker threads for tests that outgrow the main thread: a number or 'auto' (one per core on machines with more than 2; on 1 or 2 cores the main thread alone, which is faster there); results are identical for any number").argParser(workerCount).default('auto'))
  .option('--no-por', 'turn partial-order reduction off (verdicts and state sets are the same; more states are explored)')
  .option('--no-symmetry', 'turn symmetry reduction off: CPUs with the same code and registers are no longer interchangeable (same verdicts, state sets and hazards; more states)')
  .addOption(new Option('--parallel-after <states>', 'a search moves to the worker threads after this many states in the main thread (0: at once)').argParser(index).default(20_000))
  .addHelpText(
    'after',
    '\nA test may pin its hazards with a header line `Hazards=amalgamation:P1:x stale-tlb:P1:x` or `Hazards=none`\n(herd ignores it); a difference is reported and gives exit status 1.\n\nExit status: 0 all tests answered; 1 a verdict differs from --kinds or a Hazards= line; 2 a file could not be read, parsed or is unsupported; 3 internal error; 130 interrupted (Ctrl-C: the partial result of the test under way is printed).',
  )
  .action(async (paths: string[], flags: RunFlags) => {
    process.exitCode = await runCommand(paths, flags);
  });

const replayCmd = program
  .command('replay')
  .description('re-run one trace of a test step by step, printing each step and the TLBs and descriptors after it')
  .argument('<file>', 'the litmus file the trace came from')
  .option('--trace <token>', 'trace token printed by run, random or bisect (v1:...)')
  .addOption(new Option('--seed <s>', 'with --run: regenerate run I of seed S of `random` (give the same scheduler options)').argParser(index))
  .addOption(new Option('--run <i>', 'with --seed: the run index').argParser(index))
  .option('--json', 'print the steps as JSON')
  .option('--variant <list>', "herd's -variant, as for run")
  .addOption(unrollOption());
for (const o of schedulerOptions()) replayCmd.addOption(o);
replayCmd.action(async (file: string, flags: { trace?: string; seed?: number; run?: number; json?: boolean; variant?: string; unroll?: number } & Omit<RandomFlags, 'seed' | 'runs'>) => {
  if (flags.trace !== undefined && flags.seed === undefined && flags.run === undefined) {
    process.exitCode = await replayCommand(file, { ...flags, trace: flags.trace });
  } else if (flags.trace === undefined && flags.seed !== undefined && flags.run !== undefined) {
    process.exitCode = await replayRunCommand(file, { ...flags, seed: flags.seed, run: flags.run });
  } else {
    process.stderr.write('shootdown: replay: give either --trace TOKEN or both --seed S and --run I\n');
    process.exitCode = 2;
  }
});

const randomCmd = program
  .command('random')
  .description('explore a test by seeded random runs; each run replays alone from its seed and index')
  .argument('<file>', 'a litmus file')
  .addOption(new Option('--seed <s>', 'the seed: run I draws from its own stream derived from (S, I)').argParser(index).makeOptionMandatory())
  .addOption(new Option('--runs <n>', 'number of runs').argParser(count).default(1000))
  .addOption(new Option('--workers <k>', 'split the runs over K worker threads (results are identical for any K)').argParser(count).default(1))
  .option('--json', 'one JSON object')
  .option('--variant <list>', "herd's -variant, as for run")
  .addOption(unrollOption());
for (const o of schedulerOptions()) randomCmd.addOption(o);
randomCmd.action(async (file: string, flags: RandomFlags) => {
  process.exitCode = await randomCommand(file, flags);
});

const bisectCmd = program
  .command('bisect')
  .description('find the first failing random run of a seed (or range of seeds) and shrink it to a minimal trace')
  .argument('<file>', 'a litmus file')
  .addOption(new Option('--seed <s>', 'the seed to search').argParser(index))
  .addOption(new Option('--seeds <A..B>', 'search seeds A to B in order; the first failing one is shrunk').argParser(seedRange))
  .addOption(new Option('--runs <n>', 'runs searched per seed').argParser(count).default(10_000))
  .option('--hazard <KIND:Pn:VA>', 'the failure to look for (e.g. stale-tlb:P1:f); default: the first hazard, else the condition')
  .option('--condition', 'look for the condition instead: its proposition holding (exists, ~exists) or failing (forall)')
  .option('--json', 'one JSON object')
  .option('--variant <list>', "herd's -variant, as for run")
  .addOption(unrollOption())
  .addHelpText('after', '\nExit status: 0 a failing run was found and shrunk; 1 no run failed; 2 a usage or test error.');
for (const o of schedulerOptions()) bisectCmd.addOption(o);
bisectCmd.action(async (file: string, flags: BisectFlags) => {
  process.exitCode = await bisectCommand(file, flags);
});

await program.parseAsync(process.argv);
