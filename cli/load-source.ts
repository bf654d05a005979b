// Litmus source to a loaded program, for the commands that work on one test (random, bisect,
// replay by seed) and for the workers, which get source text in their recipes.

import { readFile } from 'node:fs/promises';
import type { LitmusTest } from '../litmus/ast.js';
import { parseLitmus } from '../litmus/parser.js';
import { loadTest, type LoadOptions } from '../model/load.js';
import type { Program } from '../model/program.js';
import { variantFaultMode } from '../model/variant.js';

/** A loaded test, or a user-facing message (`file:line:col: ...`) saying why not. */
export type Loaded = { readonly ok: true; readonly test: LitmusTest; readonly program: Program } | { readonly ok: false; readonly message: string };

/**
 * Parses and loads `source` with herd's `-variant` list `variant` (fault mode of tests that name
 * none) and loop bound `unroll` (herd's -unroll; default DEFAULT_UNROLL).
 */
export function loadSource(source: string, file: string, variant?: string, unroll?: number): Loaded {
  const parsed = parseLitmus(source, file);
  if (!parsed.ok) {
    const e = parsed.error;
    return { ok: false, message: `${e.file}:${e.line}:${e.col}: ${e.message}` };
  }
  if (parsed.test.arch !== 'AArch64') return { ok: false, message: `${file}: only AArch64 tests are supported, not ${parsed.test.arch}` };
  const fm = variant === undefined ? undefined : variantFaultMode(variant);
  if (fm !== undefined && !fm.ok) return { ok: false, message: `--variant: ${fm.message}` };
  return loadParsed(parsed.test, file, { ...(fm?.ok === true && fm.mode !== undefined ? { defaultFaultMode: fm.mode } : {}), ...(unroll === undefined ? {} : { unroll }) });
}

/** Loads a parsed test with `opts` (as `run` does), or says why not. */
export function loadParsed(test: LitmusTest, file: string, opts: LoadOptions): Loaded {
  const loaded = loadTest(test, opts);
  if (!loaded.ok) {
    const u = loaded.unsupported;
    return { ok: false, message: `${file}:${u.span.line}:${u.span.col}: unsupported: ${u.message}` };
  }
  return { ok: true, test, program: loaded.program };
}

/**
 * Reads and loads one test file for a single-test command; on failure prints the message on
 * stderr and returns undefined (the command then exits 2).
 */
export async function loadFileOrReport(file: string, variant?: string, unroll?: number): Promise<(Loaded & { ok: true }) | undefined> {
  const source = await readSourceOrReport(file);
  if (source === undefined) return undefined;
  const loaded = loadSource(source, file, variant, unroll);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.message}\n`);
    return undefined;
  }
  return loaded;
}

/** Reads a test file's text; on failure prints why on stderr and returns undefined. */
export async function readSourceOrReport(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    process.stderr.write(`shootdown: ${file}: ${(e as Error).message}\n`);
    return undefined;
  }
}
