// `npm run bench`: exploration speed, measured in one run on this machine, printed as absolute
// numbers and ratios. Never asserts (speed targets are not unit tests).
//  1. the generated broadcast fixmap family (bench/fixmap-gen.ts), 2..BENCH_MAX_CPUS CPUs, every
//     interleaving (symmetry reduction off, so the raw search speed is measured): the search in
//     the main thread, then on 1 and 2 worker threads (the same engine), with the 2-worker
//     speedup and a check that all three results are identical; each model's largest test again
//     in the main thread, once its code is compiled; then what this machine gives two
//     threads at this moment: two independent 1-worker searches at once against one alone; then
//     the 2-worker speedup on the largest test cold (new pools) and steady (their later searches);
//  2. symmetry reduction on the fixmap family (the default): states and time against section 1,
//     and the same verdict, final states and hazards;
//  3. partial-order reduction: states with and without it over the conformance corpora;
//  4. the VMSA corpus in one `shootdown run`, next to herd7's recorded CPU time for the tests it
//     finished; then the tests herd7 could not finish.
// Environment: BENCH_MAX_CPUS (default 6), BENCH_ARM_MAX_CPUS (default 4), BENCH_SYM_ARM_MAX_CPUS
// (default 5), BENCH_TIMEOUT seconds per search (default 300), BENCH_CORPUS=0 to skip parts 3, 4.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixmapLitmus } from './fixmap-gen.js';
import { runSource, runSourceAsync, type RunOptions, type TestResult } from '../cli/run-test.js';
import { expandInputs } from '../litmus/files.js';
import { jsonRecord } from '../report/json.js';
import { ExplorePool } from '../workers/explore-host.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const shared = resolve(root, '..', 'shared', 'conformance');

/** herd7's CPU time on this machine kind for the broadcast fixmap test (issue 5's figures). */
const HERD: Record<number, string> = { 2: '0.04 s', 3: '2 s', 4: '333 s', 5: '-', 6: '-' };

const maxCpus = Number(process.env.BENCH_MAX_CPUS ?? 6);
const armMaxCpus = Number(process.env.BENCH_ARM_MAX_CPUS ?? 4);
const symArmMaxCpus = Number(process.env.BENCH_SYM_ARM_MAX_CPUS ?? 5);
const timeout = Number(process.env.BENCH_TIMEOUT ?? 300);
const withCorpus = process.env.BENCH_CORPUS !== '0';

const same = (a: TestResult, b: TestResult): boolean => jsonRecord(a).replace(/"ms":[0-9.]+/, '') === jsonRecord(b).replace(/"ms":[0-9.]+/, '');
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const col = (x: string | number, w: number): string => String(x).padEnd(w);

/** The unreduced results of section 1, for section 2 to compare with. */
const unreduced = new Map<string, TestResult>();

/** The largest CPU count whose search on `model` completed in section 1 (-Infinity if none). */
function largestDone(model: 'sc' | 'arm'): number {
  return Math.max(...[...unreduced.keys()].filter((k) => k.startsWith(`${model}:`)).map((k) => Number(k.slice(model.length + 1))));
}

