// States expanded from their words (model/word-steps.ts) must give a search exactly what the
// states rebuilt as objects give: the same choices, sleep groups, forced steps, successors, keys,
// edge findings, state findings and outcomes. Checked step by step on the fixmap family, and as
// whole searches over the corpora on both models, with and without POR; and the one thing it
// adds to the machine, choicesContext, over the reachable states of the corpus tests.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { vmsaSystem } from '../../cli/vmsa-system.js';
import { exploreExhaustive } from '../../explorer/exhaustive.js';
import type { Finding, WordExpander } from '../../explorer/system.js';
import { Machine, type Transition } from '../../model/machine.js';
import { RelaxedMachine } from '../../model/relaxed.js';
import { encodeState, fingerprint, type MachineState } from '../../model/state.js';
import { program } from '../helpers.js';
import { breadthFirst, CORPORA, corpusPrograms } from './reachable.js';

// Every state of `src`'s search (up to `limit`), each expanded both ways: what differs.
function compareSteps(src: string, model: 'sc' | 'arm', limit: number): { states: number; steps: number; wrong: string[] } {
  const prog = program(src);
  const words = vmsaSystem(prog, { model, por: true });
  const objects = vmsaSystem(prog, { model, por: true, byWords: false });
  const wx = words.expander as WordExpander;
  expect(wx).toBeDefined();
  const encode = words.encode as (s: MachineState) => ArrayLike<number>;
  const decode = words.decode as (w: Int32Array, at: number) => MachineState;
  const wrong: string[] = [];
  const out = new Int32Array(64);
  let steps = 0;
  const seen = new Set<number>();
  const queue: Int32Array[] = [Int32Array.from(encode(words.initial()))];
  seen.add(words.key(words.initial()) as number);
  for (let head = 0; head < queue.length && seen.size < limit && wrong.length < 5; head++) {
    const w = queue[head] as Int32Array;
    const s = decode(w, 0);
    const ts = objects.enabled(s);
    const n = wx.begin(w, 0);
    const only = objects.reduce?.(s, ts);
    const groups = ts.map((t) => objects.sleep?.group(s, t) ?? -1);
    if (n !== ts.length) wrong.push(`${encodeState(s)}: ${n} choices, not ${ts.length}`);
    if (wx.forced !== (only === undefined ? -1 : only[0])) wrong.push(`${encodeState(s)}: forced ${wx.forced}, not ${String(only)}`);
    if (groups.some((g, i) => wx.groups[i] !== g)) wrong.push(`${encodeState(s)}: groups ${Array.from(wx.groups.subarray(0, n)).join()}, not ${groups.join()}`);
    for (let i = 0; i < n; i++) {
      wx.begin(w, 0);
      wx.step(i, out);
      const key = wx.key;
      steps++;
      const r = objects.step(s, ts[i] as Transition);
      const real = objects.key(r.state);
      const next = decode(out, 0);
      if (key !== real || fingerprint(next, prog.values.hashes) !== real || encodeState(next) !== encodeState(r.state)) wrong.push(`${encodeState(s)} by ${JSON.stringify(ts[i])}: key ${key}, not ${real}`);
      if (JSON.stringify(wx.findings) !== JSON.stringify(r.findings)) wrong.push(`${encodeState(s)} by ${JSON.stringify(ts[i])}: findings ${JSON.stringify(wx.findings)}`);
      const findings: readonly Finding[] = objects.stateFindings(r.state);
      const outcome = objects.outcome(r.state);
      if (wx.plain && (findings.length > 0 || outcome !== undefined)) wrong.push(`${encodeState(r.state)}: called plain`);
      if (JSON.stringify(wx.stateFindings(out, 0)) !== JSON.stringify(findings) || wx.outcome(out, 0) !== outcome) wrong.push(`${encodeState(r.state)}: findings or outcome`);
      if (!seen.has(real)) {
        seen.add(real);
        queue.push(Int32Array.from(out.subarray(0, wx.width)));
      }
    }
  }
  return { states: seen.size, steps, wrong };
}

