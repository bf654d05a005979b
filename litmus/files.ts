// Command-line inputs to litmus files: plain files, directories (searched recursively for
// `*.litmus`) and herd's `@list` files. Plain Node fs, deterministic order.

import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/** An input that could not be expanded, with a readable reason. */
export interface InputError {
  readonly path: string;
  readonly message: string;
}

/** Plain code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function reason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  return e instanceof Error ? e.message : String(e);
}

/** Collects every `*.litmus` file under `dir`, recursively; symlinked folders are followed once. */
async function walk(dir: string, out: string[], seen: Set<string>): Promise<void> {
  const real = await realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const s = await stat(p);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isDir) await walk(p, out, seen);
    else if (isFile && e.name.endsWith('.litmus')) out.push(p);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** herd's rule (lib/misc.ml `is_list`): a path whose base name starts with `@` is a list of paths. */
function isList(path: string): boolean {
  return basename(path).startsWith('@');
}

/** The entries of a herd `@list` file: one path per line, blank lines and `#` comments skipped. */
function listEntries(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}

/**
 * Expands command-line inputs into litmus file paths.
 *  - a file is kept as given;
 *  - a directory gives all `*.litmus` files below it, recursively, sorted;
 *  - a list file, as in herd, is any path whose base name starts with `@` (`tests/@all`): one path
 *    per line, relative ones relative to the list's folder, blank lines and `#` comments ignored;
 *    listed lists and directories are expanded in turn. `@file` also reads a list named `file`
 *    when no file `@file` exists.
 * Files keep the order of the inputs; a file reached twice is listed once, at its first place.
 * Problems (missing paths, unreadable lists, list cycles) are collected, not thrown.
 */
export async function expandInputs(paths: readonly string[]): Promise<{ files: string[]; errors: InputError[] }> {
  const files: string[] = [];
  const errors: InputError[] = [];
  const seenFiles = new Set<string>();
  const add = (p: string): void => {
    const key = resolve(p);
    if (seenFiles.has(key)) return;
    seenFiles.add(key);
    files.push(p);
  };

  const expand = async (input: string, listStack: readonly string[]): Promise<void> => {
    if (isList(input) || input.startsWith('@')) {
      // herd's `tests/@all` names the file `@all`; also accept `@file` for a list named `file`
      let list = input;
      if (input.startsWith('@') && !(await exists(input)) && (await exists(input.slice(1)))) list = input.slice(1);
      const key = resolve(list);
      if (listStack.includes(key)) {
        errors.push({ path: input, message: 'list file includes itself' });
        return;
      }
      let text: string;
      try {
        text = await readFile(list, 'utf8');
      } catch (e) {
        errors.push({ path: input, message: `cannot read list file: ${reason(e)}` });
        return;
      }
      const base = dirname(list);
      for (const entry of listEntries(text)) {
        await expand(isAbsolute(entry) ? entry : join(base, entry), [...listStack, key]);
      }
      return;
    }
    let isDir: boolean;
    try {
      isDir = (await stat(input)).isDirectory();
    } catch (e) {
      errors.push({ path: input, message: reason(e) });
      return;
    }
    if (!isDir) {
      add(input);
      return;
    }
    const found: string[] = [];
    try {
      await walk(input, found, new Set());
    } catch (e) {
      errors.push({ path: input, message: reason(e) });
    }
    found.sort(compare);
    for (const f of found) add(f);
  };

  for (const p of paths) await expand(p, []);
  return { files, errors };
}
