// The relaxed machine's settle skips the CPUs a step left as they were (model/relaxed.ts: they
// were settled before). Over the reachable states of the corpus tests on the relaxed model, each
// step must give the very state that settling every CPU gives.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../cli/load-source.js';
import { expandInputs } from '../../litmus/files.js';
import { RelaxedMachine } from '../../model/relaxed.js';
import { encodeState, type MachineState } from '../../model/state.js';
import { root } from '../dist.js';

const SHARED = resolve(root, '../shared/conformance/corpus');
/** states per test: the whole space of most corpus tests, a prefix of the larger ones */
const LIMIT = 1500;

type Settling = { settle(s: MachineState, prev?: MachineState): MachineState };
const skipping = (RelaxedMachine.prototype as unknown as Settling).settle;

/** The relaxed machine with settle looking at every CPU after every step. */
class SettlesEveryCpu extends RelaxedMachine {}
(SettlesEveryCpu.prototype as unknown as Settling).settle = function (this: RelaxedMachine, s: MachineState): MachineState {
  return skipping.call(this, s);
};

// Steps from the reachable states of `src` (breadth first, up to LIMIT states) that differ
// between the two machines; how many steps were compared.
function compare(src: string, file: string, variant: string | undefined): { steps: number; differ: string[] } {
  const loaded = loadSource(src, file, variant);
  if (!loaded.ok) return { steps: 0, differ: [] };
  const m = new RelaxedMachine(loaded.program);
  const every = new SettlesEveryCpu(loaded.program);
  const init = m.initial();
  expect(encodeState(every.initial())).toBe(encodeState(init));
  const seen = new Set([encodeState(init)]);
  const queue: MachineState[] = [init];
  const differ: string[] = [];
  let steps = 0;
  for (let head = 0; head < queue.length && seen.size < LIMIT; head++) {
    const s = queue[head] as MachineState;
    for (const t of m.enabled(s)) {
      const a = m.step(s, t);
      const b = every.step(s, t);
      steps++;
      const k = encodeState(a);
      if (k !== encodeState(b)) differ.push(`${file}: ${JSON.stringify(t)} from ${encodeState(s)}`);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(a);
      }
    }
  }
  return { steps, differ };
}

describe.skipIf(!existsSync(SHARED))('settle skips the CPUs a step left alone', () => {
  for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-VMSA']) {
    it(`${corpus}: every step gives the state that settling every CPU gives`, async () => {
      let steps = 0;
      const differ: string[] = [];
      const files = (await expandInputs([join(SHARED, corpus)])).files;
      // (the VMSA corpus: every fourth test, for time)
      for (const [i, file] of files.entries()) {
        if (corpus === 'aarch64-VMSA' && i % 4 !== 0) continue;
        const r = compare(readFileSync(file, 'utf8'), file, corpus === 'aarch64-VMSA' ? 'vmsa,fatal' : undefined);
        steps += r.steps;
        differ.push(...r.differ);
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(steps).toBeGreaterThan(corpus === 'aarch64-VMSA' ? 50_000 : 1_000);
    });
  }
});
