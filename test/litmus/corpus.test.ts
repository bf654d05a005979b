// Every file of the shared conformance corpus parses; instruction texts re-parse identically.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLitmus } from '../../litmus/parser.js';
import type { LitmusTest } from '../../litmus/ast.js';
import { CORPUS_DIR, HAVE_CORPUS, litmusFiles, strip } from './helpers.js';

/**
 * Files of the corpus that are not litmus tests. herdtools stores MP+rel+CSEL-addr.litmus as a
 * git symlink to ../../aarch64-pick/tests/, which is not in the corpus: the file holds the link
 * target as text. The parser must reject it with a clear message.
 */
const NOT_LITMUS: Record<string, string> = {
  'aarch64/MP+rel+CSEL-addr.litmus':
    "1:1: expected an architecture name ('AArch64') on the title line, found '../../aarch64-pick/tests//MP+rel+CSEL-addr.litmus'",
};

describe.skipIf(!HAVE_CORPUS)('conformance corpus', () => {
  const files = HAVE_CORPUS ? litmusFiles(CORPUS_DIR) : [];
  const parsed = new Map<string, LitmusTest>();
  const failures = new Map<string, string>();
  if (HAVE_CORPUS) {
    for (const f of files) {
      const r = parseLitmus(readFileSync(f, 'utf8'), f);
      const rel = relative(CORPUS_DIR, f);
      if (r.ok) parsed.set(rel, r.test);
      else failures.set(rel, `${r.error.line}:${r.error.col}: ${r.error.message}`);
    }
  }

  it('has the expected number of files', () => {
    expect(files.length).toBe(1074);
  });

  it('parses every litmus file (1073 of 1074; the other is a symlink stub)', () => {
    expect(Object.fromEntries(failures)).toEqual(NOT_LITMUS);
    expect(parsed.size).toBe(1073);
  });

  it('parses the whole corpus quickly', () => {
    const sources = files.map((f) => readFileSync(f, 'utf8'));
    const t0 = performance.now();
    for (let i = 0; i < files.length; i++) parseLitmus(sources[i] ?? '', files[i] ?? '');
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
  });

  it('keeps the header name (kinds.txt keys) and the arch', () => {
    for (const [rel, t] of parsed) {
      expect(t.arch, rel).toBe('AArch64');
      expect(t.name, rel).toMatch(/^\S+$/);
    }
    expect(parsed.get('aarch64-BBM/CoRR+PteGRE.litmus')?.name).toBe('CoRR+PteOA.GRE');
  });

  it('finds threads and code in every test', () => {
    let instrs = 0;
    for (const [rel, t] of parsed) {
      expect(t.threads.length, rel).toBeGreaterThan(0);
      expect(t.threads[0]?.proc, rel).toBe(0);
      for (const th of t.threads) for (const s of th.code) if (s.kind === 'instr') instrs++;
    }
    // total instruction count over the corpus: a change here means cells are split differently
    expect(instrs).toBe(7978);
  });

  it('has the quantifiers of the syntax inventory', () => {
    const count = (q: string): number => [...parsed.values()].filter((t) => (t.condition?.quantifier ?? 'none') === q).length;
    expect(count('exists')).toBe(1001);
    expect(count('forall')).toBe(60);
    expect(count('not exists')).toBe(10);
    expect(count('none')).toBe(2);
  });

  it('re-parses every instruction text as the same instruction in a one-line table', () => {
    const mismatches: string[] = [];
    let n = 0;
    for (const [rel, t] of parsed) {
      for (const th of t.threads) {
        for (const s of th.code) {
          if (s.kind !== 'instr') continue;
          n++;
          const r = parseLitmus(`AArch64 RT\n{}\n P0 ;\n ${s.instr.text} ;\n`, 'rt.litmus');
          const again = r.ok ? r.test.threads[0]?.code : undefined;
          const first = again?.[0];
          if (again?.length !== 1 || first?.kind !== 'instr') {
            mismatches.push(`${rel}: '${s.instr.text}' -> ${r.ok ? JSON.stringify(strip(again)) : r.error.message}`);
            continue;
          }
          expect(first.instr.text).toBe(s.instr.text);
          expect(strip(first.instr)).toEqual(strip(s.instr));
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(n).toBe(7978);
  });
});
