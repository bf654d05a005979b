// Progress on long runs: a one-line live status on a terminal (cli-progress), shown once a test
// has run for a second, quiet when stderr is not a TTY or with --quiet.

import { SingleBar } from 'cli-progress';
import type { Progress } from '../explorer/exhaustive.js';

/** Receives exploration counters for the test being run. */
export interface ProgressSink {
  /** a new test starts */
  start(test: string): void;
  update(p: Progress): void;
  /** the test is done: clear the line */
  stop(): void;
}

/** A sink that prints nothing. */
export const quietProgress: ProgressSink = { start() {}, update() {}, stop() {} };

/** The terminal sink (or the quiet one when stderr is not a terminal). */
export function terminalProgress(enabled: boolean): ProgressSink {
  if (!enabled || process.stderr.isTTY !== true) return quietProgress;
  let bar: SingleBar | undefined;
  let test = '';
  let t0 = 0;
  return {
    start(name) {
      test = name;
      t0 = Date.now();
    },
    update(p) {
      const elapsed = (Date.now() - t0) / 1000;
      if (elapsed < 1) return;
      const payload = { line: progressLine(test, p, elapsed) };
      if (bar === undefined) {
        bar = new SingleBar({
          format: '{line}',
          stream: process.stderr,
          clearOnComplete: true,
          hideCursor: true,
        });
        bar.start(1, 0, payload);
      } else bar.update(0, payload);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** The status line for `p`, `elapsed` seconds into test `test`. */
export function progressLine(test: string, p: Progress, elapsed: number): string {
  const t = `${elapsed.toFixed(1)} s`;
  if (p.expanding !== undefined) {
    const permuted = p.expanding.permuted === undefined ? '' : `, permuted ${p.expanding.permuted.done} of ${p.expanding.permuted.of}`;
    return `${test} | ${p.distinct} states searched | symmetric witnesses: orbit ${p.expanding.done} of ${p.expanding.of}${permuted} | ${t}`;
  }
  return `${test} | ${p.distinct} states | ${p.transitions} transitions | frontier ${p.frontier} | ${Math.round(p.distinct / elapsed)} states/s | ${t}`;
}
