// The fingerprint agrees with the exact encoding: equal states, equal fingerprints; on every
// reachable state of the examples, distinct states, distinct fingerprints.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { program } from '../helpers.js';
import { Machine } from '../../model/machine.js';
import { machineFor } from '../../model/relaxed.js';
import { encodeState, fingerprint, fingerprintByVisit, internCpus, packStates, sameCpu, StateWords, unpackStates, type FaultRec, type MachineState } from '../../model/state.js';
import type { ValueTable } from '../../model/values.js';

const dir = join(import.meta.dirname, '../../examples');

// with `memo`, every state is fingerprinted as soon as it is reached, and its CPUs interned (digests memoised) as a search keeps it
function allStates(file: string, source = readFileSync(join(dir, file), 'utf8'), model: 'sc' | 'arm' = 'sc', memo = false): { states: MachineState[]; hashes: readonly number[]; values: ValueTable } {
  const prog = program(source, file);
  const m = model === 'sc' ? new Machine(prog) : machineFor(model, prog);
  const seen = new Map<string, MachineState>();
  const queue = [m.initial()];
  seen.set(encodeState(queue[0] as MachineState), queue[0] as MachineState);
  while (queue.length > 0) {
    const s = queue.pop() as MachineState;
    for (const t of m.enabled(s)) {
      const n = m.step(s, t);
      if (memo) fingerprint(n, prog.values.hashes);
      const k = encodeState(n);
      if (!seen.has(k)) {
        if (memo) internCpus(n, prog.values.hashes);
        seen.set(k, n);
        queue.push(n);
      }
    }
  }
  return { states: [...seen.values()], hashes: prog.values.hashes, values: prog.values };
}