describe('states expanded from their words', () => {
  for (const model of ['sc', 'arm'] as const) {
    for (const maint of ['broadcast', 'local'] as const) {
      it(`${model}, 4-CPU fixmap (${maint}): every step of the first 4,000 states as the machine takes it`, () => {
        const r = compareSteps(fixmapLitmus(4, maint), model, 4000);
        expect(r.wrong).toEqual([]);
        expect(r.states).toBeGreaterThan(2000);
        expect(r.steps).toBeGreaterThan(r.states);
      });
    }
  }

  it('the 6-CPU SC fixmap search: the same result both ways', () => {
    const prog = program(fixmapLitmus(6, 'broadcast'));
    const sys = vmsaSystem(prog, { model: 'sc', por: true });
    const a = exploreExhaustive(sys);
    const b = exploreExhaustive(vmsaSystem(prog, { model: 'sc', por: true, byWords: false }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.distinct).toBe(373794);
  });

  it('a machine whose choicesContext ignores what a DSB waits for: the search finds something else', () => {
    // (the check can fail: the DSB's list would be the first one met for its CPU and memory)
    const prog = program(fixmapLitmus(3, 'broadcast'));
    const good = exploreExhaustive(vmsaSystem(prog, { model: 'sc', por: true }));
    const sys = vmsaSystem(prog, { model: 'sc', por: true });
    const m = sys.machine;
    m.choicesContext = () => 0;
    const bad = exploreExhaustive(sys);
    expect(JSON.stringify(bad.outcomes)).not.toBe(JSON.stringify(good.outcomes));
  });
});

describe.skipIf(!existsSync(CORPORA))('choicesContext and whole searches over the corpora', () => {
  for (const model of ['sc', 'arm'] as const) {
    it(`every corpus test (${model}): a choice list that is not local is the same wherever its CPU, memory and context are`, async () => {
      let checked = 0;
      const wrong: string[] = [];
      for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-BBM', 'aarch64-VMSA']) {
        for (const { file, program: p } of await corpusPrograms(corpus, model === 'sc' ? 2 : 4)) {
          const m = model === 'sc' ? new Machine(p) : new RelaxedMachine(p);
          // (a contextual machine's lists depend on its context too: it is expanded as objects)
          if (m.contextual) continue;
          const lists = new Map<string, string>();
          breadthFirst(m.initial(), 1500, (s) => {
            const ts = m.enabled(s);
            if (ts.length === 0) return [];
            for (let part = 0; part < m.enabledParts; part++) {
              for (let cpu = 0; cpu < s.cpus.length; cpu++) {
                if (m.choicesAreLocal(s, cpu, part)) continue;
                const ctx = m.choicesContext(s, cpu, part);
                if (ctx < 0) continue;
                const list: Transition[] = [];
                m.cpuChoices(s, cpu, list, part);
                const key = `${part} ${cpu} ${JSON.stringify(s.cpus[cpu])} ${JSON.stringify(s.mem)} ${ctx}`;
                const got = JSON.stringify(list);
                const before = lists.get(key);
                checked++;
                if (before === undefined) lists.set(key, got);
                else if (before !== got) wrong.push(`${file}: P${cpu} part ${part} in ${encodeState(s)}`);
              }
            }
            return ts.map((t) => m.step(s, t));
          });
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(checked).toBeGreaterThan(1000);
    });
  }

  for (const corpus of ['aarch64', 'AArch64.kvm', 'aarch64-BBM', 'aarch64-VMSA']) {
    it(`${corpus}: searches from words and from objects find the same (both models, with and without POR)`, async () => {
      let compared = 0;
      let byWords = 0;
      const differ: string[] = [];
      for (const { file, program: p } of await corpusPrograms(corpus, 4)) {
        for (const model of ['sc', 'arm'] as const) {
          for (const por of [false, true]) {
            const budget = { maxStates: 3000 };
            const sys = vmsaSystem(p, { model, por });
            if (sys.expander !== undefined) byWords++;
            const a = exploreExhaustive(sys, budget);
            const b = exploreExhaustive(vmsaSystem(p, { model, por, byWords: false }), budget);
            compared++;
            if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(`${file} (${model}${por ? ', POR' : ''})`);
          }
        }
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(byWords).toBeGreaterThan(compared / 2);
    });
  }
});
