// Hazards: pinned expectations, no false alarms on correct maintenance, traces that replay.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { expectHazardTracesReplay, run } from '../helpers.js';

const shared = resolve(import.meta.dirname, '../../../shared/conformance/corpus');

describe('Hazards= header', () => {
  const body = `{ [a]=1; [b]=2; [PTE(f)]=(oa:PA(a)); 0:X0=PTE(f); 0:X2=(oa:PA(b)); 1:X3=f; }
 P0          | P1          ;
 STR X2,[X0] | LDR W4,[X3] ;
exists (1:X4=2)`;
  it('passes when the found hazards are exactly the pinned ones', () => {
    const r = run(`AArch64 H\nVariant=vmsa\nHazards=amalgamation:P0:f amalgamation:P1:f\n${body}`);
    expect(r.hazardCheck).toEqual({ expected: ['amalgamation:P0:f', 'amalgamation:P1:f'], found: ['amalgamation:P0:f', 'amalgamation:P1:f'], ok: true });
  });
  it('reports a mismatch', () => {
    const r = run(`AArch64 H\nVariant=vmsa\nHazards=none\n${body}`);
    expect(r.hazardCheck?.ok).toBe(false);
    expect(r.hazardCheck?.found).toEqual(['amalgamation:P0:f', 'amalgamation:P1:f']);
  });
  it('rejects a malformed list with the header position', () => {
    const r = run(`AArch64 H\nVariant=vmsa\nHazards=amalgamation@P1\n${body}`);
    expect(r.status).toBe('error');
    expect(r.problem?.line).toBe(3);
    expect(r.problem?.message).toMatch(/not KIND:Pn:VA/);
  });
});

describe('no false alarms on correct maintenance', () => {
  for (const cpus of [2, 3]) {
    it(`broadcast fixmap with ${cpus} CPUs: no hazard, condition never holds`, () => {
      const r = run(fixmapLitmus(cpus, 'broadcast'));
      expect(r.status).toBe('ok');
      expect(r.hazards).toEqual([]);
      expect(r.observation).toBe('Never');
    });
    it(`local fixmap with ${cpus} CPUs: every reader has amalgamation and stale-TLB hazards`, () => {
      const r = run(fixmapLitmus(cpus, 'local'));
      expect(r.observation).toBe('Sometimes');
      const keys = r.hazards.map((h) => `${h.kind}:P${h.cpu}`);
      for (let p = 1; p < cpus; p++) expect(keys).toEqual(expect.arrayContaining([`amalgamation:P${p}`, `stale-tlb:P${p}`]));
      expect(keys.filter((k) => k.endsWith(':P0'))).toEqual([]);
    });
  }
});

describe.skipIf(!existsSync(shared))('every hazard trace on the BBM corpus replays to its hazard', () => {
  const dir = join(shared, 'aarch64-BBM');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.litmus')) : [];
  for (const model of ['arm', 'sc'] as const) for (const f of files) it(`${model}: ${f}`, () => void expectHazardTracesReplay(readFileSync(join(dir, f), 'utf8'), f, model));
});
