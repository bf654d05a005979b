#!/usr/bin/env node
// The shootdown command line: `run`, `replay`. Options are turned once into a fully defaulted
// configuration; results are data printed by report/.

import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { expandInputs } from '../litmus/files.js';
import { herdBlock } from '../report/herd-text.js';
import { jsonRecord } from '../report/json.js';
import { readKinds, kindOf } from './kinds.js';
import { terminalProgress } from './progress.js';
import { replayCommand } from './replay.js';
import { runSource, type RunOptions, type TestResult } from './run-test.js';
import { variantFaultMode } from '../model/variant.js';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

interface RunFlags {
  json?: boolean;
  timeout?: number;
  kinds?: string;
  model: 'sc' | 'arm';
  maxStates?: number;
  variant?: string;
  evictions?: boolean;
  explain?: boolean;
  quiet?: boolean;
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
    ...(fm?.ok === true && fm.mode !== undefined ? { defaultFaultMode: fm.mode } : {}),
    evictions: flags.evictions === true,
    explain: flags.explain === true,
  };
  let mismatches = 0;
  let checked = 0;
  const progress = terminalProgress(flags.quiet !== true);
  for (const file of files) {
    let result: TestResult;
    try {
      progress.start(file);
      result = runSource(await readFile(file, 'utf8'), file, { ...opts, progress: (p) => progress.update(p) });
      progress.stop();
    } catch (e) {
      progress.stop();
      process.stderr.write(`shootdown: ${file}: ${(e as Error).message}\n`);
      exit = Math.max(exit, 3);
      continue;
    }
    if (result.status === 'error' || result.status === 'unsupported') exit = Math.max(exit, 2);
    if (result.hazardCheck?.ok === false) exit = Math.max(exit, 1);
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
  }
  if (kinds !== undefined) {
    process.stderr.write(`kinds: ${checked} checked, ${mismatches} mismatch${mismatches === 1 ? '' : 'es'}\n`);
    if (mismatches > 0) exit = Math.max(exit, 1);
  }
  return exit;
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
  .addOption(new Option('--model <model>', 'data memory model').choices(['sc', 'arm']).default('sc'))
  .addOption(new Option('--max-states <n>', 'stop each test after this many distinct states').argParser(positiveNumber))
  .option('--variant <list>', "herd's -variant: fault mode for tests whose header names none (e.g. vmsa,fatal)")
  .option('--evictions', 'also explore TLB evictions (never changes outcomes or hazards; more states)')
  .option('--explain', 'print the step-by-step replay of each hazard trace under it')
  .option('--quiet', 'no live progress line (it is only ever shown on a terminal, after a second)')
  .addHelpText(
    'after',
    '\nA test may pin its hazards with a header line `Hazards=amalgamation:P1:x stale-tlb:P1:x` or `Hazards=none`\n(herd ignores it); a difference is reported and gives exit status 1.\n\nExit status: 0 all tests answered; 1 a verdict differs from --kinds or a Hazards= line; 2 a file could not be read, parsed or is unsupported; 3 internal error.',
  )
  .action(async (paths: string[], flags: RunFlags) => {
    process.exitCode = await runCommand(paths, flags);
  });

program
  .command('replay')
  .description('re-run one trace of a test step by step, printing each step and the TLBs and descriptors after it')
  .argument('<file>', 'the litmus file the trace came from')
  .requiredOption('--trace <token>', 'trace token printed by run (v1:...)')
  .option('--json', 'print the steps as JSON')
  .option('--variant <list>', "herd's -variant, as for run")
  .action(async (file: string, flags: { trace: string; json?: boolean; variant?: string }) => {
    process.exitCode = await replayCommand(file, flags);
  });

await program.parseAsync(process.argv);
