// Conformance with herd7: the BBM and kvm corpora on the SC model, every test herd7 finished on the
// default (arm) model against the disagreements CONFORMANCE.md lists, and unit tests
// of the comparison helpers (TSV reader, state-line normaliser).

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  RESULT_COLUMNS,
  compareOne,
  disagreements,
  herdStateLines,
  isCoreVmsa,
  parseTsv,
  sameStates,
  stateBindings,
  stateKey,
  summarise,
  unsupportedKey,
  type Comparison,
  type TsvRow,
} from '../../cli/conformance-compare.js';
import { runSource } from '../../cli/run-test.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const SHARED = resolve(here, '../../../shared/conformance');
const HAVE_SHARED = existsSync(join(SHARED, 'herd7', 'results.tsv'));

describe('parseTsv', () => {
  it('keys cells by header name, whatever the column order', () => {
    const t = parseTsv('b\ta\tc\n2\t1\t3\n\n5\t4\t6\r\n', ['a', 'b']);
    expect(t.header).toEqual(['b', 'a', 'c']);
    expect(t.rows).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '4', b: '5', c: '6' },
    ]);
  });
  it('reads missing trailing cells as empty and keeps empty middle cells', () => {
    const t = parseTsv('x\ty\tz\n1\t\t3\n7\n');
    expect(t.rows).toEqual([
      { x: '1', y: '', z: '3' },
      { x: '7', y: '', z: '' },
    ]);
  });
  it('names missing required columns', () => {
    expect(() => parseTsv('a\tb\n1\t2\n', ['a', 'file', 'out_file'])).toThrow(/file, out_file/);
    expect(() => parseTsv('', ['a'])).toThrow(/empty/);
  });
});

describe('state lines', () => {
  it('splits into bindings, drops spacing, sorts', () => {
    expect(stateBindings('1:X2=0;  ~Fault(P1,x,MMU:Translation);')).toEqual(['1:X2=0', '~Fault(P1,x,MMU:Translation)']);
    expect(stateBindings(' Fault(P0:L0,x,D-MMU:Translation);')).toEqual(['Fault(P0:L0,x,D-MMU:Translation)']);
    expect(stateBindings('[PTE(x)]=(oa:PA(y), af:0); 0:X3=1;')).toEqual(['0:X3=1', '[PTE(x)]=(oa:PA(y),af:0)']);
    expect(stateBindings('')).toEqual([]);
  });
  it('ignores binding order and spacing, not values', () => {
    expect(stateKey('1:X0=1; 1:X2=2;')).toBe(stateKey('1:X2=2;1:X0=1;'));
    expect(stateKey('1:X0 = 1 ;')).toBe(stateKey('1:X0=1;'));
    expect(stateKey('1:X0=1; 1:X2=2;')).not.toBe(stateKey('1:X0=2; 1:X2=1;'));
    expect(sameStates(['1:X0=1; 1:X2=1;', '1:X0=2; 1:X2=1;'], ['1:X2=1;1:X0=2;', ' 1:X2=1; 1:X0=1;'])).toBe(true);
    expect(sameStates(['1:X0=1;'], ['1:X0=1;', '1:X0=2;'])).toBe(false);
    expect(sameStates(['1:X0=1;'], ['1:X0=2;'])).toBe(false);
  });
  it('reads the N lines after `States N` in herd output', () => {
    const out = 'Test A Allowed\nStates 2\n1:X0=1;\n1:X0=2;\nOk\nWitnesses\n';
    expect(herdStateLines(out)).toEqual(['1:X0=1;', '1:X0=2;']);
    expect(herdStateLines('Warning: something\n')).toBeUndefined();
  });
  it('recognises fault-handler columns and TTHM headers', () => {
    expect(isCoreVmsa('AArch64 A\n{ }\n P0 | P1 ;\n')).toBe(true);
    expect(isCoreVmsa('AArch64 A\n{ }\n P0 | P0.F ;\n')).toBe(false);
    expect(isCoreVmsa('AArch64 A\nTTHM=HA\n{ }\n P0 ;\n')).toBe(false);
  });
});

describe('unsupportedKey', () => {
  it('counts run-time refusals by reason and load-time ones by construct', () => {
    expect(unsupportedKey({ construct: 'STR', message: "P0 'STR W1,[X2]': hardware dirty-state update (TTHM=HD with dbm:1)" })).toBe('hardware dirty-state update (TTHM=HD with dbm:1)');
    expect(unsupportedKey({ construct: 'BIC', message: "P2 'BIC X2,X4,X8': arithmetic BIC on symbolic values is not supported" })).toBe('arithmetic BIC on symbolic values');
    expect(unsupportedKey({ construct: 'instruction AT', message: 'unsupported instruction AT: supported are LDR, ...' })).toBe('instruction AT');
  });
});

