// Steps and choices memoised by CPU (model/local-memo.ts) rest on the machines' stepIsLocal and
// choicesAreLocal. Over the reachable states of the corpus tests, on both models, every step and
// choice list they call local is computed again on a state whose other CPUs record any read of
// theirs: none may be read but by what the memo keys them by too (Machine.context: on the relaxed
// machine, the cells the other CPUs' windows hold, read by heldMask alone), none may change, and
// the results must be the real ones. Then whole searches with and without the memo must find the
// same, also on every test with a read-modify-write.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vmsaSystem } from '../../cli/vmsa-system.js';
import { exploreExhaustive } from '../../explorer/exhaustive.js';
import { Machine, type AccessEvent } from '../../model/machine.js';
import type { Program } from '../../model/program.js';
import { RelaxedMachine } from '../../model/relaxed.js';
import { encodeState, type CpuState, type MachineState } from '../../model/state.js';
import { breadthFirst, CORPORA, corpusPrograms } from './reachable.js';

/** states per test: the whole space of most corpus tests, a prefix of the larger ones */
const LIMIT = 1500;

// `s` with every CPU but `cpu` behind a proxy that notes the fields read of it in `reads`, but
// for the reads a contextual machine's `context` is made of (the relaxed machine's heldMask).
function probe(s: MachineState, cpu: number, reads: string[], contextual: boolean): MachineState {
  const cpus = s.cpus.map((c, i) =>
    i === cpu
      ? c
      : new Proxy(c, {
          get(target, key) {
            const where = (new Error().stack ?? '').split('\n').slice(2, 4).map((l) => l.trim());
            if (!(contextual && where[0]?.startsWith('at RelaxedMachine.heldMask ') === true)) reads.push(`P${i}.${String(key)} ${where.join(' < ')}`);
            return Reflect.get(target, key) as unknown;
          },
        }),
  );
  return { mem: s.mem, cpus, faults: s.faults, remaps: s.remaps };
}

// Checks every local step and choice list from the reachable states of `src`; what went wrong, and how many were checked.
function check(program: Program, file: string, model: 'sc' | 'arm'): { steps: number; lists: number; wrong: string[] } {
  const m = model === 'sc' ? new Machine(program) : new RelaxedMachine(program);
  if (!m.localSteps) return { steps: 0, lists: 0, wrong: [] };
  const wrong: string[] = [];
  let steps = 0;
  let lists = 0;
  breadthFirst(m.initial(), LIMIT, (s) => {
    const ts = m.enabled(s);
    if (ts.length > 0) {
      for (let part = 0; part < m.enabledParts; part++) {
        for (let cpu = 0; cpu < s.cpus.length; cpu++) {
          if (!m.choicesAreLocal(s, cpu, part)) continue;
          const reads: string[] = [];
          const mine: unknown[] = [];
          m.cpuChoices(probe(s, cpu, reads, m.contextual), cpu, mine as never, part);
          const real: unknown[] = [];
          m.cpuChoices(s, cpu, real as never, part);
          lists++;
          if (reads.length > 0 || JSON.stringify(mine) !== JSON.stringify(real)) wrong.push(`${file}: P${cpu}'s choices (part ${part}) from ${encodeState(s)} read ${reads.join(' ')}`);
        }
      }
    }
    return ts.map((t) => {
      const next = m.step(s, t);
      if (!m.stepIsLocal(s, t)) return next;
      steps++;
      const reads: string[] = [];
      const p = probe(s, t.cpu, reads, m.contextual);
      const events: AccessEvent[] = [];
      const viaProbe = m.step(p, t, events);
      const others = viaProbe.cpus.every((c, i) => i === t.cpu || c === p.cpus[i]);
      // the probe's successor with its other CPUs as the real ones, for comparing
      const unproxied: MachineState = { ...viaProbe, cpus: viaProbe.cpus.map((c, i) => (i === t.cpu ? c : (s.cpus[i] as CpuState))) };
      if (reads.length > 0 || !others || viaProbe.mem !== s.mem || encodeState(unproxied) !== encodeState(next)) {
        wrong.push(`${file}: ${JSON.stringify(t)} from ${encodeState(s)} read ${reads.join(' ')}${others ? '' : ', changed another CPU'}${viaProbe.mem === s.mem ? '' : ', wrote memory'}`);
      }
      return next;
    });
  });
  return { steps, lists, wrong };
}

describe.skipIf(!existsSync(CORPORA))('steps and choices a machine calls local', () => {
  for (const [corpus, model] of ['aarch64', 'AArch64.kvm', 'aarch64-BBM', 'aarch64-VMSA'].flatMap((c) => [[c, 'sc'] as const, [c, 'arm'] as const])) {
    it(`${corpus} (${model}): read and change no other CPU, and give the real results`, async () => {
      let steps = 0;
      let lists = 0;
      const wrong: string[] = [];
      // (the VMSA corpus: every other test, for time)
      for (const { file, program } of await corpusPrograms(corpus, 2)) {
        const r = check(program, file, model);
        steps += r.steps;
        lists += r.lists;
        wrong.push(...r.wrong);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(steps).toBeGreaterThan(corpus === 'aarch64-VMSA' ? 50_000 : 100);
      expect(lists).toBeGreaterThan(corpus === 'aarch64-VMSA' ? 50_000 : 100);
    });
  }
});

describe.skipIf(!existsSync(CORPORA))('searches with and without the memo', () => {
  it('every corpus test with a read-modify-write (arm, whose memo keys them by the cells the other CPUs hold): the same results', async () => {
    const differ: string[] = [];
    let compared = 0;
    let contextual = 0;
    for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-BBM', 'aarch64-VMSA']) {
      for (const { file, program } of await corpusPrograms(corpus, 1)) {
        const m = new RelaxedMachine(program);
        if (!m.contextual) continue;
        contextual++;
        for (const por of [false, true]) {
          const budget = { maxStates: 3000 };
          const a = exploreExhaustive(vmsaSystem(program, { model: 'arm', por }), budget);
          const b = exploreExhaustive(vmsaSystem(program, { model: 'arm', por, memo: false }), budget);
          compared++;
          if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(`${file}${por ? ' (POR)' : ''}`);
        }
      }
    }
    expect(differ.slice(0, 5)).toEqual([]);
    expect(contextual).toBeGreaterThan(200);
    expect(compared).toBe(2 * contextual);
  });

  for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-BBM', 'aarch64-VMSA']) {
    it(`${corpus}: the same states, outcomes, findings and witnesses (both models, with and without POR)`, async () => {
      let compared = 0;
      const differ: string[] = [];
      for (const { file, program } of await corpusPrograms(corpus, 3)) {
        for (const model of ['sc', 'arm'] as const) {
          for (const por of [false, true]) {
            const budget = { maxStates: 20_000 };
            const a = exploreExhaustive(vmsaSystem(program, { model, por }), budget);
            const b = exploreExhaustive(vmsaSystem(program, { model, por, memo: false }), budget);
            compared++;
            if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(`${file} (${model}${por ? ', POR' : ''})`);
          }
        }
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(compared).toBeGreaterThan(10);
    });
  }
});
