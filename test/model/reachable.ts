// The corpus tests and the reachable states of a machine, breadth first, for tests that check
// something of every state or step over the corpora.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSource } from '../../cli/load-source.js';
import { expandInputs } from '../../litmus/files.js';
import type { Program } from '../../model/program.js';
import { encodeState, type MachineState } from '../../model/state.js';
import { root } from '../dist.js';

/**
 * Calls `expand` on each state reachable from `init`, breadth first, until `limit` distinct
 * states are known: it returns the state's successors (states equal by encodeState are one).
 */
export function breadthFirst(init: MachineState, limit: number, expand: (s: MachineState) => readonly MachineState[]): void {
  const seen = new Set([encodeState(init)]);
  const queue: MachineState[] = [init];
  for (let head = 0; head < queue.length && seen.size < limit; head++) {
    for (const next of expand(queue[head] as MachineState)) {
      const k = encodeState(next);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(next);
      }
    }
  }
}

/** The conformance corpora beside the project (tests over them are skipped without it). */
export const CORPORA = resolve(root, '../shared/conformance/corpus');

/**
 * The tests of corpus `corpus` that such a check takes: of the (large) VMSA corpus one in
 * `vmsaEvery`, for time; each loaded with the variant a run of that corpus gives it.
 */
export async function corpusPrograms(corpus: string, vmsaEvery: number): Promise<{ file: string; program: Program }[]> {
  const files = (await expandInputs([join(CORPORA, corpus)])).files;
  const vmsa = corpus === 'aarch64-VMSA';
  const out: { file: string; program: Program }[] = [];
  for (const [i, file] of files.entries()) {
    if (vmsa && i % vmsaEvery !== 0) continue;
    const loaded = loadSource(readFileSync(file, 'utf8'), file, vmsa ? 'vmsa,fatal' : undefined);
    if (loaded.ok) out.push({ file, program: loaded.program });
  }
  return out;
}
