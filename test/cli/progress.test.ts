// The progress line: what the explorer reports while it searches and, after a search of a
// quotient by symmetry, while it expands the witnesses of each orbit.
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { progressLine } from '../../cli/progress.js';
import { runSource } from '../../cli/run-test.js';
import type { Progress } from '../../explorer/exhaustive.js';

describe('progress', () => {
  it('reports the search, then the expansion of symmetric witnesses orbit by orbit', () => {
    const seen: Progress[] = [];
    const r = runSource(fixmapLitmus(4, 'broadcast'), 'fx4.litmus', { model: 'sc', progress: (p) => seen.push(p) });
    expect(r.status).toBe('ok');
    const searching = seen.filter((p) => p.expanding === undefined);
    const expanding = seen.filter((p) => p.expanding !== undefined);
    expect(searching.length).toBeGreaterThan(0);
    expect(expanding.length).toBeGreaterThan(0);
    // expansion comes after the search, reports the whole search, and counts up to the orbits it has
    expect(seen.indexOf(expanding[0] as Progress)).toBeGreaterThan(seen.indexOf(searching[searching.length - 1] as Progress));
    expect(expanding[0]).toMatchObject({ distinct: r.explored, transitions: r.transitions, expanding: { done: 1 } });
    for (const p of expanding) expect(p.expanding?.done).toBeLessThanOrEqual(p.expanding?.of ?? 0);
    expect(progressLine('fx4', expanding[0] as Progress, 2)).toBe(`fx4 | ${r.explored} states searched | symmetric witnesses: orbit 1 of ${expanding[0]?.expanding?.of} | 2.0 s`);
    // then the permuted witnesses of the outcomes, once every orbit is done
    const permuted = expanding.filter((p) => p.expanding?.permuted !== undefined);
    expect(permuted.length).toBeGreaterThan(0);
    expect(seen.indexOf(permuted[0] as Progress)).toBeGreaterThan(seen.indexOf(expanding.find((p) => p.expanding?.permuted === undefined) as Progress));
    expect(permuted[0]?.expanding).toMatchObject({ permuted: { done: 0 } });
    expect(permuted[0]?.expanding?.permuted?.of).toBe(r.states.length);
    expect(permuted[0]?.expanding?.done).toBe(permuted[0]?.expanding?.of);
    expect(progressLine('fx4', { distinct: 10, transitions: 20, frontier: 0, expanding: { done: 4, of: 4, permuted: { done: 3, of: 7 } } }, 2)).toBe('fx4 | 10 states searched | symmetric witnesses: orbit 4 of 4, permuted 3 of 7 | 2.0 s');
    expect(progressLine('fx4', { distinct: 3000, transitions: 9000, frontier: 12 }, 2)).toBe('fx4 | 3000 states | 9000 transitions | frontier 12 | 1500 states/s | 2.0 s');
  });

  it('has no expansion phase without symmetry', () => {
    const seen: Progress[] = [];
    runSource(fixmapLitmus(4, 'broadcast'), 'fx4.litmus', { model: 'sc', symmetry: false, progress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.expanding === undefined)).toBe(true);
  });
});
