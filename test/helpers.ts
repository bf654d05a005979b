// Shared test helpers: run litmus source through the real pipeline.
import { runSource, type RunOptions, type TestResult } from '../cli/run-test.js';

/** Runs litmus source text with the SC model (fatal faults by default, as herd). */
export function run(source: string, opts: Partial<RunOptions> = {}): TestResult {
  return runSource(source, 'inline.litmus', { model: 'sc', ...opts });
}

/** The sorted state lines of a result. */
export function lines(r: TestResult): string[] {
  return r.states.map((s) => s.line).sort();
}
