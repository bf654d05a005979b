// The bundled examples: verdicts, hazards, and every reported trace replays to its hazard.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainTrace } from '../../cli/replay.js';
import { runSource } from '../../cli/run-test.js';
import { expectHazardTracesReplay, program } from '../helpers.js';

const dir = join(import.meta.dirname, '../../examples');
const expected: Record<string, { observation: string; hazards: string[] }> = {
  'fixmap-local-tlbi': { observation: 'Sometimes', hazards: ['amalgamation:P1', 'stale-tlb:P1'] },
  'fixmap-broadcast-tlbi': { observation: 'Never', hazards: [] },
  'fixmap-local-tlbi-4cpu': { observation: 'Sometimes', hazards: ['amalgamation:P1', 'amalgamation:P2', 'amalgamation:P3', 'stale-tlb:P1', 'stale-tlb:P2', 'stale-tlb:P3'] },
  'remap-no-break': { observation: 'Sometimes', hazards: ['amalgamation:P0', 'amalgamation:P1'] },
  'permission-only': { observation: 'Always', hazards: [] },
  'bbm-tlbi-no-dsb': { observation: 'Sometimes', hazards: ['amalgamation:P0', 'amalgamation:P1'] },
  'bbm-no-tlbi': { observation: 'Sometimes', hazards: ['amalgamation:P0', 'amalgamation:P1'] },
};

describe('examples', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.litmus'));
  it('has every example this suite expects', () => {
    expect(files.map((f) => f.replace(/\.litmus$/, '')).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const model of ['arm', 'sc'] as const) for (const f of files) {
    const name = f.replace(/\.litmus$/, '');
    it(`${model}: ${name}: verdict and hazards`, () => {
      const r = runSource(readFileSync(join(dir, f), 'utf8'), f, { model });
      expect(r.status).toBe('ok');
      expect(r.complete).toBe(true);
      expect(r.observation).toBe(expected[name]?.observation);
      expect(r.hazards.map((h) => `${h.kind}:P${h.cpu}`).sort()).toEqual(expected[name]?.hazards);
      expect(r.flags.includes('Warning-BBM-expected')).toBe(r.hazards.some((h) => h.kind === 'amalgamation'));
    });
    it(`${model}: ${name}: each hazard's trace replays and shows that hazard`, () => {
      const src = readFileSync(join(dir, f), 'utf8');
      const r = expectHazardTracesReplay(src, f, model);
      const prog = program(src, f);
      for (const s of r.states) {
        const rp = explainTrace(prog, s.trace, model);
        if (!rp.ok) throw new Error(rp.message);
        expect(rp.finished).toBe(true);
        expect(rp.final).toBe(s.line);
      }
    });
  }
});
