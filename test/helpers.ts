// Shared test helpers: run litmus source through the real pipeline.
import { expect } from 'vitest';
import { loadSource } from '../cli/load-source.js';
import { explainTrace } from '../cli/replay.js';
import { runSource, type RunOptions, type TestResult } from '../cli/run-test.js';
import type { Program } from '../model/program.js';

/** Runs litmus source text with the SC model (fatal faults by default, as herd). */
export function run(source: string, opts: Partial<RunOptions> = {}): TestResult {
  return runSource(source, 'inline.litmus', { model: 'sc', ...opts });
}

/** The sorted state lines of a result. */
export function lines(r: TestResult): string[] {
  return r.states.map((s) => s.line).sort();
}

/** The loaded program of litmus source text (the test fails if it does not load). */
export function program(source: string, file = 'inline.litmus'): Program {
  const l = loadSource(source, file);
  if (!l.ok) throw new Error(l.message);
  return l.program;
}

/** Runs `source` and checks that every hazard's trace replays to a step showing that hazard. */
export function expectHazardTracesReplay(source: string, file: string, model: 'sc' | 'arm' = 'sc'): TestResult {
  const r = runSource(source, file, { model });
  const prog = program(source, file);
  for (const h of r.hazards) {
    const ex = explainTrace(prog, h.trace, model);
    if (!ex.ok) throw new Error(ex.message);
    expect(ex.steps.flatMap((s) => s.hazards).map((x) => `${x.kind}:P${x.cpu}:${x.va}`)).toContain(`${h.kind}:P${h.cpu}:${h.va}`);
  }
  return r;
}
