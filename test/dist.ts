// The compiled tree in dist/, for tests that start worker threads or the CLI (workers run
// JavaScript). `npm test` compiles first; after `npx vitest run` alone, a stale or missing dist/ is
// rebuilt here so those tests never run old code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project root. */
export const root = resolve(import.meta.dirname, '..');

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** The path of `rel` (e.g. `workers/random-worker.js`) under dist/, compiling first if any source is newer. */
export function distFile(rel: string): string {
  const file = join(root, 'dist', rel);
  const sources = ['model', 'explorer', 'workers', 'litmus', 'cli', 'report'].map((d) => join(root, d)).filter(existsSync);
  const newest = Math.max(...sources.map(newestSource));
  if (!existsSync(file) || statSync(file).mtimeMs < newest) {
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'pipe' });
    } catch {
      // tsc emits despite type errors; reporting them is the typecheck's job, not this helper's
    }
  }
  if (!existsSync(file)) throw new Error(`${file} was not built (run npx tsc -p tsconfig.json)`);
  return file;
}
