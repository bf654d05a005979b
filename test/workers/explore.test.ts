// Parallel exhaustive search on real worker threads: byte-identical results (apart from timings)
// for the sequential search and for 1 and 2 workers, across the conformance corpora; a worker
// thread that dies is replaced without changing the result.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { runSource, runSourceAsync, type RunOptions, type TestResult } from '../../cli/run-test.js';
import { expandInputs } from '../../litmus/files.js';
import { jsonRecord } from '../../report/json.js';
import { ExplorePool } from '../../workers/explore-host.js';
import { distFile, root } from '../dist.js';

const SHARED = resolve(root, '../shared/conformance/corpus');
const HAVE_SHARED = existsSync(SHARED);
const workerFile = distFile('workers/explore-worker.js');
const pools = new Map<number, ExplorePool>();
const pool = (n: number): ExplorePool => {
  let p = pools.get(n);
  if (p === undefined) pools.set(n, (p = new ExplorePool(n, workerFile)));
  return p;
};
afterAll(async () => {
  for (const p of pools.values()) await p.destroy();
});

/** The JSON record without its timing. */
const record = (r: TestResult): string => jsonRecord(r).replace(/"ms":[0-9.]+/, '"ms":0');

const opts: RunOptions = { model: 'sc', defaultFaultMode: 'fatal' };

describe('parallel search on worker threads', () => {
  it('gives the sequential result for the fixmap test with 1 and 2 workers, with and without symmetry', async () => {
    for (const maintenance of ['local', 'broadcast'] as const) {
      for (const symmetry of [true, false]) {
        const o = { ...opts, symmetry };
        const src = fixmapLitmus(3, maintenance);
        const seq = record(runSource(src, 'fixmap.litmus', o));
        for (const n of [1, 2]) expect(record(await runSourceAsync(src, 'fixmap.litmus', o, { pool: pool(n), after: 0 }))).toBe(seq);
        // and when the search moves to the workers midway
        expect(record(await runSourceAsync(src, 'fixmap.litmus', o, { pool: pool(2), after: symmetry ? 100 : 1000 }))).toBe(seq);
      }
    }
  });
  it('replaces a worker thread that dies mid-search, with the same result', async () => {
    const src = fixmapLitmus(3, 'local');
    const seq = record(runSource(src, 'fixmap.litmus', opts));
    for (const level of [3, 9]) {
      const r = await runSourceAsync(src, 'fixmap.litmus', opts, { pool: pool(2), after: 0, crash: { partition: 1, level } });
      expect(record(r)).toBe(seq);
    }
    // and after the main thread handed its frontier over at level 5 or 6 (the new thread replays
    // its share; the search is 11 levels deep)
    for (const symmetry of [true, false]) {
      const o = { ...opts, symmetry };
      const want = record(runSource(src, 'fixmap.litmus', o));
      const r = await runSourceAsync(src, 'fixmap.litmus', o, { pool: pool(2), after: 60, crash: { partition: 1, level: 8 } });
      expect(record(r)).toBe(want);
    }
  });
  it('reports a construct the model does not support met in a worker, with its position', async () => {
    const src = 'AArch64 unsup\n{ 0:X4=x; 0:X8=1; }\n P0 ;\n MOV X1,#1 ;\n BIC X2,X4,X8 ;\nexists (0:X2=0)\n';
    const r = await runSourceAsync(src, 'unsup.litmus', opts, { pool: pool(2), after: 0 });
    expect(r.status).toBe('unsupported');
    expect(r.problem).toMatchObject({ line: 5, col: 2, construct: 'BIC' });
    expect(r.problem?.message).toMatch(/arithmetic BIC on symbolic values/);
    expect(record(r)).toBe(record(runSource(src, 'unsup.litmus', opts)));
  });
  it('stops at --max-states with an incomplete result', async () => {
    const r = await runSourceAsync(fixmapLitmus(5, 'broadcast'), 'fixmap.litmus', { ...opts, maxStates: 1000 }, { pool: pool(2), after: 0 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('max-states');
  });
});

// Every test of the corpora that the sequential search finishes within LIMIT states (and not
// with an unsupported construct) gives the same JSON record with 1 and 2 workers. Worker runs
// start at once (after: 0), so even the smallest test goes through the threads.
const LIMIT = 3000;

describe.skipIf(!HAVE_SHARED)('the corpora: 1 and 2 workers give the sequential result', () => {
  const corpora = HAVE_SHARED ? ['aarch64-BBM', 'AArch64.kvm', 'aarch64', 'aarch64-VMSA'] : [];
  for (const corpus of corpora) {
    it(`${corpus}: every test finished within ${LIMIT} states`, async () => {
      let compared = 0;
      for (const file of (await expandInputs([join(SHARED, corpus)])).files) {
        const src = readFileSync(file, 'utf8');
        const seq = runSource(src, file, { ...opts, maxStates: LIMIT });
        if (!seq.complete || seq.status !== 'ok') continue;
        const want = record(runSource(src, file, opts));
        for (const n of [1, 2]) expect(record(await runSourceAsync(src, file, opts, { pool: pool(n), after: 0 })), `${file} with ${n} worker(s)`).toBe(want);
        compared++;
      }
      expect(compared).toBeGreaterThan(corpus === 'aarch64-VMSA' ? 500 : 5);
    });
  }
});
