// Partial-order reduction never changes what a run reports, only how many states it visits:
// on every corpus test that finishes within LIMIT states, the verdict, the final states and the
// hazards (kind, CPU, address) are the same with and without it.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSource, type TestResult } from '../../cli/run-test.js';
import { expandInputs } from '../../litmus/files.js';
import { root } from '../dist.js';

const SHARED = resolve(root, '../shared/conformance/corpus');
const LIMIT = 20_000;

const summary = (r: TestResult): unknown => ({
  observation: r.observation,
  states: r.states.map((s) => `${s.line} ${s.satisfies}`).sort(),
  hazards: r.hazards.map((h) => `${h.kind}:P${h.cpu}:${h.va}`).sort(),
  flags: [...r.flags].sort(),
});

describe.skipIf(!existsSync(SHARED))('partial-order reduction over the corpora', () => {
  for (const corpus of ['aarch64-BBM', 'AArch64.kvm', 'aarch64', 'aarch64-VMSA']) {
    it(`${corpus}: same verdicts, states and hazards with and without it, fewer states in all`, async () => {
      let compared = 0;
      let off = 0;
      let on = 0;
      for (const file of (await expandInputs([join(SHARED, corpus)])).files) {
        const src = readFileSync(file, 'utf8');
        const a = runSource(src, file, { model: 'sc', defaultFaultMode: 'fatal', maxStates: LIMIT, por: false });
        if (!a.complete || a.status !== 'ok') continue;
        const b = runSource(src, file, { model: 'sc', defaultFaultMode: 'fatal', por: true });
        expect(summary(b), file).toEqual(summary(a));
        expect(b.explored, file).toBeLessThanOrEqual(a.explored);
        compared++;
        off += a.explored;
        on += b.explored;
      }
      expect(compared).toBeGreaterThan(corpus === 'aarch64-VMSA' ? 800 : 5);
      if (corpus !== 'aarch64-BBM') expect(on).toBeLessThan(off);
    });
  }
});