async function fixmapFamily(pools: Map<number, ExplorePool>): Promise<void> {
  console.log('\n1. Broadcast fixmap family (one CPU remaps with TLBI VALE1IS + DSB ISH, the others read twice), every interleaving (--no-symmetry)');
  console.log('   main: the search in the main thread; 1w/2w: on 1 and 2 worker threads; speedup = 1w / 2w wall time');
  console.log(
    `   ${col('cpus', 5)}${col('model', 6)}${col('states', 9)}${col('transitions', 12)}${col('main', 10)}${col('states/s', 10)}${col('trans/s', 10)}${col('MB/M st', 9)}${col('1w', 10)}${col('2w', 10)}${col('speedup', 8)}${col('same', 5)}${col('verdict', 9)}herd7 CPU`,
  );
  const warm: string[] = [];
  for (const model of ['sc', 'arm'] as const) {
    const top = model === 'sc' ? maxCpus : armMaxCpus;
    for (let n = 2; n <= top; n++) {
      const src = fixmapLitmus(n, 'broadcast');
      const file = `fixmap-${n}.litmus`;
      const opts: RunOptions = { model, timeout, symmetry: false };
      global.gc?.();
      const before = process.memoryUsage().heapUsed;
      const seq = runSource(src, file, opts);
      const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
      const w1 = await runSourceAsync(src, file, opts, { pool: pools.get(1) as ExplorePool, after: 0 });
      const w2 = await runSourceAsync(src, file, opts, { pool: pools.get(2) as ExplorePool, after: 0 });
      const rate = (x: number): string => (seq.ms > 0 ? String(Math.round((x / seq.ms) * 1000)) : '-');
      const complete = seq.complete && w1.complete && w2.complete;
      console.log(
        `   ${col(n, 5)}${col(model, 6)}${col(seq.explored, 9)}${col(seq.transitions, 12)}${col(secs(seq.ms), 10)}${col(rate(seq.explored), 10)}${col(rate(seq.transitions), 10)}${col(seq.explored > 0 ? ((heapMb / seq.explored) * 1e6).toFixed(0) : '-', 9)}${col(secs(w1.ms), 10)}${col(secs(w2.ms), 10)}${col(`${(w1.ms / w2.ms).toFixed(2)}x`, 8)}${col(same(seq, w1) && same(seq, w2) ? 'yes' : 'NO', 5)}${col(complete ? (seq.observation ?? '?') : 'incomplete', 9)}${HERD[n] ?? '-'}`,
      );
      if (complete) unreduced.set(`${model}:${n}`, seq);
      if (!complete) break;
    }
    // The table's main column is each test's first search in this process: the largest test of a
    // model pays for most of the JIT compiling that model's code. Its second search shows the rest.
    const largest = largestDone(model);
    const first = unreduced.get(`${model}:${largest}`);
    if (first !== undefined) {
      const again = runSource(fixmapLitmus(largest, 'broadcast'), `fixmap-${largest}.litmus`, { model, timeout, symmetry: false });
      warm.push(`   ${largest}-CPU ${model} test again in the main thread (compiled by now): ${secs(again.ms)}, ${Math.round((again.explored / again.ms) * 1000)} states/s (first search: ${secs(first.ms)})`);
    }
  }
  for (const line of warm) console.log(line);
  // Two threads' worth of this machine right now: the largest SC test on two 1-worker pools at
  // once, against one of them alone (section 1's 1w). A 2-worker speedup cannot beat this ratio.
  const n = largestDone('sc');
  if (Number.isFinite(n)) {
    const src = fixmapLitmus(n, 'broadcast');
    const opts: RunOptions = { model: 'sc', timeout, symmetry: false };
    const alone = await runSourceAsync(src, 'cap.litmus', opts, { pool: pools.get(1) as ExplorePool, after: 0 });
    const other = new ExplorePool(1);
    try {
      const t0 = performance.now();
      await Promise.all([
        runSourceAsync(src, 'cap.litmus', opts, { pool: pools.get(1) as ExplorePool, after: 0 }),
        runSourceAsync(src, 'cap.litmus', opts, { pool: other, after: 0 }),
      ]);
      const both = performance.now() - t0;
      console.log(`   this machine now: two independent 1-worker searches of the ${n}-CPU test at once take ${secs(both)}, one alone ${secs(alone.ms)}: two threads give ${((2 * alone.ms) / both).toFixed(2)}x one thread`);
    } finally {
      await other.destroy();
    }
    await coldAndSteady(src, n, opts);
  }
}

/**
 * The 2-worker speedup on the largest SC test, cold and steady: the table's 1w and 2w come from
 * pools that earlier, smaller tests have partly warmed (a 2-worker pool's threads each ran about
 * half of those searches, so they are less warm than the 1-worker pool's). Cold: the first search
 * on new pools, every worker compiling the model from scratch. Steady: the same pools' third and
 * fourth searches of the test (median of the two), once the JIT has settled.
 */
