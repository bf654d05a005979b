// The fingerprint agrees with the exact encoding: equal states, equal fingerprints; on every
// reachable state of the examples, distinct states, distinct fingerprints.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { program } from '../helpers.js';
import { Machine } from '../../model/machine.js';
import { encodeState, fingerprint, type MachineState } from '../../model/state.js';

const dir = join(import.meta.dirname, '../../examples');

function allStates(file: string): { states: MachineState[]; hashes: readonly number[] } {
  const prog = program(readFileSync(join(dir, file), 'utf8'), file);
  const m = new Machine(prog);
  const seen = new Map<string, MachineState>();
  const queue = [m.initial()];
  seen.set(encodeState(queue[0] as MachineState), queue[0] as MachineState);
  while (queue.length > 0) {
    const s = queue.pop() as MachineState;
    for (const t of m.enabled(s)) {
      const n = m.step(s, t);
      const k = encodeState(n);
      if (!seen.has(k)) {
        seen.set(k, n);
        queue.push(n);
      }
    }
  }
  return { states: [...seen.values()], hashes: prog.values.hashes };
}

describe('fingerprint', () => {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.litmus'))) {
    it(`${f}: injective on the reachable states and stable`, () => {
      const { states, hashes } = allStates(f);
      expect(states.length).toBeGreaterThan(10);
      const fps = new Set(states.map((s) => fingerprint(s, hashes)));
      expect(fps.size).toBe(states.length);
      for (const s of states.slice(0, 50)) expect(fingerprint(structuredClone(s), hashes)).toBe(fingerprint(s, hashes));
      for (const fp of fps) expect(Number.isSafeInteger(fp) && fp >= 0).toBe(true);
    });
  }
});
