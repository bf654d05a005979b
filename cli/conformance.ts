#!/usr/bin/env node
// `npm run conformance`: runs every test of the shared conformance corpora (../shared/conformance)
// and compares verdicts, final-state sets and the break-before-make flag with herd7's results.
// A report: exit 0 unless --strict and a test both answered disagrees. Comparison logic lives in
// conformance-compare.ts.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseLitmus } from '../litmus/parser.js';
import {
  CORPORA,
  RESULT_COLUMNS,
  compareOne,
  disagreements,
  formatCorpus,
  formatOverview,
  jsonComparison,
  parseTsv,
  summarise,
  type Comparison,
  type CorpusSummary,
  classList,
  type TsvRow,
} from './conformance-compare.js';
import { runSource, type RunOptions, type TestResult } from './run-test.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

interface Flags {
  shared?: string;
  model: 'sc' | 'arm';
  timeout: number;
  corpus?: string[];
  json?: boolean;
  all?: boolean;
  strict?: boolean;
  class?: string[];
  grep?: RegExp;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function corpusName(v: string, prev: string[] | undefined): string[] {
  if (!(CORPORA as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown corpus; one of ${CORPORA.join(', ')}`);
  return [...(prev ?? []), v];
}

function vmsaClass(v: string, prev: string[] | undefined): string[] {
  if (!['a', 'b', 'c', 'd'].includes(v)) throw new InvalidArgumentError('expected a, b, c or d (see the conformance README)');
  return [...(prev ?? []), v];
}

function testPattern(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch (e) {
    throw new InvalidArgumentError(`not a regular expression: ${(e as Error).message}`);
  }
}

/** dist/cli/conformance.js → repo root is two levels up; the shared folder is its sibling. */
function defaultShared(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', '..', 'shared', 'conformance');
}

function errorResult(file: string, test: string, message: string): TestResult {
  return {
    test,
    file,
    status: 'error',
    problem: { line: 1, col: 1, message },
    states: [],
    positive: 0,
    negative: 0,
    flags: [],
    hazards: [],
    complete: false,
    explored: 0,
    transitions: 0,
    ms: 0,
  };
}

/** herd's output for a row: `out_file` is relative to herd7/ (`out/X.out`); a bare name is under out/. */
function outPath(herdDir: string, outFile: string): string {
  return outFile.includes('/') ? join(herdDir, outFile) : join(herdDir, 'out', outFile);
}

const progress = process.stderr.isTTY === true;

function showProgress(text: string): void {
  if (!progress) return;
  const width = process.stderr.columns ?? 100;
  process.stderr.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
}

function clearProgress(): void {
  if (progress) process.stderr.write(`\r${' '.repeat((process.stderr.columns ?? 100) - 1)}\r`);
}

async function runOne(corpus: string, corpusDir: string, herdDir: string, row: TsvRow, opts: RunOptions): Promise<Comparison> {
  const file = join(corpusDir, row['file'] ?? '');
  const test = row['test'] ?? file;
  let herdOut: string | undefined;
  const outFile = row['out_file'] ?? '';
  if (outFile !== '') herdOut = await readFile(outPath(herdDir, outFile), 'utf8').catch(() => undefined);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (e) {
    return compareOne(corpus, row, errorResult(file, test, `cannot read: ${(e as Error).message}`), herdOut);
  }
  const t0 = performance.now();
  try {
    return compareOne(corpus, row, runSource(source, file, opts), herdOut);
  } catch (e) {
    const ms = Math.round((performance.now() - t0) * 10) / 10;
    const internal = parseLitmus(source, file).ok;
    const msg = `${internal ? 'internal error: ' : ''}${(e as Error).message ?? String(e)}`;
    return compareOne(corpus, row, { ...errorResult(file, test, msg), ms }, herdOut, internal);
  }
}

async function main(flags: Flags): Promise<number> {
  const shared = flags.shared === undefined ? defaultShared() : resolve(flags.shared);
  const herdDir = join(shared, 'herd7');
  const tsvPath = join(herdDir, 'results.tsv');
  if (!existsSync(tsvPath)) {
    process.stdout.write(`conformance: no herd7 results at ${tsvPath} (the shared conformance folder is missing): skipped\n`);
    return 0;
  }
  let rows: TsvRow[];
  try {
    rows = parseTsv(await readFile(tsvPath, 'utf8'), RESULT_COLUMNS).rows;
  } catch (e) {
    process.stderr.write(`conformance: ${tsvPath}: ${(e as Error).message}\n`);
    return 2;
  }
  const opts: RunOptions = { model: flags.model, timeout: flags.timeout, defaultFaultMode: 'fatal' };
  const wanted = flags.corpus === undefined || flags.corpus.length === 0 ? CORPORA : CORPORA.filter((c) => flags.corpus?.includes(c));
  const cap = flags.all === true ? undefined : 40;
  const report = (text: string): void => {
    // with --json, stdout carries only the per-test records; the report goes to stderr
    (flags.json === true ? process.stderr : process.stdout).write(`${text}\n`);
  };
  report(`conformance: ${shared}  model ${flags.model}, timeout ${flags.timeout} s per test, default fault mode fatal\n`);
  const sums: CorpusSummary[] = [];
  let disagreeing = 0;
  for (const corpus of wanted) {
    const corpusRows = rows.filter(
      (r) =>
        r['corpus'] === corpus &&
        (flags.class === undefined || classList(r['vmsa_class'] ?? '').some((k) => flags.class?.includes(k))) &&
        (flags.grep === undefined || flags.grep.test(r['test'] ?? '') || flags.grep.test(r['file'] ?? '')),
    );
    if (corpusRows.length === 0) continue;
    const corpusDir = join(shared, 'corpus', corpus);
    const comps: Comparison[] = [];
    const t0 = performance.now();
    for (const [i, row] of corpusRows.entries()) {
      showProgress(`${corpus} ${i + 1}/${corpusRows.length} ${row['file'] ?? ''}`);
      const c = await runOne(corpus, corpusDir, herdDir, row, opts);
      comps.push(c);
      if (disagreements(c).length > 0) disagreeing++;
      if (flags.json === true) {
        clearProgress();
        process.stdout.write(`${jsonComparison(c)}\n`);
      }
    }
    clearProgress();
    const s = summarise(corpus, comps, performance.now() - t0);
    sums.push(s);
    report(`${formatCorpus(s, comps, cap)}\n`);
  }
  report(formatOverview(sums));
  return flags.strict === true && disagreeing > 0 ? 1 : 0;
}

// `conformance --json | head`: a closed pipe ends the run quietly
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('conformance')
  .description("run the shared conformance corpora and compare verdicts, final states and BBM flags with herd7's results")
  .option('--shared <dir>', 'the shared conformance folder (default: ../shared/conformance next to the repository)')
  .addOption(new Option('--model <model>', 'data memory model: arm (Armv8, as herd7 aarch64.cat) or sc (sequentially consistent: faster, fewer behaviours)').choices(['sc', 'arm']).default(DEFAULT_MODEL))
  .addOption(new Option('--timeout <seconds>', 'per-test exploration time limit').argParser(positiveNumber).default(60))
  .addOption(new Option('--corpus <name>', `only this corpus (repeatable): ${CORPORA.join(', ')}`).argParser(corpusName))
  .addOption(new Option('--class <c>', 'only aarch64-VMSA tests of this class (repeatable): a, b, c, d').argParser(vmsaClass))
  .addOption(new Option('--grep <regex>', 'only tests whose name or file matches').argParser(testPattern))
  .option('--json', 'one JSON record per test on stdout (the report goes to stderr)')
  .option('--all', 'list every disagreement and unsupported construct, with the differing states')
  .option('--strict', 'exit 1 when a test both answered disagrees (verdict, state set or BBM flag)')
  .addHelpText('after', '\nExit status: 0 report printed (or corpus missing: skipped); 1 --strict and a disagreement; 2 unreadable results.tsv.')
  .action(async (flags: Flags) => {
    process.exitCode = await main(flags);
  });

await program.parseAsync(process.argv);
