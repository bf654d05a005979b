// C arrays in the init block (`int x[3]={0,0,1}`): elements at offsets within one page, all
// translated by the page's descriptor.
import { describe, expect, it } from 'vitest';
import { lines, run } from '../helpers.js';

describe('arrays', () => {
  it('an access at an offset reads that element', () => {
    const src = `AArch64 arr
{ int x[3]={7,8,9}; 0:X1=x; }
 P0              ;
 LDR W2,[X1,#8]  ;
 LDR W3,[X1]     ;
 MOV W4,#5       ;
 STR W4,[X1,#4]  ;
 LDR W5,[X1,#4]  ;
exists (0:X2=9 /\\ 0:X3=7 /\\ 0:X5=5)`;
    for (const model of ['sc', 'arm'] as const) expect(lines(run(src, { model }))).toEqual(['0:X2=9; 0:X3=7; 0:X5=5;']);
  });
  it('a remap moves every element: the element read depends on the descriptor used', () => {
    const src = `AArch64 arr-remap
{ int x[2]={0,1}; int y[2]={2,3}; 0:X1=x; 1:X3=PTE(x); 1:X4=(oa:PA(y)); }
 P0             | P1          ;
 LDR W2,[X1,#4] | STR X4,[X3] ;
exists (0:X2=3)`;
    expect(lines(run(src, { model: 'arm' }))).toEqual(['0:X2=1;', '0:X2=3;']);
  });
  it('an offset that is not a whole element is reported as unsupported', () => {
    const r = run(`AArch64 bad\n{ int x[3]; 0:X1=x; }\n P0 ;\n LDR W2,[X1,#2] ;\nexists (0:X2=0)`);
    expect(r.status).toBe('unsupported');
    expect(r.problem?.message).toMatch(/whole elements of an array/);
    expect(r.problem?.line).toBe(4);
  });
  it('an element type that is not modelled is reported as unsupported', () => {
    const r = run(`AArch64 bad\n{ char x[3]; 0:X1=x; }\n P0 ;\n LDR W2,[X1] ;\nexists (0:X2=0)`);
    expect(r.status).toBe('unsupported');
    expect(r.problem?.message).toMatch(/array declaration char x\[3\] is not supported/);
  });
});
