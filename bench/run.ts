// `npm run bench`: exploration speed on the generated fixmap family, measured in one run.
// Prints ratios and absolute numbers; never asserts (speed targets are not unit tests).

import { fixmapLitmus } from './fixmap-gen.js';
import { runSource } from '../cli/run-test.js';

/** herd7's CPU time on this machine kind for the broadcast fixmap test (issue 5's figures). */
const HERD_SECONDS: Record<number, string> = { 2: '0.04 s', 3: '2 s', 4: '333 s (CPU)', 5: 'not measured', 6: 'not measured' };

function measure(cpus: number, model: 'sc' | 'arm', timeout: number): { states: number; ms: number; complete: boolean; heapMb: number; observation: string } {
  const src = fixmapLitmus(cpus, 'broadcast');
  if (global.gc !== undefined) global.gc();
  const before = process.memoryUsage().heapUsed;
  const r = runSource(src, `fixmap-${cpus}.litmus`, { model, timeout });
  const after = process.memoryUsage().heapUsed;
  return { states: r.explored, ms: r.ms, complete: r.complete, heapMb: (after - before) / 2 ** 20, observation: r.observation ?? '?' };
}

const maxCpus = Number(process.env.BENCH_MAX_CPUS ?? 5);
const timeout = Number(process.env.BENCH_TIMEOUT ?? 120);
console.log(`shootdown bench: broadcast fixmap family, 1 worker, node ${process.version}`);
console.log('cpus  model  states      time       states/s   heap MB/M states  verdict    herd7');
for (const model of ['sc', 'arm'] as const) {
  for (let n = 2; n <= maxCpus; n++) {
    const m = measure(n, model, timeout);
    const rate = m.ms > 0 ? Math.round((m.states / m.ms) * 1000) : 0;
    const perM = m.states > 0 ? (m.heapMb / m.states) * 1e6 : 0;
    console.log(
      `${String(n).padEnd(6)}${model.padEnd(7)}${String(m.states).padEnd(12)}${`${(m.ms / 1000).toFixed(2)} s`.padEnd(11)}${String(rate).padEnd(11)}${perM.toFixed(0).padEnd(18)}${(m.complete ? m.observation : 'incomplete').padEnd(11)}${HERD_SECONDS[n] ?? ''}`,
    );
    if (!m.complete) break;
  }
}
console.log('not measured yet: 2-worker speedup (parallel exhaustive search is not built), partial-order reduction (not built)');