async function coldAndSteady(src: string, n: number, opts: RunOptions): Promise<void> {
  const fresh = [new ExplorePool(1), new ExplorePool(2)] as const;
  try {
    const times = await Promise.all([0, 1].map(async () => [] as number[]));
    for (let round = 0; round < 4; round++) {
      for (const k of [0, 1] as const) {
        const r = await runSourceAsync(src, 'steady.litmus', opts, { pool: fresh[k], after: 0 });
        (times[k] as number[]).push(r.ms);
      }
    }
    const [one, two] = times as [number[], number[]];
    const steady = (t: number[]): number => ((t[2] as number) + (t[3] as number)) / 2;
    console.log(
      `   ${n}-CPU test on new pools: cold (first search) 1w ${secs(one[0] as number)}, 2w ${secs(two[0] as number)}: ${((one[0] as number) / (two[0] as number)).toFixed(2)}x; steady (3rd and 4th searches) 1w ${secs(steady(one))}, 2w ${secs(steady(two))}: ${(steady(one) / steady(two)).toFixed(2)}x`,
    );
  } finally {
    for (const p of fresh) await p.destroy();
  }
}

async function symmetryOnFamily(): Promise<void> {
  console.log('\n2. Symmetry reduction on the fixmap family (the default: the reading CPUs are interchangeable), in the main thread');
  console.log(`   ${col('maint.', 10)}${col('cpus', 5)}${col('model', 6)}${col('states', 9)}${col('unreduced', 11)}${col('reduction', 10)}${col('time', 10)}${col('unreduced', 11)}${col('speedup', 9)}${col('verdict', 10)}same states and hazards`);
  for (const maintenance of ['broadcast', 'local'] as const) {
    for (const model of ['sc', 'arm'] as const) {
      const top = model === 'sc' ? maxCpus : symArmMaxCpus;
      for (let n = 2; n <= top; n++) {
        const src = fixmapLitmus(n, maintenance);
        const on = runSource(src, `fixmap-${n}.litmus`, { model, timeout });
        const off = maintenance === 'broadcast' ? unreduced.get(`${model}:${n}`) : n <= (model === 'sc' ? 5 : 4) ? runSource(src, `fixmap-${n}.litmus`, { model, timeout, symmetry: false }) : undefined;
        const agree = (a: TestResult, b: TestResult): boolean =>
          a.observation === b.observation && a.states.map((x) => x.line).join('|') === b.states.map((x) => x.line).join('|') && a.hazards.map((h) => `${h.kind}${h.cpu}${h.va}`).join() === b.hazards.map((h) => `${h.kind}${h.cpu}${h.va}`).join();
        const offCell = (f: (r: TestResult) => string): string => (off === undefined ? '-' : f(off));
        console.log(
          `   ${col(maintenance, 10)}${col(n, 5)}${col(model, 6)}${col(on.explored, 9)}${col(offCell((r) => String(r.explored)), 11)}${col(offCell((r) => `${(r.explored / on.explored).toFixed(1)}x`), 10)}${col(secs(on.ms), 10)}${col(offCell((r) => secs(r.ms)), 11)}${col(offCell((r) => `${(r.ms / on.ms).toFixed(1)}x`), 9)}${col(on.complete ? (on.observation ?? '?') : 'incomplete', 10)}${off === undefined ? '-' : agree(on, off) ? 'yes' : 'NO'}`,
        );
        if (!on.complete) break;
      }
    }
  }
}

async function porOnCorpora(): Promise<void> {
  console.log('\n3. Partial-order reduction over the conformance corpora (SC model, tests answered both ways within 20 s)');
  console.log(`   ${col('corpus', 14)}${col('tests', 7)}${col('states', 11)}${col('with POR', 11)}${col('saved', 8)}${col('transitions', 13)}${col('with POR', 11)}same verdicts and state sets`);
  for (const corpus of ['aarch64-BBM', 'AArch64.kvm', 'aarch64', 'aarch64-VMSA']) {
    const dir = join(shared, 'corpus', corpus);
    if (!existsSync(dir)) continue;
    let tests = 0;
    let off = 0;
    let on = 0;
    let tOff = 0;
    let tOn = 0;
    let agree = 0;
    for (const file of (await expandInputs([dir])).files) {
      const src = readFileSync(file, 'utf8');
      const a = runSource(src, file, { model: 'sc', timeout: 20, defaultFaultMode: 'fatal', por: false, symmetry: false });
      const b = runSource(src, file, { model: 'sc', timeout: 20, defaultFaultMode: 'fatal', por: true, symmetry: false });
      if (a.status !== 'ok' || b.status !== 'ok' || !a.complete || !b.complete) continue;
      tests++;
      off += a.explored;
      on += b.explored;
      tOff += a.transitions;
      tOn += b.transitions;
      const lines = (r: TestResult): string => r.states.map((s) => s.line).sort().join('|');
      if (a.observation === b.observation && lines(a) === lines(b)) agree++;
    }
    console.log(`   ${col(corpus, 14)}${col(tests, 7)}${col(off, 11)}${col(on, 11)}${col(`${(100 * (1 - on / Math.max(1, off))).toFixed(1)}%`, 8)}${col(tOff, 13)}${col(tOn, 11)}${agree}/${tests}`);
  }
}

