// Ctrl-C during a long search: the partial result of the test under way is printed, clearly
// marked, and the command exits 130.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixmapLitmus } from '../../bench/fixmap-gen.js';
import { distFile } from '../dist.js';

describe('run interrupted', () => {
  it('prints the partial result and exits 130', async () => {
    const file = join(tmpdir(), `shootdown-interrupt-${process.pid}.litmus`);
    writeFileSync(file, fixmapLitmus(7, 'broadcast'));
    const child = spawn(process.execPath, [distFile('cli/main.js'), 'run', file, '--parallel-after', '0', '--workers', '2', '--quiet']);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    setTimeout(() => child.kill('SIGINT'), 2500);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(out).toMatch(/^Test fixmap-broadcast-7cpu Allowed$/m);
    expect(out).toMatch(/Incomplete: stopped after \d+ states \(interrupted\)/);
    expect(err).toMatch(/interrupted/);
  });
});
