// expandInputs: files, directories, @list files.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandInputs } from '../../litmus/files.js';
import { CORPUS_DIR, HAVE_CORPUS } from './helpers.js';

describe('expandInputs', () => {
  let root = '';
  const p = (...parts: string[]) => join(root, ...parts);
  const rel = (files: string[]) => files.map((f) => relative(root, f));

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'shootdown-files-'));
    mkdirSync(p('tests', 'sub', 'deep'), { recursive: true });
    mkdirSync(p('lists'));
    for (const f of ['tests/b.litmus', 'tests/a.litmus', 'tests/sub/c.litmus', 'tests/sub/deep/d.litmus', 'tests/a.litmus.expected', 'tests/notes.txt']) {
      writeFileSync(p(f), 'AArch64 X\n{}\n');
    }
    writeFileSync(p('lists', '@main'), '# a herd list\n\n../tests/b.litmus\n  ../tests/sub/c.litmus  \n@more\n');
    writeFileSync(p('lists', '@more'), '../tests/a.litmus\n../tests/missing.litmus\n../tests/sub/deep\n');
    writeFileSync(p('lists', '@loop'), '@loop\n../tests/a.litmus\n');
    writeFileSync(p('lists', 'plain.txt'), '../tests/b.litmus\n');
    writeFileSync(p('lists', '@abs'), `${p('tests', 'sub', 'c.litmus')}\r\n# comment\r\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a directory gives its *.litmus files recursively, sorted', async () => {
    const r = await expandInputs([p('tests')]);
    expect(r.errors).toEqual([]);
    expect(rel(r.files)).toEqual(['tests/a.litmus', 'tests/b.litmus', 'tests/sub/c.litmus', 'tests/sub/deep/d.litmus']);
  });

  it('a file is kept as given, whatever its name; order of inputs is kept; duplicates dropped', async () => {
    const r = await expandInputs([p('tests', 'notes.txt'), p('tests', 'b.litmus'), p('tests'), p('tests', 'b.litmus')]);
    expect(r.errors).toEqual([]);
    expect(rel(r.files)).toEqual(['tests/notes.txt', 'tests/b.litmus', 'tests/a.litmus', 'tests/sub/c.litmus', 'tests/sub/deep/d.litmus']);
  });

  it('@list files (base name starting with @, as herd): relative to the list, comments and blanks skipped, nested lists and folders expanded', async () => {
    const r = await expandInputs([p('lists', '@main')]);
    expect(rel(r.files)).toEqual(['tests/b.litmus', 'tests/sub/c.litmus', 'tests/a.litmus', 'tests/sub/deep/d.litmus']);
    expect(r.errors.map((e) => ({ path: relative(root, e.path), message: e.message }))).toEqual([
      { path: 'tests/missing.litmus', message: 'no such file or directory' },
    ]);
  });

  it('absolute paths in a list are kept; CRLF lists are fine', async () => {
    const r = await expandInputs([p('lists', '@abs')]);
    expect(r).toEqual({ files: [p('tests', 'sub', 'c.litmus')], errors: [] });
  });

  it('@file also names a list file called file', async () => {
    const r = await expandInputs([`@${p('lists', 'plain.txt')}`]);
    expect(r).toEqual({ files: [p('lists', '..', 'tests', 'b.litmus')], errors: [] });
  });

  it('missing inputs, unreadable lists and list cycles are reported, not thrown', async () => {
    const r = await expandInputs([p('nope.litmus'), p('lists', '@absent'), p('lists', '@loop')]);
    expect(rel(r.files)).toEqual(['tests/a.litmus']);
    expect(r.errors.map((e) => e.message)).toEqual([
      'no such file or directory',
      'cannot read list file: no such file or directory',
      'list file includes itself',
    ]);
    expect(r.errors[0]?.path).toBe(p('nope.litmus'));
  });

  it.skipIf(!HAVE_CORPUS)('expands the corpus @all lists', async () => {
    const base = await expandInputs([join(CORPUS_DIR, 'aarch64', '@all')]);
    expect(base.errors).toEqual([]);
    expect(base.files.length).toBe(52);
    const vmsa = await expandInputs([join(CORPUS_DIR, 'aarch64-VMSA', '@all')]);
    expect(vmsa.errors).toEqual([]);
    expect(vmsa.files.length).toBe(936);
    const all = await expandInputs([CORPUS_DIR]);
    expect(all.files.length).toBe(1074);
    expect(all.files).toEqual([...all.files].sort());
  });
});