interface RunRecord {
  readonly test: string;
  readonly status: string;
  readonly complete: boolean;
  readonly ms: number;
}

// One `shootdown run` over `files` (through a herd @list file); its records and wall time.
function oneRun(files: readonly string[], timeoutS: number, model: 'sc' | 'arm'): { recs: RunRecord[]; wall: number } {
  const dir = mkdtempSync(join(tmpdir(), 'shootdown-bench-'));
  const list = join(dir, 'tests.txt');
  writeFileSync(list, `${files.join('\n')}\n`);
  const t0 = performance.now();
  let out = '';
  try {
    out = execFileSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'run', `@${list}`, '--model', model, '--variant', 'vmsa,fatal', '--timeout', String(timeoutS), '--json', '--quiet'], { maxBuffer: 1 << 28, encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? ''; // exit 2 for an unsupported test; the records are still there
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = (performance.now() - t0) / 1000;
  return { recs: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as RunRecord), wall };
}

function vmsaCorpusRun(): void {
  const dir = join(shared, 'corpus', 'aarch64-VMSA');
  const tsv = join(shared, 'herd7', 'results.tsv');
  if (!existsSync(dir) || !existsSync(tsv)) return;
  console.log('\n4. The aarch64-VMSA corpus in one `shootdown run` per model (-variant vmsa,fatal, workers auto)');
  const lines = readFileSync(tsv, 'utf8').split('\n');
  const header = (lines[0] ?? '').split('\t');
  const at = (name: string): number => header.indexOf(name);
  let herdCpu = 0;
  const finished: string[] = [];
  const unfinished: string[] = [];
  for (const l of lines.slice(1)) {
    const c = l.split('\t');
    if (c[at('corpus')] !== 'aarch64-VMSA') continue;
    const file = join(dir, c[at('file')] ?? '');
    if (c[at('herd_status')] === 'ok') {
      herdCpu += Number(c[at('cpu_s')] ?? 0);
      finished.push(file);
    } else unfinished.push(file);
  }
  console.log(`   herd7: ${herdCpu.toFixed(1)} s of CPU for the ${finished.length} tests it finished`);
  for (const model of ['arm', 'sc'] as const) {
    const a = oneRun(finished, 60, model);
    const answered = a.recs.filter((r) => r.status === 'ok').length;
    console.log(`   ${model}: the ${finished.length} tests herd7 finished: ${answered} answered, ${a.recs.filter((r) => r.status === 'timeout').length} timed out (60 s), wall ${a.wall.toFixed(1)} s; herd7 CPU / shootdown wall = ${(herdCpu / a.wall).toFixed(1)}x`);
    const b = oneRun(unfinished, 60, model);
    const slowest = b.recs.filter((r) => r.status === 'ok').reduce((m, r) => Math.max(m, r.ms), 0);
    const missed = b.recs.filter((r) => r.status !== 'ok').map((r) => `${r.test} (${r.status})`);
    console.log(`   ${model}: the ${unfinished.length} tests herd7 could not finish: ${b.recs.length - missed.length} answered within 60 s each (slowest ${(slowest / 1000).toFixed(1)} s), wall ${b.wall.toFixed(1)} s${missed.length === 0 ? '' : `; not answered: ${missed.join(', ')}`}`);
  }
}

const cores = availableParallelism();
console.log(`shootdown bench: node ${process.version}, ${cores} cores, ${new Date().toISOString()}`);
const pools = new Map([
  [1, new ExplorePool(1)],
  [2, new ExplorePool(2)],
]);
try {
  await fixmapFamily(pools);
  await symmetryOnFamily();
} finally {
  for (const p of pools.values()) await p.destroy();
}
if (withCorpus && existsSync(shared)) {
  await porOnCorpora();
  vmsaCorpusRun();
}
