// Symmetry reduction never changes what a run reports, only how many states it visits: with and
// without it, the verdict, the final states, the hazards and the flags are the same, and every
// witness trace of the reduced run replays on the machine itself to its line or its hazard. The
// tests with interchangeable CPUs are the fixmap family and every corpus test with one of its
// threads cloned (a new last thread running the same code from the same registers).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { runSource, type RunOptions, type TestResult } from '../../cli/run-test.js';
import { vmsaSystem } from '../../cli/vmsa-system.js';
import { replay } from '../../explorer/exhaustive.js';
import { deepEqual, parseTraceToken } from '../../explorer/system.js';
import { expandInputs } from '../../litmus/files.js';
import { stateHazards } from '../../model/hazards.js';
import { evalProp, stateLine } from '../../model/outcome.js';
import { machineSymmetry, symmetricClasses } from '../../model/symmetry.js';
import { jsonRecord } from '../../report/json.js';
import { root } from '../dist.js';
import { program } from '../helpers.js';

const SHARED = resolve(root, '../shared/conformance/corpus');
const LIMIT = 6000;

const summary = (r: TestResult): unknown => ({
  status: r.status,
  observation: r.observation,
  states: r.states.map((s) => `${s.line} ${s.satisfies}`),
  hazards: r.hazards.map((h) => `${h.kind}:P${h.cpu}:${h.va}`),
  flags: r.flags,
});

/**
 * `source` with thread `k` cloned as a new last thread: its column, its init-block registers
 * and, when the test has no locations line, the clone's copies of the registers of `k` that the
 * condition reads (so final states show both). Undefined for tests with handler columns.
 */
function cloneThread(source: string, k: number): string | undefined {
  const open = source.indexOf('{');
  if (open < 0) return undefined;
  let depth = 0;
  let close = -1;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return undefined;
  const init = source.slice(open + 1, close);
  const lines = source.slice(close + 1).split('\n');
  const header = lines.findIndex((l) => /^\s*P0\s*\|/.test(l) || /^\s*P0\s*;/.test(l));
  if (header < 0 || /\.F\b/.test(lines[header] as string)) return undefined;
  const cols = (l: string): string[] => l.replace(/;\s*$/, '').split('|');
  const n = cols(lines[header] as string).length;
  if (k >= n) return undefined;
  let row = header;
  for (; row < lines.length && /;\s*$/.test(lines[row] as string) && (lines[row] as string).includes('|') === n > 1; row++) {
    const c = cols(lines[row] as string);
    if (c.length !== n) return undefined;
    const copy = row === header ? ` P${n} ` : (c[k] as string);
    lines[row] = `${c.join('|')}| ${copy.trim()} ;`;
  }
  const items = [...init.matchAll(new RegExp(`(?:\\b([A-Za-z_][\\w]*)\\s+)?\\b${k}:([XW]\\d+)\\s*(=\\s*[^;]*)?;`, 'g'))].map((m) => `${m[1] === undefined ? '' : `${m[1]} `}${n}:${m[2]}${m[3] ?? ''};`);
  const tail = lines.slice(row).join('\n');
  const regs = [...new Set([...tail.matchAll(new RegExp(`\\b${k}:([XW]\\d+)`, 'g'))].map((m) => `${n}:${m[1]}`))];
  const locations = /^\s*locations\b/m.test(tail) || regs.length === 0 ? '' : `locations [${regs.join(';')};]\n`;
  return `${source.slice(0, close)}\n${items.join(' ')}\n}${lines.slice(0, row).join('\n')}\n${locations}${tail}`;
}

