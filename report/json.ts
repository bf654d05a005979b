// One JSON object per test, for scripts.

import type { TestResult } from '../cli/run-test.js';

/** The JSON record of one result (a single line). */
export function jsonRecord(r: TestResult): string {
  const observation = r.status === 'ok' || r.status === 'timeout' ? (r.observation ?? null) : null;
  return JSON.stringify({
    test: r.test,
    file: r.file,
    status: r.status,
    ...(r.problem === undefined ? {} : { problem: r.problem }),
    condition: r.condition ?? null,
    observation,
    ok: r.ok ?? null,
    states: [...r.states].map((s) => s.line).sort(),
    witnesses: [...r.states].sort((a, b) => (a.line < b.line ? -1 : 1)).map((s) => ({ state: s.line, satisfies: s.satisfies, trace: s.trace })),
    positive: r.positive,
    negative: r.negative,
    flags: r.flags,
    hazards: r.hazards.map((h) => ({ kind: h.kind, cpu: h.cpu, va: h.va, message: h.message, trace: h.trace, ...(h.explanation === undefined ? {} : { explanation: h.explanation }) })),
    ...(r.hazardCheck === undefined ? {} : { hazard_check: r.hazardCheck }),
    complete: r.complete,
    ...(r.stopped === undefined ? {} : { stopped: r.stopped }),
    explored: r.explored,
    ...(r.symmetric === undefined || r.symmetric.length === 0 ? {} : { symmetric: r.symmetric }),
    transitions: r.transitions,
    ms: r.ms,
  });
}
