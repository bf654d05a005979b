// stateLines (model/outcome.ts) remembers outcome lines by the observed values and the fault
// list: over the final states of the corpus tests, in the order a search meets them, each line
// must be the one stateLine formats afresh.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Program } from '../../model/program.js';
import { stateLine, stateLines } from '../../model/outcome.js';
import { machineFor } from '../../model/relaxed.js';
import { breadthFirst, CORPORA, corpusPrograms } from './reachable.js';

/** states per test and model: the whole space of most corpus tests, a prefix of the larger ones */
const LIMIT = 3000;

// The final states of `prog` on `model`, breadth first (up to LIMIT states): how many, and those whose remembered line differs.
function check(prog: Program, model: 'sc' | 'arm', file: string): { finals: number; differ: string[] } {
  const m = machineFor(model, prog);
  const lineOf = stateLines(prog);
  const differ: string[] = [];
  let finals = 0;
  breadthFirst(m.initial(), LIMIT, (s) => {
    if (m.isFinal(s)) {
      finals++;
      const want = stateLine(prog, s);
      if (lineOf(s) !== want) differ.push(`${file} (${model}): ${want}`);
    }
    return m.enabled(s).map((t) => m.step(s, t));
  });
  return { finals, differ };
}

describe.skipIf(!existsSync(CORPORA))('remembered outcome lines', () => {
  for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-VMSA']) {
    it(`${corpus}: are the lines stateLine formats (both models)`, async () => {
      let finals = 0;
      const differ: string[] = [];
      for (const { file, program } of await corpusPrograms(corpus, 3)) {
        for (const model of ['sc', 'arm'] as const) {
          const r = check(program, model, file);
          finals += r.finals;
          differ.push(...r.differ);
        }
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(finals).toBeGreaterThan(100);
    });
  }
});