// Runs `source` with and without symmetry; checks they agree and that the reduced run's traces
// replay. Returns whether it compared (the unreduced run finished within LIMIT states).
function compare(source: string, file: string, opts: RunOptions, limit = LIMIT): boolean {
  const off = runSource(source, file, { ...opts, symmetry: false, maxStates: limit });
  if (!off.complete || off.status !== 'ok') return false;
  const on = runSource(source, file, { ...opts, symmetry: true });
  expect(summary(on), file).toEqual(summary(off));
  expect(on.explored, file).toBeLessThanOrEqual(off.explored);
  const prog = program(source, file);
  const sys = vmsaSystem(prog, { model: opts.model });
  const end = (token: string): ReturnType<typeof sys.initial> => {
    const t = parseTraceToken(token);
    if (!t.ok) throw new Error(t.message);
    const rp = replay(sys, t.trace);
    if (!rp.ok) throw new Error(`${file}: ${rp.message}`);
    return rp.states[rp.states.length - 1] as ReturnType<typeof sys.initial>;
  };
  for (const s of on.states) {
    const last = end(s.trace);
    expect(stateLine(prog, last), `${file} ${s.trace}`).toBe(s.line);
    expect(prog.condition === undefined || evalProp(prog, last, prog.condition.prop)).toBe(s.satisfies);
  }
  for (const h of on.hazards) {
    const t = parseTraceToken(h.trace);
    if (!t.ok) throw new Error(t.message);
    const rp = replay(sys, t.trace);
    if (!rp.ok) throw new Error(`${file}: ${rp.message}`);
    const last = rp.states[rp.states.length - 1] as ReturnType<typeof sys.initial>;
    const shown = [...(rp.findings[rp.findings.length - 1] ?? []).map((f) => f.key), ...stateHazards(prog, last).map((x) => `${x.kind}:P${x.cpu}:${x.va}`)];
    expect(shown, `${file} ${h.kind}:P${h.cpu}:${h.va}`).toContain(`${h.kind}:P${h.cpu}:${h.va}`);
  }
  // The same length as the unreduced run's witness: both are shortest.
  const lengths = (r: TestResult): number[] => [...r.states, ...r.hazards].map((x) => (parseTraceToken(x.trace) as { trace: { choices: number[] } }).trace.choices.length);
  expect(lengths(on), file).toEqual(lengths(off));
  return true;
}