// `states` encoded one after another by `table`, and where each starts.
function encodeAll(table: StateWords, states: readonly MachineState[]): { words: Int32Array; at: number[] } {
  const buf: number[] = [];
  const at = states.map((s) => {
    const w = table.encode(s);
    const start = buf.length;
    for (let i = 0; i < w.length; i++) buf.push(w[i] as number);
    return start;
  });
  return { words: Int32Array.from(buf), at };
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

// A thread with a fault handler (ELR_EL1 holds a code label), a store that faults, ADR, and the
// relaxed model's in-flight instructions: every field kind of a state.
const HANDLED = `AArch64 handled
{ 0:X1=x; 0:X3=y; [PTE(x)]=(oa:PA(x),valid:0); 1:X1=x; 1:X3=y; }
 P0            | P1          | P0.F             ;
 MOV W0,#1     | LDR W0,[X3] | ADR X9,L1        ;
 STR W0,[X1]   | LDR W2,[X1] | MSR ELR_EL1,X9   ;
 L1:           |             | ERET             ;
 MOV W2,#1     |             |                  ;
 STR W2,[X3]   |             |                  ;
exists (1:X0=1 /\\ 1:X2=0)
`;

describe('packed states', () => {
  const cases: [string, string, 'sc' | 'arm'][] = [
    ...readdirSync(dir).filter((x) => x.endsWith('.litmus') && !x.includes('4cpu')).flatMap((f): [string, string, 'sc' | 'arm'][] => [[f, readFileSync(join(dir, f), 'utf8'), 'sc'], [f, readFileSync(join(dir, f), 'utf8'), 'arm']]),
    ['handled.litmus', HANDLED, 'sc'],
    ['handled.litmus', HANDLED, 'arm'],
  ];
  for (const [f, src, model] of cases) {
    it(`${f} (${model}): unpacking in a fresh load gives the same state`, () => {
      const { states, hashes, values } = allStates(f, src, model);
      expect(states.length).toBeGreaterThan(5);
      if (f === 'handled.litmus') expect(states.some((s) => s.faults.length > 0 && s.cpus[0]?.elr !== -1)).toBe(true);
      const fresh = program(src, f);
      // one batch of all, and batches of one
      const packed = packStates(states, values);
      const back = unpackStates(structuredClone(packed), fresh.values);
      expect(back.map((s) => fingerprint(s, fresh.values.hashes))).toEqual(states.map((s) => fingerprint(s, hashes)));
      expect(packStates(back, fresh.values)).toEqual(packed);
      for (const s of states.slice(0, 50)) {
        const one = unpackStates(structuredClone(packStates([s], values)), fresh.values);
        expect(one.map((x) => fingerprint(x, fresh.values.hashes))).toEqual([fingerprint(s, hashes)]);
      }
      // what the states share, the unpacked batch shares: each distinct CPU object is sent once
      const distinctCpus = new Set(states.flatMap((s) => s.cpus)).size;
      expect(new Set(back.flatMap((s) => s.cpus)).size).toBe(distinctCpus);
      expect(distinctCpus).toBeLessThan(states.length * (states[0]?.cpus.length ?? 0));
    });
    it(`${f} (${model}): states moved as words (packEncoded) decode in a fresh load to the same states`, () => {
      const { states, hashes, values } = allStates(f, src, model, true);
      const donor = new StateWords();
      const { words, at } = encodeAll(donor, states);
      const fresh = program(src, f);
      const receiver = new StateWords();
      // every other state, then all of them: the second batch names parts the first one brought
      const odd = at.filter((_, i) => i % 2 === 1);
      for (const batch of [odd, at]) {
        const packed = donor.packEncoded(words, batch, values);
        const got = receiver.unpackEncoded(structuredClone(packed), fresh.values, fresh.values.hashes);
        const width = 4 + (states[0]?.cpus.length ?? 0);
        expect(got.length).toBe(batch.length * width);
        const back = batch.map((_, k) => receiver.decode(got, k * width));
        expect(back.map((s) => fingerprint(s, fresh.values.hashes))).toEqual(batch.map((a) => fingerprint(states[at.indexOf(a)] as MachineState, hashes)));
        // the dictionary holds each distinct part once: as many carriers as the kind with the most
        const kinds = Array.from({ length: width - 1 }, (_, c) => new Set(batch.map((a) => words[a + 1 + c])).size);
        expect(packed.dict.count).toBe(Math.max(...kinds));
      }
      // equal parts are numbered once by the receiver: its words for the states of both batches agree
      const again = receiver.unpackEncoded(structuredClone(donor.packEncoded(words, odd, values)), fresh.values, fresh.values.hashes);
      const first = receiver.unpackEncoded(structuredClone(donor.packEncoded(words, odd, values)), fresh.values, fresh.values.hashes);
      expect(again).toEqual(first);
    });
    it(`${f} (${model}): the written-out fingerprint is the generic walk's`, () => {
      const { states, hashes } = allStates(f, src, model, true);
      // fresh copies (no CPU digest memoised), and the states themselves, whose CPUs are interned
      // objects with memoised digests
      for (const s of states) expect(fingerprint(structuredClone(s), hashes)).toBe(fingerprintByVisit(s, hashes));
      for (const s of states) expect(fingerprint(s, hashes)).toBe(fingerprintByVisit(s, hashes));
      if (model === 'arm') expect(states.some((s) => s.cpus.some((c) => c.win.length > 0))).toBe(true);
    });
  }
});

describe('interned CPUs', () => {
  it('equal CPUs become one shared object, with the same fingerprints; a CPU differing in one record does not', () => {
    const { states, hashes } = allStates('fixmap-local-tlbi.litmus');
    const copies = states.map((s) => structuredClone(s));
    const fps = states.map((s) => fingerprint(s, hashes));
    for (const s of states) internCpus(s, hashes);
    for (const c of copies) internCpus(c, hashes);
    copies.forEach((c, i) => {
      expect(fingerprint(c, hashes)).toBe(fps[i]);
      c.cpus.forEach((cpu, k) => expect(cpu).toBe(states[i]?.cpus[k]));
    });
    const withTlb = states.find((s) => s.cpus.some((c) => c.tlb.length > 0)) as MachineState;
    const k = withTlb.cpus.findIndex((c) => c.tlb.length > 0);
    const cpu = withTlb.cpus[k] as MachineState['cpus'][number];
    const entry = cpu.tlb[0] as (typeof cpu.tlb)[number];
    const other = { ...cpu, tlb: [{ ...entry, escPc: entry.escPc + 7 }, ...cpu.tlb.slice(1)] };
    expect(sameCpu(cpu, { ...cpu })).toBe(true);
    expect(sameCpu(cpu, other)).toBe(false);
    expect(sameCpu(cpu, { ...cpu, regs: [...cpu.regs.slice(0, -1), 12345] })).toBe(false);
  });
});

describe('states as words', () => {
  it('decode gives back states equal to those encoded, sharing their lists and CPUs', () => {
    const { states, hashes } = allStates('fixmap-local-tlbi.litmus');
    for (const s of states) internCpus(s, hashes);
    const words = new StateWords();
    const { words: arena, at } = encodeAll(words, states);
    const back = at.map((a) => words.decode(arena, a));
    back.forEach((b, i) => {
      expect(encodeState(b)).toBe(encodeState(states[i] as MachineState));
      expect(fingerprint(b, hashes)).toBe(fingerprint(states[i] as MachineState, hashes));
      b.cpus.forEach((c, k) => expect(c).toBe(states[i]?.cpus[k]));
    });
    // a handful of words per state, however large the state
    expect(arena.length).toBe(states.reduce((n, s) => n + 4 + s.cpus.length, 0));
    expect(states.some((s) => s.faults.length > 0)).toBe(true);
    expect(new Set(back.map((b) => b.faults)).size).toBeLessThan(states.length / 4);
  });
  it('tells fault lists apart by every field, small or large', () => {
    const { states } = allStates('fixmap-local-tlbi.litmus');
    const base = states[0] as MachineState;
    const f = (proc: number, pc: number, va: number, type: FaultRec['type'] = 'Translation'): FaultRec => ({ proc, pc, va, type });
    const lists: FaultRec[][] = [
      [],
      [f(0, 0, -1)],
      [f(0, 0, 0)],
      [f(1, 0, 0)],
      [f(0, 1, 0)],
      [f(0, 0, 0, 'Permission')],
      [f(0, 0, 0), f(1, 0, 0)],
      [f(58, 58, 57)], // (':' as a character in the short form)
      [f(0, 70000, 0)],
      [f(0, 70001, 0)],
      [f(70000, 0, 0), f(70000, 1, 0)],
    ];
    const words = new StateWords();
    const { words: arena, at } = encodeAll(words, lists.map((faults) => ({ ...base, faults })));
    lists.forEach((faults, i) => expect(words.decode(arena, at[i] as number).faults).toEqual(faults));
    // an equal list built anew is recognised by content
    const again = words.encode({ ...base, faults: [f(0, 70000, 0)] });
    expect(again[2]).toBe(arena[(at[8] as number) + 2]);
  });
});
