// `--workers auto`: the main thread alone on one or two cores (where it was measured faster), one
// worker per core on more.
import { describe, expect, it } from 'vitest';
import { autoWorkers } from '../../cli/auto-workers.js';

describe('--workers auto', () => {
  it('keeps the search in the main thread on 1 or 2 cores and uses every core on more', () => {
    expect(autoWorkers(1)).toBe(0);
    expect(autoWorkers(2)).toBe(0);
    expect(autoWorkers(3)).toBe(3);
    expect(autoWorkers(16)).toBe(16);
  });
});
