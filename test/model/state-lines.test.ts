// stateLines (model/outcome.ts) remembers outcome lines by the observed values and the fault
// list: over the final states of the corpus tests, in the order a search meets them, each line
// must be the one stateLine formats afresh.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../cli/load-source.js';
import { expandInputs } from '../../litmus/files.js';
import type { Program } from '../../model/program.js';
import { stateLine, stateLines } from '../../model/outcome.js';
import { machineFor } from '../../model/relaxed.js';
import { encodeState, type MachineState } from '../../model/state.js';
import { root } from '../dist.js';

const SHARED = resolve(root, '../shared/conformance/corpus');
/** states per test and model: the whole space of most corpus tests, a prefix of the larger ones */
const LIMIT = 3000;

// The final states of `prog` on `model`, breadth first (up to LIMIT states): how many, and those whose remembered line differs.
function check(prog: Program, model: 'sc' | 'arm', file: string): { finals: number; differ: string[] } {
  const m = machineFor(model, prog);
  const lineOf = stateLines(prog);
  const init = m.initial();
  const seen = new Set([encodeState(init)]);
  const queue: MachineState[] = [init];
  const differ: string[] = [];
  let finals = 0;
  for (let head = 0; head < queue.length && seen.size < LIMIT; head++) {
    const s = queue[head] as MachineState;
    if (m.isFinal(s)) {
      finals++;
      const want = stateLine(prog, s);
      if (lineOf(s) !== want) differ.push(`${file} (${model}): ${want}`);
    }
    for (const t of m.enabled(s)) {
      const next = m.step(s, t);
      const k = encodeState(next);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(next);
      }
    }
  }
  return { finals, differ };
}

describe.skipIf(!existsSync(SHARED))('remembered outcome lines', () => {
  for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-VMSA']) {
    it(`${corpus}: are the lines stateLine formats (both models)`, async () => {
      let finals = 0;
      const differ: string[] = [];
      const files = (await expandInputs([join(SHARED, corpus)])).files;
      for (const [i, file] of files.entries()) {
        // (the VMSA corpus: every third test, for time)
        if (corpus === 'aarch64-VMSA' && i % 3 !== 0) continue;
        const loaded = loadSource(readFileSync(file, 'utf8'), file, corpus === 'aarch64-VMSA' ? 'vmsa,fatal' : undefined);
        if (!loaded.ok) continue;
        for (const model of ['sc', 'arm'] as const) {
          const r = check(loaded.program, model, file);
          finals += r.finals;
          differ.push(...r.differ);
        }
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(finals).toBeGreaterThan(100);
    });
  }
});
