// Every final state a run reports comes with a trace that replays to a state with exactly that
// line, and its `satisfies` flag is the condition evaluated on that state (reports take both from
// the search without replaying, so this checks them).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { runSource } from '../../cli/run-test.js';
import { vmsaSystem } from '../../cli/vmsa-system.js';
import { replay } from '../../explorer/exhaustive.js';
import { parseTraceToken } from '../../explorer/system.js';
import { evalProp, stateLine } from '../../model/outcome.js';
import { root } from '../dist.js';
import { program } from '../helpers.js';

function checkWitnesses(source: string, file: string, model: 'sc' | 'arm' = 'sc'): number {
  const r = runSource(source, file, { model, defaultFaultMode: 'fatal' });
  if (r.status !== 'ok') return 0;
  const prog = program(source, file);
  const sys = vmsaSystem(prog, { model });
  for (const st of r.states) {
    const t = parseTraceToken(st.trace);
    if (!t.ok) throw new Error(t.message);
    const rp = replay(sys, t.trace);
    if (!rp.ok) throw new Error(`${file}: ${rp.message}`);
    const last = rp.states[rp.states.length - 1];
    if (last === undefined) throw new Error('empty replay');
    expect(stateLine(prog, last), `${file} ${st.trace}`).toBe(st.line);
    expect(prog.condition === undefined || evalProp(prog, last, prog.condition.prop), `${file} ${st.line}`).toBe(st.satisfies);
  }
  return r.states.length;
}

describe('witness traces of final states', () => {
  it('replay to their lines on the examples and the fixmap family', () => {
    const dir = join(root, 'examples');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.litmus'))) expect(checkWitnesses(readFileSync(join(dir, f), 'utf8'), f)).toBeGreaterThan(0);
    expect(checkWitnesses(fixmapLitmus(3, 'local'), 'fixmap3.litmus')).toBe(49);
    expect(checkWitnesses(fixmapLitmus(3, 'local'), 'fixmap3.litmus', 'arm')).toBe(49);
  });
  const kvm = resolve(root, '../shared/conformance/corpus/AArch64.kvm');
  it.skipIf(!existsSync(kvm))('replay to their lines on AArch64.kvm', () => {
    let n = 0;
    for (const f of readdirSync(kvm).filter((x) => x.endsWith('.litmus'))) n += checkWitnesses(readFileSync(join(kvm, f), 'utf8'), join(kvm, f));
    expect(n).toBeGreaterThan(50);
  });
});
