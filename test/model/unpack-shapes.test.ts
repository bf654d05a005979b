// States rebuilt from packed data (a worker adopting states moved to it) must have the hidden
// classes of the states the machine builds: every function optimized on the machine's objects
// was deoptimized by the first adopted state otherwise (with 2 workers, twice the optimizing
// compilations of 1). V8 tells maps apart only with --allow-natives-syntax, so the check runs in
// a child process over the compiled tree.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { distFile } from '../dist.js';

const SCRIPT = `
const [gen, load, system] = await Promise.all([GEN, LOAD, SYSTEM].map((u) => import(u)));
const l = load.loadSource(gen.fixmapLitmus(4, 'broadcast'), 'f.litmus');
for (const model of ['sc', 'arm']) {
  const sys = system.searchedSystem(l.program, { model, evictions: false, por: true, sleep: true, symmetry: false }).searched;
  // a few steps in: TLB entries, a fault list, registers written and not
  let s = sys.initial();
  for (let k = 0; k < 7; k++) {
    const ts = sys.enabled(s);
    if (ts.length === 0) break;
    s = sys.step(s, ts[(k * 3) % ts.length]).state;
  }
  const [u] = sys.unpack(sys.pack([s]));
  // both as a search stores them (keep interns CPUs, which caches digests on their register lists)
  sys.keep(s);
  sys.keep(u);
  const same = (a, b) => %HaveSameMap(a, b);
  const out = { state: same(s, u), mem: same(s.mem, u.mem), cpus: same(s.cpus, u.cpus), faults: same(s.faults, u.faults), remaps: same(s.remaps, u.remaps) };
  s.cpus.forEach((c, i) => {
    const d = u.cpus[i];
    out['cpu' + i] = same(c, d);
    for (const k of Object.keys(c)) if (Array.isArray(c[k])) out['cpu' + i + '.' + k] = same(c[k], d[k]) && (c[k].length === 0 || typeof c[k][0] !== 'object' || same(c[k][0], d[k][0]));
  });
  console.log(JSON.stringify({ model, out }));
}
`;

describe('unpacked states', () => {
  it("have the machine's hidden classes: the state, its CPUs and every list", () => {
    const url = (f: string): string => JSON.stringify(pathToFileURL(distFile(f)).href);
    const script = SCRIPT.replace('GEN', url('bench/fixmap-gen.js')).replace('LOAD', url('cli/load-source.js')).replace('SYSTEM', url('cli/vmsa-system.js'));
    const lines = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const { model, out } = JSON.parse(line) as { model: string; out: Record<string, boolean> };
      expect(Object.keys(out).length).toBeGreaterThan(20);
      const differ = Object.entries(out).filter(([, v]) => !v).map(([k]) => k);
      expect(differ, model).toEqual([]);
    }
  });
});
