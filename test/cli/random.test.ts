// random, replay --seed and bisect on the fixmap example: the stale-TLB hazard is found, replayed
// and shrunk; results are byte-identical for any number of workers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { bisectJson, bisectSource, type BisectFound } from '../../cli/bisect.js';
import { randomJson, randomSource, randomText, type RandomResult } from '../../cli/random.js';
import { randomConfig } from '../../cli/random-config.js';
import { regenerateRun } from '../../cli/replay-run.js';
import { explainTrace } from '../../cli/replay.js';
import { runSource, type TestResult } from '../../cli/run-test.js';
import { traceToken } from '../../explorer/system.js';
import type { Program } from '../../model/program.js';
import { distFile, root } from '../dist.js';
import { program } from '../helpers.js';

const file = 'examples/fixmap-local-tlbi.litmus';
const source = readFileSync(join(root, file), 'utf8');
const SEED = 1;
const RUNS = 5000;

function hazardsShown(prog: Program, token: string, model?: 'sc' | 'arm'): string[] {
  const ex = explainTrace(prog, token, model);
  if (!ex.ok) throw new Error(ex.message);
  return ex.steps.flatMap((s) => s.hazards.map((h) => `${h.kind}:P${h.cpu}:${h.va}`));
}

async function random(opts: { runs: number; workers?: number }): Promise<RandomResult> {
  const r = await randomSource(source, file, { seed: SEED, ...opts, ...(opts.workers === undefined ? {} : { workerFile: distFile('workers/random-worker.js') }) });
  if (!r.ok) throw new Error(r.message);
  return r.result;
}

describe(`random on ${file}, seed ${SEED}`, () => {
  let one: RandomResult;
  let exhaustive: TestResult;
  beforeAll(async () => {
    one = await random({ runs: RUNS });
    exhaustive = runSource(source, file, { model: 'sc' });
  });

  it(`finds the stale-TLB hazard within ${RUNS} runs, and every final state exhaustive search finds`, () => {
    const h = one.hazards.find((x) => x.kind === 'stale-tlb' && x.cpu === 1 && x.va === 'f');
    expect(h?.run).toBeLessThan(RUNS);
    expect(one.hazards.map((x) => `${x.kind}:P${x.cpu}:${x.va}`)).toEqual(['amalgamation:P1:f', 'stale-tlb:P1:f']);
    expect(one.states.map((s) => s.line)).toEqual([...exhaustive.states.map((s) => s.line)].sort());
    expect(one.observation).toBe('Sometimes');
    expect(one.positive).toBeGreaterThan(0);
    expect(one.runs).toBe(RUNS);
  });

  it('is byte-identical when repeated and when split over 2 or 3 workers', async () => {
    const base = await random({ runs: 1000 });
    const again = await random({ runs: 1000 });
    const two = await random({ runs: 1000, workers: 2 });
    const three = await random({ runs: 1000, workers: 3 });
    expect(randomText(again)).toBe(randomText(base));
    expect(randomText(two)).toBe(randomText(base));
    expect(randomJson(two)).toBe(randomJson(base));
    expect(randomJson(three)).toBe(randomJson(base));
    expect(base.hazards.length).toBeGreaterThan(0);
  });

  it('replays: run i regenerated from (seed, i) starts with the reported hazard trace, which shows the hazard', () => {
    const prog = program(source);
    const config = randomConfig(prog, SEED, {});
    for (const h of one.hazards) {
      const run = regenerateRun(prog, config, h.run);
      expect(traceToken(run.trace).startsWith(h.trace)).toBe(true);
      expect(hazardsShown(prog, h.trace)).toContain(`${h.kind}:P${h.cpu}:${h.va}`);
    }
    const sat = one.satisfied;
    if (sat === undefined) throw new Error('condition never satisfied');
    const ex = explainTrace(prog, sat.trace);
    expect(ex.ok && ex.finished && ex.final).toBe('1:X4=2; 1:X5=1;');
  });

  it('JSON has observation, states and hazards with traces', () => {
    const j = JSON.parse(randomJson(one)) as { observation: string; states: string[]; hazards: { trace: string }[]; seed: number };
    expect(j.observation).toBe('Sometimes');
    expect(j.states).toHaveLength(7);
    expect(j.hazards.every((h) => /^v1:/.test(h.trace))).toBe(true);
    expect(j.seed).toBe(SEED);
  });
});

