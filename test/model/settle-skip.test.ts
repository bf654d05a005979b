// The relaxed machine's settle skips the CPUs a step left as they were (model/relaxed.ts: they
// were settled before). Over the reachable states of the corpus tests on the relaxed model, each
// step must give the very state that settling every CPU gives.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Program } from '../../model/program.js';
import { RelaxedMachine } from '../../model/relaxed.js';
import { encodeState, type MachineState } from '../../model/state.js';
import { breadthFirst, CORPORA, corpusPrograms } from './reachable.js';

/** states per test: the whole space of most corpus tests, a prefix of the larger ones */
const LIMIT = 1500;

type Settling = { settle(s: MachineState, prev?: MachineState, origin?: MachineState): MachineState };
const skipping = (RelaxedMachine.prototype as unknown as Settling).settle;

/** The relaxed machine with settle looking at every CPU after every step. */
class SettlesEveryCpu extends RelaxedMachine {}
(SettlesEveryCpu.prototype as unknown as Settling).settle = function (this: RelaxedMachine, s: MachineState): MachineState {
  return skipping.call(this, s);
};

// Steps from the reachable states of `src` (breadth first, up to LIMIT states) that differ
// between the two machines; how many steps were compared.
function compare(program: Program, file: string): { steps: number; differ: string[] } {
  const m = new RelaxedMachine(program);
  const every = new SettlesEveryCpu(program);
  const init = m.initial();
  expect(encodeState(every.initial())).toBe(encodeState(init));
  const differ: string[] = [];
  let steps = 0;
  breadthFirst(init, LIMIT, (s) =>
    m.enabled(s).map((t) => {
      const a = m.step(s, t);
      const b = every.step(s, t);
      steps++;
      if (encodeState(a) !== encodeState(b)) differ.push(`${file}: ${JSON.stringify(t)} from ${encodeState(s)}`);
      return a;
    }),
  );
  return { steps, differ };
}

describe.skipIf(!existsSync(CORPORA))('settle skips the CPUs a step left alone', () => {
  for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-VMSA']) {
    it(`${corpus}: every step gives the state that settling every CPU gives`, async () => {
      let steps = 0;
      const differ: string[] = [];
      // (the VMSA corpus: every fourth test, for time)
      for (const { file, program } of await corpusPrograms(corpus, 4)) {
        const r = compare(program, file);
        steps += r.steps;
        differ.push(...r.differ);
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(steps).toBeGreaterThan(corpus === 'aarch64-VMSA' ? 50_000 : 1_000);
    });
  }
});
