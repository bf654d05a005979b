// Shared helpers for the litmus front-end tests.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLitmus } from '../../litmus/parser.js';
import type { LitmusTest } from '../../litmus/ast.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The shared conformance corpus (read-only, outside the repo); may be absent. */
export const CORPUS_DIR = resolve(here, '../../../shared/conformance/corpus');
export const HAVE_CORPUS = existsSync(CORPUS_DIR);
if (!HAVE_CORPUS) {
  console.warn(`[litmus tests] conformance corpus not found at ${CORPUS_DIR}: corpus tests are SKIPPED`);
}

/** Every `*.litmus` file under `dir`, sorted. */
export function litmusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.litmus')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Deep copy without `span` fields (and without the test's `source`), for structural comparison. */
export function strip<T>(x: T): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x !== null && typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'span' || k === 'source') continue;
      o[k] = strip(v);
    }
    return o;
  }
  return x;
}

/** Parses and fails the test with the parser's message if it does not parse. */
export function mustParse(source: string, file = 'test.litmus'): LitmusTest {
  const r = parseLitmus(source, file);
  if (!r.ok) throw new Error(`${r.error.file}:${r.error.line}:${r.error.col}: ${r.error.message}`);
  return r.test;
}
