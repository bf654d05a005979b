// Random runs, replay by seed and bisect on the relaxed model: the run's machine is the one its
// trace replays on, and the printed replay command names it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bisectSource } from '../../cli/bisect.js';
import { randomSource, randomText } from '../../cli/random.js';
import { randomConfig } from '../../cli/random-config.js';
import { regenerateRun } from '../../cli/replay-run.js';
import { explainTrace } from '../../cli/replay.js';
import { traceToken } from '../../explorer/system.js';
import { root } from '../dist.js';
import { program } from '../helpers.js';

const file = 'examples/fixmap-local-tlbi.litmus';
const source = readFileSync(join(root, file), 'utf8');

describe('random on the arm model (the default)', () => {
  it('finds the stale-TLB hazard, and the run regenerates and replays on the arm machine only', async () => {
    const r = await randomSource(source, file, { seed: 3, runs: 500, model: 'arm' });
    if (!r.ok) throw new Error(r.message);
    const h = r.result.hazards.find((x) => x.kind === 'stale-tlb');
    if (h === undefined) throw new Error('no stale-tlb hazard in 500 runs');
    // arm is the default model: the printed replay command needs no --model
    expect(randomText(r.result)).toContain(`--seed 3 --run ${h.run}`);
    expect(randomText(r.result)).not.toContain('--model');
    const prog = program(source, file);
    const rec = regenerateRun(prog, randomConfig(prog, 3, { model: 'arm' }), h.run, 'arm');
    // The hazard's trace is the run's, up to the step that showed it.
    expect(`${traceToken(rec.trace)}.`.startsWith(`${h.trace}.`)).toBe(true);
    const ex = explainTrace(prog, h.trace, 'arm');
    if (!ex.ok) throw new Error(ex.message);
    expect(ex.steps.flatMap((s) => s.hazards).map((x) => x.kind)).toContain('stale-tlb');
  });
  it('a run on the SC model prints a replay command that names it', async () => {
    const r = await randomSource(source, file, { seed: 3, runs: 50, model: 'sc' });
    if (!r.ok) throw new Error(r.message);
    expect(randomText(r.result)).toContain('--model sc');
  });
  it('bisect shrinks on the arm machine', () => {
    const r = bisectSource(source, file, { seeds: [3, 3], runs: 500, model: 'arm', target: { kind: 'hazard', key: 'stale-tlb:P1:f' } });
    if (!r.ok) throw new Error(r.message);
    if (!r.result.found) throw new Error('not found');
    expect(r.result.minimal.steps).toBeLessThanOrEqual(r.result.original.steps);
  });
});
