// Budgets stop a search cleanly with an incomplete, clearly labelled result.
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { herdBlock } from '../../report/herd-text.js';
import { run } from '../helpers.js';

const big = fixmapLitmus(4, 'broadcast');

describe('search budgets', () => {
  it('--max-states stops at the limit and says so', () => {
    const r = run(big, { maxStates: 500 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('max-states');
    expect(r.explored).toBe(500);
    expect(herdBlock(r)).toMatch(/Incomplete: stopped after 500 states \(state limit\)/);
  });
  it('--max-memory stops once the heap is over the limit', () => {
    const r = run(big, { maxMemoryMb: 1 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('max-memory');
    expect(herdBlock(r)).toMatch(/\(memory limit\)/);
  });
  it('--timeout reports status timeout with what was found', () => {
    const r = run(big, { timeout: 0.001 });
    expect(r.status).toBe('timeout');
    expect(r.complete).toBe(false);
    expect(r.explored).toBeGreaterThan(0);
  });
  it('a complete run has no stop reason', () => {
    const r = run(fixmapLitmus(2, 'broadcast'));
    expect(r.complete).toBe(true);
    expect(r.stopped).toBeUndefined();
  });
});