describe(`bisect on ${file}, seed ${SEED}`, () => {
  const exhaustive = runSource(source, file, { model: 'sc' });
  const bisect = (target?: { kind: 'hazard'; key: string } | { kind: 'condition' }): BisectFound => {
    const r = bisectSource(source, file, { seeds: [SEED, SEED], runs: RUNS, model: 'sc', ...(target === undefined ? {} : { target }) });
    if (!r.ok) throw new Error(r.message);
    if (!r.result.found) throw new Error('nothing found');
    return r.result;
  };

  it('shrinks the stale-TLB run to no more steps than the shortest trace exhaustive search finds', () => {
    const r = bisect({ kind: 'hazard', key: 'stale-tlb:P1:f' });
    const shortest = exhaustive.hazards.find((h) => h.kind === 'stale-tlb')?.trace.split(':')[1]?.split('.').length;
    expect(shortest).toBeDefined();
    expect(r.minimal.steps).toBeLessThanOrEqual(shortest as number);
    expect(r.minimal.steps).toBeLessThan(r.original.steps);
    expect(r.minimal.switches).toBeLessThanOrEqual(r.original.switches);
    expect(hazardsShown(program(source), r.minimal.trace, 'sc')).toContain('stale-tlb:P1:f');
  });

  it('by default shrinks the first hazard of the first failing run; --condition shrinks to the shortest witness', () => {
    const d = bisect();
    expect(d.failure.kind).toBe('hazard');
    expect(d.run).toBe(Math.min(...d.searched.hazards.map((h) => h.run)));
    const c = bisect({ kind: 'condition' });
    const witness = exhaustive.states.find((s) => s.satisfies)?.trace.split(':')[1]?.split('.').length;
    expect(c.minimal.steps).toBeLessThanOrEqual(witness as number);
    expect(c.explanation.final).toBe('1:X4=2; 1:X5=1;');
    const j = JSON.parse(bisectJson(c)) as Record<string, unknown>;
    expect([j.original_steps, j.minimal_steps, j.trace]).toEqual([c.original.steps, c.minimal.steps, c.minimal.trace]);
    expect(j.observation).toBe('Sometimes');
  });

  it('reports no failure on the correct (broadcast) fixmap over seeds 1..2', () => {
    const r = bisectSource(fixmapLitmus(2, 'broadcast'), 'b.litmus', { seeds: [1, 2], runs: 300 });
    expect(r.ok && r.result.found).toBe(false);
  });
});

describe('trace tokens across tests', () => {
  it('a token from another test is rejected with a clear message', () => {
    const three = program(fixmapLitmus(3, 'local'));
    const other = regenerateRun(three, randomConfig(three, 5, {}), 0);
    const ex = explainTrace(program(source), traceToken(other.trace));
    expect(ex.ok).toBe(false);
    if (!ex.ok) expect(ex.message).toMatch(/from another test/);
  });
});

describe('the command line (compiled)', () => {
  it('random --workers 2 --json prints what the library computes; replay --seed --run regenerates the run', async () => {
    const main = distFile('cli/main.js');
    const out = execFileSync(process.execPath, [main, 'random', file, '--seed', '3', '--runs', '300', '--workers', '2', '--json'], { cwd: root, encoding: 'utf8' });
    const lib = await randomSource(source, file, { seed: 3, runs: 300 });
    if (!lib.ok) throw new Error(lib.message);
    expect(out).toBe(`${randomJson(lib.result)}\n`);
    const h = lib.result.hazards.find((x) => x.kind === 'stale-tlb');
    if (h === undefined) throw new Error('no stale-tlb in 300 runs of seed 3');
    const rp = JSON.parse(execFileSync(process.execPath, [main, 'replay', file, '--seed', '3', '--run', String(h.run), '--json'], { cwd: root, encoding: 'utf8' })) as { trace: string; steps: { hazards: { kind: string }[] }[] };
    expect(rp.trace.startsWith(h.trace)).toBe(true);
    expect(rp.steps.some((s) => s.hazards.some((x) => x.kind === 'stale-tlb'))).toBe(true);
  });
});