// ---- the fast corpus subset ----

const rows: TsvRow[] = HAVE_SHARED ? parseTsv(readFileSync(join(SHARED, 'herd7', 'results.tsv'), 'utf8'), RESULT_COLUMNS).rows : [];

function run(corpus: string, row: TsvRow): Comparison {
  const file = join(SHARED, 'corpus', corpus, row['file'] ?? '');
  const result = runSource(readFileSync(file, 'utf8'), file, { model: 'sc', timeout: 20, defaultFaultMode: 'fatal' });
  const outFile = join(SHARED, 'herd7', row['out_file'] ?? '');
  return compareOne(corpus, row, result, existsSync(outFile) ? readFileSync(outFile, 'utf8') : undefined);
}

if (!HAVE_SHARED) {
  it.skip(`conformance subset: shared folder not found at ${SHARED} (SKIPPED)`, () => {});
}

describe.skipIf(!HAVE_SHARED)('conformance: aarch64-BBM', () => {
  const bbmRows = rows.filter((r) => r['corpus'] === 'aarch64-BBM');
  let comps: Comparison[] = [];
  beforeAll(() => {
    comps = bbmRows.map((r) => run('aarch64-BBM', r));
  });

  it('has the 8 tests', () => {
    expect(bbmRows.length).toBe(8);
  });

  it('agrees with herd on every verdict and every final-state set', () => {
    const s = summarise('aarch64-BBM', comps);
    const detail = comps.map((c) => `${c.test}: ${c.status} herd ${c.herd} ours ${c.ours} states ${c.statesAgree} ${JSON.stringify(c.statesDiff ?? {})} ${c.message ?? ''}`);
    expect(s.verdicts, detail.join('\n')).toEqual({ agree: 8, of: 8 });
    expect(s.states, detail.join('\n')).toEqual({ agree: 8, of: 8 });
  });

  it('reports an amalgamation hazard exactly on the tests herd flags Warning-BBM-expected', () => {
    const flagged = comps.filter((c) => c.bbmFlagHerd).map((c) => c.test);
    const ours = comps.filter((c) => c.amalgamationOurs).map((c) => c.test);
    expect(flagged.length).toBeGreaterThan(0);
    expect(ours).toEqual(flagged);
  });
});

describe.skipIf(!HAVE_SHARED)('conformance: AArch64.kvm without fault handlers or TTHM', () => {
  const core = rows.filter((r) => {
    if (r['corpus'] !== 'AArch64.kvm' || r['herd_status'] !== 'ok') return false;
    return isCoreVmsa(readFileSync(join(SHARED, 'corpus', 'AArch64.kvm', r['file'] ?? ''), 'utf8'));
  });

  it('selects a non-trivial subset', () => {
    expect(core.length).toBeGreaterThan(10);
  });

  it.each(core.map((r) => [r['test'] ?? '', r] as const))('%s: our verdict is herd’s', (_name, row) => {
    const c = run('AArch64.kvm', row);
    expect({ status: c.status, observation: c.ours, problem: c.message }).toEqual({ status: 'ok', observation: c.herd, problem: undefined });
  });
});

// ---- the default model over every corpus test herd7 finished ----

describe.skipIf(!HAVE_SHARED)('conformance with the default (arm) model: every disagreement is listed in CONFORMANCE.md', () => {
  const listing = readFileSync(resolve(here, '../../CONFORMANCE.md'), 'utf8');
  it('on every test herd7 finished, in every corpus', () => {
    const unlisted: string[] = [];
    let agree = 0;
    let answered = 0;
    for (const row of rows) {
      if (row['herd_status'] !== 'ok') continue;
      const corpus = row['corpus'] ?? '';
      const file = join(SHARED, 'corpus', corpus, row['file'] ?? '');
      const result = runSource(readFileSync(file, 'utf8'), file, { model: 'arm', timeout: 60, defaultFaultMode: 'fatal' });
      const outFile = join(SHARED, 'herd7', row['out_file'] ?? '');
      const c = compareOne(corpus, row, result, existsSync(outFile) ? readFileSync(outFile, 'utf8') : undefined);
      if (c.status === 'ok') answered++;
      if (c.verdictAgrees === true) agree++;
      const problem = c.status !== 'ok' || disagreements(c).length > 0;
      if (problem && !listing.includes(c.test)) unlisted.push(`${corpus}/${c.test}: ${c.status} herd ${c.herd} ours ${c.ours} [${disagreements(c).join(',')}] ${c.message ?? ''}`);
    }
    expect(unlisted).toEqual([]);
    // The numbers CONFORMANCE.md states, as a floor.
    expect(agree).toBeGreaterThanOrEqual(1053);
    expect(answered).toBeGreaterThanOrEqual(1052);
  }, 600_000);
});
