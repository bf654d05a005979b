// herd7's per-test block, plus shootdown's hazard lines, as text.

import type { TestResult } from '../cli/run-test.js';

/** `Test NAME Allowed|Required|Forbidden`, from the quantifier as herd does. */
function kindWord(q: TestResult['quantifier']): string {
  return q === 'forall' ? 'Required' : q === 'not exists' ? 'Forbidden' : 'Allowed';
}

/** The herd-style block for one result (no trailing newline). */
export function herdBlock(r: TestResult): string {
  const lines: string[] = [];
  if (r.status === 'error' || r.status === 'unsupported') {
    const p = r.problem;
    const where = p === undefined ? r.file : `${r.file}:${p.line}:${p.col}`;
    lines.push(`Test ${r.test} ${r.status === 'error' ? 'Error' : 'Unsupported'}`);
    lines.push(`${where}: ${r.status === 'unsupported' ? 'unsupported: ' : ''}${p?.message ?? ''}`);
    return lines.join('\n');
  }
  lines.push(`Test ${r.test} ${kindWord(r.quantifier)}`);
  lines.push(`States ${r.states.length}`);
  for (const s of [...r.states].sort((a, b) => (a.line < b.line ? -1 : a.line > b.line ? 1 : 0))) lines.push(s.line);
  lines.push(r.ok === true ? 'Ok' : 'No');
  lines.push('Witnesses');
  // herd swaps the two counts on this line for ~exists tests (the Observation line keeps them raw).
  const [p, n] = r.quantifier === 'not exists' ? [r.negative, r.positive] : [r.positive, r.negative];
  lines.push(`Positive: ${p} Negative: ${n}`);
  for (const f of r.flags) lines.push(`Flag ${f}`);
  if (r.condition !== undefined) lines.push(`Condition ${r.condition}`);
  lines.push(`Observation ${r.test} ${r.observation ?? 'Never'} ${r.positive} ${r.negative}`);
  for (const h of r.hazards) {
    lines.push(`Hazard ${h.kind} P${h.cpu} ${h.va}: ${h.message} [trace ${h.trace}]`);
    for (const e of h.explanation ?? []) lines.push(`    ${e}`);
  }
  if (r.hazardCheck !== undefined) {
    const c = r.hazardCheck;
    const show = (k: readonly string[]): string => (k.length === 0 ? 'none' : k.join(' '));
    lines.push(c.ok ? `Hazards Ok (${show(c.expected)})` : `Hazards mismatch: expected ${show(c.expected)}, found ${show(c.found)}`);
  }
  const why = { timeout: 'timeout', 'max-states': 'state limit', 'max-memory': 'memory limit', cancelled: 'interrupted' }[r.stopped ?? 'timeout'];
  if (!r.complete) lines.push(`Incomplete: stopped after ${r.explored} states (${why}); the states above are those found so far`);
  lines.push(`Time ${r.test} ${(r.ms / 1000).toFixed(2)}`);
  return lines.join('\n');
}
