// Sleep sets (explorer/sleep.ts; the groups are Machine.sleepGroup and RelaxedMachine.sleepGroup)
// change nothing a run reports but the number of transitions taken: on every corpus test, on
// both models, with symmetry reduction and without, and in the fault modes that enter handlers,
// retry or skip, and cut short by --max-states, the --json record is the same with them and
// without them apart from timing and that count.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSource, type RunOptions } from '../../cli/run-test.js';
import { expandInputs } from '../../litmus/files.js';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { jsonRecord } from '../../report/json.js';
import { root } from '../dist.js';

const SHARED = resolve(root, '../shared/conformance/corpus');
const LIMIT = 50_000;
const strip = (r: Parameters<typeof jsonRecord>[0]): string => jsonRecord(r).replace(/"ms":[0-9.]+/, '').replace(/"transitions":[0-9]+/, '');

describe.skipIf(!existsSync(SHARED))('sleep sets over the corpora', () => {
  const modes: [string, Partial<RunOptions>][] = [
    ['sc, symmetry, fatal faults', { defaultFaultMode: 'fatal' }],
    ['sc, no symmetry, handled faults', { symmetry: false, defaultFaultMode: 'handled' }],
    ['sc, symmetry, skipped faults', { defaultFaultMode: 'skip' }],
    ['arm, symmetry, fatal faults', { model: 'arm', defaultFaultMode: 'fatal', maxStates: 20_000 }],
    // cut short: the same states come first, and an edge's findings show no later than without
    ['sc, no symmetry, stopped at 300 states', { symmetry: false, defaultFaultMode: 'fatal', maxStates: 300 }],
  ];
  for (const [name, mode] of modes) {
    it(`${name}: the same records, fewer transitions`, async () => {
      let compared = 0;
      let off = 0;
      let on = 0;
      for (const corpus of ['aarch64-BBM', 'AArch64.kvm', 'aarch64', 'aarch64-VMSA']) {
        for (const file of (await expandInputs([join(SHARED, corpus)])).files) {
          const src = readFileSync(file, 'utf8');
          const opts: RunOptions = { model: 'sc', maxStates: LIMIT, ...mode };
          const a = runSource(src, file, { ...opts, sleep: false });
          const b = runSource(src, file, opts);
          expect(strip(b), file).toBe(strip(a));
          expect(b.transitions, file).toBeLessThanOrEqual(a.transitions);
          compared++;
          off += a.transitions;
          on += b.transitions;
        }
      }
      expect(compared).toBeGreaterThan(1000);
      // (a search cut short has taken fewer of the steps sleep sets save)
      expect(on).toBeLessThan(off * (mode.maxStates === 300 ? 0.97 : 0.9));
    }, 120_000);
  }
});

describe('sleep sets on the fixmap family', () => {
  it('arm model, 4 CPUs, every interleaving: the same record, under half the transitions', () => {
    const src = fixmapLitmus(4, 'broadcast');
    const a = runSource(src, 'fixmap4.litmus', { model: 'arm', symmetry: false, sleep: false });
    const b = runSource(src, 'fixmap4.litmus', { model: 'arm', symmetry: false });
    expect(b.complete).toBe(true);
    expect(strip(b)).toBe(strip(a));
    expect(b.transitions).toBeLessThan(a.transitions / 2);
  });
  for (const maintenance of ['broadcast', 'local'] as const) {
    it(`${maintenance}, 5 CPUs, every interleaving: the same record, under half the transitions`, () => {
      const src = fixmapLitmus(5, maintenance);
      const a = runSource(src, 'fixmap5.litmus', { model: 'sc', symmetry: false, sleep: false });
      const b = runSource(src, 'fixmap5.litmus', { model: 'sc', symmetry: false });
      expect(b.complete).toBe(true);
      expect(strip(b)).toBe(strip(a));
      expect(b.transitions).toBeLessThan(a.transitions / 2);
    });
  }
});
