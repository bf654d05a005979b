// herd kinds files: `NAME Allowed|Forbidden|Required [# comment]`, `#` lines are comments.

import { readFile } from 'node:fs/promises';
import type { TestResult } from './run-test.js';

/** A verdict kind as herd names it. */
export type Kind = 'Allowed' | 'Forbidden' | 'Required';

const KIND_WORDS: Record<string, Kind> = { allowed: 'Allowed', allow: 'Allowed', forbidden: 'Forbidden', forbid: 'Forbidden', required: 'Required', require: 'Required' };

/** Parses a kinds file's text; lines without a known kind are ignored. */
export function parseKinds(text: string): Map<string, Kind> {
  const out = new Map<string, Kind>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const [name, word] = line.split(/\s+/);
    if (name === undefined || word === undefined) continue;
    const k = KIND_WORDS[word.toLowerCase()];
    if (k !== undefined) out.set(name, k);
  }
  return out;
}

/** Reads a kinds file. */
export async function readKinds(path: string): Promise<Map<string, Kind>> {
  return parseKinds(await readFile(path, 'utf8'));
}

/** The kind herd would give a result: Always/Sometimes is Allowed, Never Forbidden; Always on forall is Required. */
export function kindOf(r: TestResult): Kind {
  if (r.quantifier === 'forall') return r.observation === 'Always' ? 'Required' : r.observation === 'Never' ? 'Forbidden' : 'Allowed';
  return r.observation === 'Never' ? 'Forbidden' : 'Allowed';
}