describe('symmetry reduction', () => {
  it('finds the fixmap family interchangeable and reports what the unreduced search does', () => {
    expect(symmetricClasses(program(fixmapLitmus(4, 'local'), 'f.litmus'))).toEqual([[1, 2, 3]]);
    for (const maintenance of ['local', 'broadcast'] as const) {
      expect(compare(fixmapLitmus(4, maintenance), `fixmap4-${maintenance}.litmus`, { model: 'sc' })).toBe(true);
      expect(compare(fixmapLitmus(3, maintenance), `fixmap3-${maintenance}.litmus`, { model: 'arm' })).toBe(true);
    }
    // fewer states: 3 readers are 6 permutations
    const on = runSource(fixmapLitmus(4, 'broadcast'), 'f.litmus', { model: 'sc' });
    const off = runSource(fixmapLitmus(4, 'broadcast'), 'f.litmus', { model: 'sc', symmetry: false });
    expect(on.explored * 3).toBeLessThan(off.explored);
    // reports say which CPUs were taken as interchangeable
    expect(on.symmetric).toEqual([[1, 2, 3]]);
    expect(off.symmetric).toBeUndefined();
    expect(JSON.parse(jsonRecord(on)).symmetric).toEqual([[1, 2, 3]]);
  });
  it('finds final states that differ only in which interchangeable CPU faulted', () => {
    // The expansion tells a state's images apart by what their outcome lines show without
    // building them (model/symmetry.ts `observation`): here every reader's fault is observed and
    // one register, so images that move a fault to another reader must each be kept.
    const src = fixmapLitmus(4, 'broadcast').replace(/exists .*/, 'exists (fault(P1,f) /\\ ~fault(P2,f) /\\ ~fault(P3,f) /\\ 3:X5=2)');
    for (const model of ['sc', 'arm'] as const) {
      expect(compare(src, `fixmap4-faults-${model}.litmus`, { model, defaultFaultMode: 'fatal' }, 40000)).toBe(true);
      const r = runSource(src, 'f.litmus', { model, defaultFaultMode: 'fatal' });
      expect(r.states.filter((s) => /Fault\(P1,f[^)]*\); ~Fault\(P3,f\); ~Fault\(P2,f\)/.test(s.line)).length).toBeGreaterThan(0);
      expect(r.states.filter((s) => /Fault\(P2,f[^)]*\); ~Fault\(P3,f\); ~Fault\(P1,f\)/.test(s.line)).length).toBeGreaterThan(0);
    }
  });
  it("places a permuted step in the image's enabled list without building the image, on both models", () => {
    // The model's placer against the slow way (the mapped transition looked up in the image's list), for
    // every step of a sample of reachable states and every permutation. In the second test the
    // interchangeable CPUs issue TLBIs: where a pending one's issuer is among the moved CPUs,
    // renaming re-sorts its records, and the placer must decline rather than guess.
    const tlbis = [
      'AArch64 sym-tlbi',
      'Variant=vmsa',
      '{ [a]=1; [PTE(f)]=(oa:PA(a)); 0:X3=f; 1:X3=f; 2:X3=f; }',
      ' P0          | P1              | P2              ;',
      ' LDR W4,[X3] | LSR X4,X3,#12   | LSR X4,X3,#12   ;',
      ' LDR W5,[X3] | TLBI VALE1IS,X4 | TLBI VALE1IS,X4 ;',
      '             | DSB ISH         | DSB ISH         ;',
      'exists (0:X4=1 /\\ 0:X5=1)',
    ].join('\n');
    const cases = [
      [fixmapLitmus(4, 'broadcast'), false],
      [fixmapLitmus(4, 'local'), false],
      [tlbis, true],
    ] as const;
    for (const model of ['sc', 'arm'] as const) {
      for (const [k, [src, declines]] of cases.entries()) {
        const prog = program(src, 'f.litmus');
        const sys = vmsaSystem(prog, { model });
        const sym = machineSymmetry(prog, sys.machine);
        if (sym?.placer === undefined || sym.mapTransition === undefined) throw new Error('no placer');
        let placed = 0;
        let declined = 0;
        let frontier = [sys.initial()];
        for (let depth = 0; depth < 9 && frontier.length > 0; depth++) {
          const next = [];
          for (const s of frontier.slice(0, 40)) {
            const ts = sys.enabled(s);
            ts.forEach((t, j) => {
              const place = sym.placer?.(s, ts, j);
              for (const g of sym.group) {
                const fast = place?.(g);
                const slow = sys.enabled(sym.apply(s, g)).findIndex((u) => deepEqual(u, sym.mapTransition?.(s, t, g)));
                if (fast === undefined) declined++;
                else {
                  placed++;
                  expect(fast, `${model} case ${k} depth ${depth}`).toBe(slow);
                }
              }
              next.push(sys.step(s, t).state);
            });
          }
          frontier = next;
        }
        expect(placed, `${model} case ${k}`).toBeGreaterThan(declined);
        expect(declined > 0, `${model} case ${k}`).toBe(declines);
      }
    }
  });
  it('leaves threads that differ in code or registers alone', () => {
    const src = fixmapLitmus(3, 'local').replace('2:X3=f;', '2:X3=f; 2:X9=1;');
    expect(symmetricClasses(program(src, 'f.litmus'))).toEqual([]);
    expect(cloneThread('AArch64 t\n{ 0:X0=x; }\n P0 | P0.F ;\n NOP | NOP ;\nexists (0:X0=1)\n', 0)).toBeUndefined();
  });
});

describe.skipIf(!existsSync(SHARED))('symmetry reduction over the corpora with a thread cloned', () => {
  // (corpus, model, most states of the unreduced search, fewest tests compared)
  const runs: [string, 'sc' | 'arm', number, number][] = [
    ['aarch64-BBM', 'arm', LIMIT, 5],
    ['AArch64.kvm', 'arm', LIMIT, 5],
    ['aarch64', 'arm', LIMIT, 60],
    ['aarch64-VMSA', 'sc', LIMIT, 400],
    ['aarch64-VMSA', 'arm', 1500, 250],
  ];
  for (const [corpus, model, limit, least] of runs) {
    it(`${corpus}, ${model}: same verdicts, states, hazards and witness lengths with and without it`, async () => {
      let compared = 0;
      for (const file of (await expandInputs([join(SHARED, corpus)])).files) {
        const src = cloneThread(readFileSync(file, 'utf8'), 1);
        if (src === undefined) continue;
        if (compare(src, file, { model, defaultFaultMode: 'fatal' }, limit)) compared++;
      }
      console.log(`${corpus}, ${model}: ${compared} tests compared`);
      expect(compared).toBeGreaterThan(least);
    });
  }
});
