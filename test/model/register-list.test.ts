// Each CPU's register list ends after the highest register the program names (model/load.ts):
// a register write copies the list, so the list is as short as the test allows. Registers past
// the end read as 0, as they were never written.
import { describe, expect, it } from 'vitest';
import { lines, program, run } from '../helpers.js';

const MP = `AArch64 MP-regs
{
0:X1=x; 0:X3=y;
1:X1=y; 1:X3=x;
}
 P0          | P1          ;
 MOV X0,#1   | LDR X0,[X1] ;
 STR X0,[X1] | LDR X2,[X3] ;
 STR X0,[X3] |             ;
exists (1:X0=1 /\\ 1:X2=0)
`;

describe('register lists', () => {
  it('end after the highest register named in code or init, the same length on every CPU', () => {
    const p = program(MP);
    expect(p.initRegs.map((r) => r.length)).toEqual([4, 4]);
    const wide = program(MP.replace('0:X3=y;', '0:X3=y; 0:X9=7;'));
    expect(wide.initRegs.map((r) => r.length)).toEqual([10, 10]);
    // XZR is no entry of the list
    const zr = program(MP.replace(' MOV X0,#1   |', ' MOV XZR,#1  |'));
    expect(zr.initRegs.map((r) => r.length)).toEqual([4, 4]);
  });
  it('give the same outcomes, and 0 for a register the code never writes', () => {
    const r = run(MP.replace('exists (1:X0=1 /\\ 1:X2=0)', 'exists (1:X0=1 /\\ 1:X2=0 /\\ 1:X7=0)'), { model: 'sc' });
    expect(r.observation).toBe('Never');
    expect(lines(r).join('\n')).toContain('1:X7=0');
    const arm = run(MP, { model: 'arm' });
    expect(arm.observation).toBe('Sometimes');
  });
});
