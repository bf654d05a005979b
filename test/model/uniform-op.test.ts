// Loaded ops all have one shape (model/decode.ts uniformOp): the same fields, in the same order,
// with each op's own fields as decode gave them.
import { describe, expect, it } from 'vitest';
import { decode, isAccess, uniformOp, type Op } from '../../model/decode.js';
import { program } from '../helpers.js';

// One thread per kind of op the model executes.
const SOURCE = `AArch64 every-op
Variant=vmsa
{
0:X1=x; 0:X3=PTE(x); 0:X5=y;
}
 P0                  ;
 NOP                 ;
 MOV X0,#1           ;
 ADDS X2,X0,#2       ;
 CMP X0,#1           ;
 CSEL X4,X0,X2,EQ    ;
 CSET X6,NE          ;
 LDAR X7,[X1]        ;
 STR X0,[X1],#8      ;
 STXR W8,X0,[X5]     ;
 SWPAL X0,X9,[X5]    ;
 CASA X0,X9,[X5]     ;
 LDADD X0,X10,[X5]   ;
 CBNZ X0,L0          ;
L0:                  ;
 B.EQ L1             ;
L1:                  ;
 DMB ISH             ;
 DSB ISH             ;
 ISB                 ;
 TLBI VAE1IS,X1      ;
 ADR X11,L1          ;
 MSR ELR_EL1,X0      ;
 MRS X12,PAR_EL1     ;
 AT S1E1R,X1         ;
exists (0:X0=1)
`;

describe('uniform ops', () => {
  const code = program(SOURCE).threads[0]?.code ?? [];
  const defined = (op: Op): Record<string, unknown> => Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined));

  it('gives every loaded op the same fields in the same order', () => {
    expect(code.length).toBeGreaterThan(20);
    const kinds = new Set(code.map((s) => s.op.op));
    expect(kinds.size).toBeGreaterThan(20);
    const shape = Object.keys(code[0]?.op ?? {});
    for (const s of code) expect(Object.keys(s.op)).toEqual(shape);
  });

  it("keeps each op's own fields as decode gave them, and no others", () => {
    for (const s of code) {
      const d = decode(s.instr);
      if (!d.ok) throw new Error(d.error.message);
      expect(defined(s.op)).toEqual(defined(d.op));
      expect(Object.keys(defined(s.op)).sort()).toEqual(Object.keys(d.op).sort());
    }
  });

  it('tells accesses by kind, since every op now has an addr field', () => {
    const access = code.filter((s) => isAccess(s.op)).map((s) => s.op.op);
    expect(access).toEqual(['load', 'store', 'stxr', 'swp', 'cas', 'rmw']);
    for (const s of code) expect('addr' in s.op).toBe(true);
  });

  it('refuses a field it does not know, rather than dropping it', () => {
    expect(() => uniformOp({ op: 'nop', extra: 1 } as unknown as Op)).toThrow(/extra/);
  });
});
